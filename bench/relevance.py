"""Relevance benchmark: graded judgements on a fixed directory, per backend, held-out and development sets.

    .venv/bin/python bench/relevance.py                       # every backend that is reachable
    .venv/bin/python bench/relevance.py --backends sqlite,engine --set heldout --show 5
    .venv/bin/python bench/relevance.py --json /tmp/relevance.json

Backends (each in its own process with its own environment, on a fresh copy of
``bench/relevance/dataset.json``):

- ``engine``: ELASTICSEARCH_URL (default http://127.0.0.1:9200), index prefix
  RELEVANCE_INDEX_PREFIX (default ``relevance_bench``), SQLite database;
- ``sqlite``: the database backend on SQLite;
- ``postgres``: the database backend on PostgreSQL (RELEVANCE_POSTGRES_URL,
  default postgres://lagrappe:lagrappe@127.0.0.1:5433/lagrappe_relevance_bench;
  the database is dropped and created again).

Queries come from ``bench/relevance/heldout.tsv`` (written before tuning, never
used to fit weights) and ``bench/relevance/dev.tsv`` (the only set tuning may
look at). Each query has an intent (skills, sectors, a skill domain, a town, a
structure); the grade of every published structure of the dataset follows from
it (``grade()``), so the judgements are fixed by the dataset, not by any backend.

Reported per backend and set: NDCG@10 (gain 2^grade - 1), the share of queries
with a relevant hit (grade >= 2) in the top 3, and the zero-result rate over the
queries that have a relevant structure. Then the queries where backends
disagree (a different first hit, or NDCG@10 apart by more than 0.2), and issue
12's targets on the held-out set with PASS/FAIL: engine NDCG@10 >= 0.90 and
top 3 >= 95 %, PostgreSQL within 0.05 of the engine, no zero result on any
backend. An answer from another backend than the one named (an engine search
the database answered) fails the run: its figures would not be the engine's.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "bench" / "relevance"
DATASET = HERE / "dataset.json"
SETS = {"heldout": HERE / "heldout.tsv", "dev": HERE / "dev.tsv"}
BACKENDS = ("engine", "sqlite", "postgres")
TARGETS = {"engine_ndcg": 0.90, "engine_top3": 0.95, "postgres_gap": 0.05, "zero_results": 0.0}
DEFAULT_ENGINE_URL = "http://127.0.0.1:9200"
DEFAULT_POSTGRES_URL = "postgres://lagrappe:lagrappe@127.0.0.1:5433/lagrappe_relevance_bench"
TOP = 10
RELEVANT = 2  # the grade from which a hit counts as relevant (top-3 share, zero results)


# --------------------------------------------------------------------------- judgements
def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", (text or "").replace("’", "'").replace("œ", "oe"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower().strip()


def load_queries(name: str) -> list[dict]:
    queries = []
    for line in SETS[name].read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, intent = line.split("\t")
        spec = {}
        for part in intent.split(";"):
            key, _, value = part.strip().partition("=")
            spec[key] = [fold(v) for v in value.split("|")]
        queries.append({"text": text, "intent": intent, "spec": spec})
    return queries


def skill_domains() -> dict[str, str]:
    sys.path.insert(0, str(ROOT))
    from directory.seed_data import TAXONOMY

    return {fold(skill[0]): fold(domain) for domain, skills in TAXONOMY for skill in skills}


def grade(structure: dict, spec: dict, domains: dict[str, str]) -> int:
    """0-3: how well a structure answers the query's intent.

    Topic (skills: any of them; all: every one, some -> 1; sectors; domain; name)
    decides; a town in the intent splits it: topic in that town 3, topic
    elsewhere 1 (still useful, but after), town without the topic 0. A town
    alone: its structures 3.
    """
    skills = {fold(s) for s in structure["skills"]}
    topic = None
    if "skills" in spec:
        topic = 3 if skills & set(spec["skills"]) else 0
    elif "all" in spec:
        found = len(skills & set(spec["all"]))
        topic = 3 if found == len(spec["all"]) else 1 if found else 0
    elif "sectors" in spec:
        topic = 3 if {fold(s) for s in structure["sectors"]} & set(spec["sectors"]) else 0
    elif "domain" in spec:
        topic = 3 if {domains.get(s) for s in skills} & set(spec["domain"]) else 0
    elif "name" in spec:
        topic = 3 if structure["slug"] in spec["name"] else 0
    if "city" not in spec:
        return topic or 0
    in_city = fold(structure["city"]) in spec["city"]
    if topic is None:
        return 3 if in_city else 0
    if in_city:
        return {3: 3, 1: 2}.get(topic, 0)
    return 1 if topic == 3 else 0


def judgements(queries: list[dict], structures: list[dict]) -> list[dict[str, int]]:
    domains = skill_domains()
    live = [s for s in structures if s["live"]]
    return [{s["slug"]: g for s in live if (g := grade(s, q["spec"], domains))} for q in queries]


def dcg(grades: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def ndcg(ranked: list[str], judged: dict[str, int]) -> float:
    ideal = dcg(sorted(judged.values(), reverse=True)[:TOP])
    return dcg([judged.get(slug, 0) for slug in ranked[:TOP]]) / ideal if ideal else 1.0


# --------------------------------------------------------------------------- one backend (child process)
def worker(backend: str, texts: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagrappe.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    load_dataset()
    from search.service import search_structures
    from search.types import InvalidSearchQuery, SearchQuery

    out = {}
    for text in texts:
        try:
            result = search_structures(SearchQuery(text=text, per_page=TOP))
        except InvalidSearchQuery as exc:
            out[text] = {"error": str(exc), "slugs": [], "names": [], "total": 0}
            continue
        out[text] = {
            "engine": result.engine,
            "total": result.total,
            "slugs": [hit.structure.slug for hit in result.hits],
            "names": [f"{hit.structure.name} · {hit.structure.city}" for hit in result.hits],
            "ignored": list(getattr(result, "ignored_words", []) or []),
            "suggestion": result.suggestion,
        }
    print(json.dumps(out, ensure_ascii=False))


def load_dataset() -> None:
    """Write the dataset with the directory's own bulk writer, then index it (database rows and engine)."""
    import datetime as dt

    from directory import seed
    from directory.models import Membership
    from directory.seed import PersonRecord, StructureRecord
    from search.documents import refresh_database_documents
    from search.engine import get_backend
    from search.models import IndexOutbox

    rows = json.loads(DATASET.read_text())["structures"]
    for slug in {m for r in rows for m in r["memberships"]}:
        Membership.objects.get_or_create(slug=slug, defaults={"name": slug.capitalize()})
    records = []
    for r in rows:
        people = [PersonRecord(email="", phone="", **p) for p in r["people"]]
        fields = {k: v for k, v in r.items() if k != "people"}
        fields["joined"] = dt.date.fromisoformat(r["joined"]) if r["joined"] else None
        records.append(
            StructureRecord(
                **fields,
                address="",
                website="",
                email="",
                phone="",
                people=people,
                **({} if "founded" in fields else {"founded": 2000}),
            )  # fmt: skip
        )
    # seed_directory's writer takes the generator's records: hand it ours.
    original = seed.generate_structures
    seed.generate_structures = lambda count, seed_value: iter(records)
    try:
        seed.seed_directory(len(records), progress=False)
    finally:
        seed.generate_structures = original
    from directory.models import Structure

    refresh_database_documents(list(Structure.objects.values_list("pk", flat=True)))
    backend = get_backend()
    if backend is not None:
        backend.rebuild(progress=False, stdout=sys.stderr)
    IndexOutbox.objects.all().delete()  # everything is indexed: nothing is hidden as pending


