"""Search quality check: realistic French queries on the database fallback and on the engine, side by side.

    DATABASE_URL=sqlite:////tmp/quality.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/quality.sqlite3 .venv/bin/python manage.py load_demo
    DATABASE_URL=sqlite:////tmp/quality.sqlite3 ELASTICSEARCH_URL=http://127.0.0.1:9200 SEARCH_INDEX_PREFIX=quality \\
        .venv/bin/python manage.py search_index rebuild
    DATABASE_URL=sqlite:////tmp/quality.sqlite3 ELASTICSEARCH_URL=http://127.0.0.1:9200 SEARCH_INDEX_PREFIX=quality \\
        .venv/bin/python bench/search_quality.py [--json out.json] [--query "menuisier roubaix" ...] [--suggest-rounds 50]

Runs each query through ``search.service.search_structures`` twice — once with
``ELASTICSEARCH_URL`` unset (database fallback), once on the engine — and prints
the total, the top five structures (name · city) and the highlighted fields of
each. A line starting with ``!=`` flags a different top result. Then it runs
``suggest()`` for a few prefixes on both backends and prints the labels and the
median latency. ``--json`` writes everything, to diff two runs (before/after a
change). Read-only: it never writes to the database nor to the index.
"""

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = [
    "menuisier roubaix", "menuiserie", "menuisiers", "energie solaire", "énergie solaire", "panneaux solaires",
    "photovoltaique", "comptabilté", "comptabilite", "RSE", "rse lille", "responsabilité sociétale",
    "l'économie circulaire", "economie circulaire", "Villeneuve d'Ascq", "villeneuve dascq", "marcq en baroeul",
    "Marcq-en-Barœul", "tourcoing", "réemploi", "jardin partagé", "graphiste", "formation", "association", "SCOP",
    "coopérative", "bilan carbone", "vélo", "(RSE", "a:b*", '"énergie', "AND OR NOT", "*",
    ("menuiserie bois solaire énergie " * 8)[:200], "🌱 énergie ☀️", "Œuvre", "café", "ÉTÉ",
]  # fmt: skip
PREFIXES = ["menu", "phot", "énerg", "ener", "vil"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--query", action="append", help="a query to run (repeatable; default: the built-in list)")
    parser.add_argument("--json", help="write the results to this JSON file")
    parser.add_argument("--suggest-rounds", type=int, default=50, help="timed suggest() calls per prefix and backend")
    parser.add_argument("--top", type=int, default=5)
    return parser.parse_args()


def setup_django():
    if not os.environ.get("ELASTICSEARCH_URL"):
        sys.exit("ELASTICSEARCH_URL doit être défini (le moteur à comparer avec la base).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagrappe.settings.dev")
    import django

    django.setup()


def _strip(fragment: str) -> str:
    return re.sub(r"\s+", " ", fragment)


def run_query(text: str, top: int) -> dict:
    from search.service import search_structures
    from search.types import InvalidSearchQuery, SearchQuery

    try:
        result = search_structures(SearchQuery(text=text))
    except InvalidSearchQuery as exc:
        return {"error": str(exc)}
    return {
        "engine": result.engine,
        "total": result.total,
        "suggestion": result.suggestion,
        "top": [
            {
                "name": hit.structure.name,
                "city": hit.structure.city,
                "score": hit.score,
                "highlights": {h.field: [_strip(f) for f in h.fragments] for h in hit.highlights},
            }
            for hit in result.hits[:top]
        ],
    }


def on_both(function, *args):
    """(database answer, engine answer) of ``function(*args)``."""
    from django.test import override_settings

    with override_settings(ELASTICSEARCH_URL=None):
        database = function(*args)
    engine = function(*args)
    return database, engine


def print_query(text: str, database: dict, engine: dict) -> None:
    print(f"\n=== « {text if len(text) < 60 else text[:57] + '…'} »")
    for label, answer in (("db", database), ("os", engine)):
        if "error" in answer:
            print(f"  {label}: ERREUR {answer['error']}")
            continue
        extra = f"  (vouliez-vous dire « {answer['suggestion']} » ?)" if answer.get("suggestion") else ""
        print(f"  {label}: {answer['total']} résultat(s){extra}")
        for rank, hit in enumerate(answer["top"], 1):
            fields = "; ".join(f"{f}: {' | '.join(frags)[:90]}" for f, frags in hit["highlights"].items())
            print(f"      {rank}. {hit['name']} · {hit['city']}  [{fields}]")
    tops = [a["top"][0]["name"] if a.get("top") else None for a in (database, engine)]
    if tops[0] != tops[1]:
        print(f"  != premier résultat différent : db {tops[0]!r} / os {tops[1]!r}")


def timed_suggest(prefix: str, rounds: int) -> dict:
    from search.service import suggest

    suggestions = suggest(prefix)  # warm-up (caches, connections)
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        suggest(prefix)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "labels": [f"{s.kind[:5]}:{s.label}" for s in suggestions],
        "p50_ms": round(statistics.median(timings), 1) if timings else None,
    }


def main():
    args = parse_args()
    setup_django()
    report = {"queries": {}, "suggest": {}}
    for text in args.query or QUERIES:
        database, engine = on_both(run_query, text, args.top)
        report["queries"][text] = {"database": database, "engine": engine}
        print_query(text, database, engine)
    print("\n=== suggest()")
    for prefix in PREFIXES:
        database, engine = on_both(timed_suggest, prefix, args.suggest_rounds)
        report["suggest"][prefix] = {"database": database, "engine": engine}
        for label, answer in (("db", database), ("os", engine)):
            print(f"  « {prefix} » {label} p50 {answer['p50_ms']} ms: {', '.join(answer['labels'])}")
    medians = {
        label: statistics.median(report["suggest"][p][label]["p50_ms"] for p in PREFIXES)
        for label in ("database", "engine")
    }
    print(f"  p50 over prefixes: database {medians['database']:.1f} ms, engine {medians['engine']:.1f} ms")
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1))
        print(f"\nJSON : {args.json}")


if __name__ == "__main__":
    main()