def run_backend(backend: str, texts: list[str]) -> dict | None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ELASTICSEARCH_URL")}
    # A file of this run's own: two runs side by side (helpers, CI) never share a database.
    scratch = tempfile.TemporaryDirectory(prefix=f"relevance-{backend}-")
    sqlite = Path(scratch.name) / "bench.sqlite3"
    if backend == "postgres":
        url = os.environ.get("RELEVANCE_POSTGRES_URL", DEFAULT_POSTGRES_URL)
        if not recreate_postgres(url):
            return None
        env["DATABASE_URL"] = url
    else:
        env["DATABASE_URL"] = f"sqlite:///{sqlite}"
    if backend == "engine":
        env["ELASTICSEARCH_URL"] = os.environ.get("ELASTICSEARCH_URL", DEFAULT_ENGINE_URL)
        env["SEARCH_INDEX_PREFIX"] = os.environ.get("RELEVANCE_INDEX_PREFIX", "relevance_bench")
    with scratch:
        done = subprocess.run(
            [sys.executable, __file__, "--worker", backend],
            input=json.dumps(texts), env=env, capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip
    if done.returncode:
        print(f"[{backend}] indisponible :\n{done.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def recreate_postgres(url: str) -> bool:
    try:
        import psycopg
    except ImportError:
        print("[postgres] psycopg absent", file=sys.stderr)
        return False
    base, _, name = url.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"[postgres] indisponible : {exc}", file=sys.stderr)
        return False
    return True


# --------------------------------------------------------------------------- report
def measure(queries, judged, answers) -> dict:
    scores, top3, zero, with_relevant = [], 0, 0, 0
    for q, j in zip(queries, judged, strict=True):
        answer = answers[q["text"]]
        scores.append(ndcg(answer["slugs"], j))
        if any(g >= RELEVANT for g in j.values()):
            with_relevant += 1
            top3 += any(j.get(s, 0) >= RELEVANT for s in answer["slugs"][:3])
            zero += answer["total"] == 0
    return {
        "queries": len(queries),
        "ndcg@10": sum(scores) / len(scores),
        "top3": top3 / with_relevant if with_relevant else 1.0,
        "zero_results": zero / with_relevant if with_relevant else 0.0,
        "per_query": scores,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--set", choices=["heldout", "dev", "both"], default="both")
    parser.add_argument("--show", type=int, default=15, help="how many weakest queries to list per backend and set")
    parser.add_argument("--json", help="write every answer and figure to this file")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, json.loads(sys.stdin.read()))
        return

    structures = json.loads(DATASET.read_text())["structures"]
    names = [n for n in (["heldout", "dev"] if args.set == "both" else [args.set])]
    sets = {n: load_queries(n) for n in names}
    judged = {n: judgements(qs, structures) for n, qs in sets.items()}
    texts = sorted({q["text"] for qs in sets.values() for q in qs})
    answers = {}
    for backend in args.backends.split(","):
        result = run_backend(backend, texts)
        if result is not None:
            answers[backend] = result
    report = {}
    print(f"{'backend':10} {'set':8} {'requêtes':>8} {'NDCG@10':>8} {'top-3':>7} {'0 résultat':>10}")
    for backend, got in answers.items():
        for n, qs in sets.items():
            m = measure(qs, judged[n], got)
            report[(backend, n)] = m
            print(
                f"{backend:10} {n:8} {m['queries']:8d} {m['ndcg@10']:8.3f} {m['top3']:7.1%} {m['zero_results']:10.1%}"
            )
    for (backend, n), m in report.items():
        if not args.show:
            break
        worst = sorted(zip(m["per_query"], sets[n], judged[n], strict=True), key=lambda t: t[0])[: args.show]
        print(f"\n— {backend} / {n} : requêtes les plus faibles")
        for score, q, j in worst:
            a = answers[backend][q["text"]]
            grades = [j.get(s, 0) for s in a["slugs"]]
            ignored = f" sans {a['ignored']}" if a.get("ignored") else ""
            print(f"  {score:.2f} {q['text']!r} [{q['intent']}] total={a['total']}{ignored} notes={grades}")
    if len(answers) > 1:
        print("\n— Désaccords entre moteurs (premier résultat différent ou NDCG@10 à plus de 0,2)")
        backends = list(answers)
        for n, qs in sets.items():
            for i, q in enumerate(qs):
                firsts = {b: (answers[b][q["text"]]["slugs"] or [None])[0] for b in backends}
                scores = {b: report[(b, n)]["per_query"][i] for b in backends}
                if len(set(firsts.values())) > 1 or max(scores.values()) - min(scores.values()) > 0.2:
                    detail = " | ".join(
                        f"{b} {scores[b]:.2f} {(answers[b][q['text']]['names'] or ['∅'])[0]}" for b in backends
                    )
                    print(f"  [{n}] {q['text']!r}: {detail}")
    verdicts = targets(answers, report)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "answers": answers,
                    "figures": {f"{b}/{n}": m for (b, n), m in report.items()},
                    "targets": verdicts,
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    if not all(v["pass"] for v in verdicts):
        sys.exit(1)


def targets(answers: dict, report: dict) -> list[dict]:
    """Issue 12's targets on the held-out set, each with the measured value and PASS/FAIL (printed)."""
    verdicts = []

    def check(name, measured, passed, detail):
        verdicts.append({"target": name, "measured": measured, "pass": passed})
        print(f"  {'PASS' if passed else 'FAIL'} {name}: {detail}")

    print("\n— Objectifs (issue 12, ensemble réservé)")
    for backend, got in answers.items():
        expected = ("opensearch", "elasticsearch") if backend == "engine" else ("database",)
        strays = sorted(text for text, a in got.items() if "engine" in a and a["engine"] not in expected)
        check(f"{backend} answered by itself", len(strays), not strays, f"{len(strays)} réponse(s) d’un autre moteur")
    if ("engine", "heldout") in report:
        m = report[("engine", "heldout")]
        check("engine NDCG@10", m["ndcg@10"], m["ndcg@10"] >= TARGETS["engine_ndcg"], f"{m['ndcg@10']:.3f} >= 0.90")
        check("engine top 3", m["top3"], m["top3"] >= TARGETS["engine_top3"], f"{m['top3']:.1%} >= 95 %")
        if ("postgres", "heldout") in report:
            gap = m["ndcg@10"] - report[("postgres", "heldout")]["ndcg@10"]
            check("postgres within 0.05", gap, gap <= TARGETS["postgres_gap"], f"écart {gap:+.3f} <= 0.05")
    for (backend, name), m in report.items():
        if name == "heldout":
            zero = m["zero_results"]
            check(f"{backend} zero results", zero, zero <= TARGETS["zero_results"], f"{zero:.1%} = 0 %")
    return verdicts


if __name__ == "__main__":
    main()
