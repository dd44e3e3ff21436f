"""Search benchmark: rebuild throughput and warm latency, engine vs database fallback vs raw engine request.

    .venv/bin/python bench/search_bench.py --count 20000 [--rounds 20] [--database URL] [--engine URL]
    .venv/bin/python bench/search_bench.py --count 200000 --sqlite /tmp/b200k.sqlite3 --prefix bench_x --keep
    .venv/bin/python bench/search_bench.py --count 200000 --sqlite /tmp/b200k.sqlite3 --prefix bench_x --keep --reuse

Seeds ``--count`` structures with ``manage.py seed_directory`` into a throwaway
database (a temporary SQLite file unless ``--database`` gives a PostgreSQL URL,
whose database is dropped and recreated), rebuilds the fallback documents and
the engine index (its own prefix ``bench_<pid>``, or ``--prefix``: only that prefix's
alias and versioned indexes are ever deleted, never another run's), then runs a mix of queries with
facets: through the search service on the engine, through the same service with no engine (the database
fallback, listing cache included), and as a raw HTTP request to the engine with the very same body (the
floor: no Django, no loading of structures), and as GraphQL ``directorySearch`` (hits with
highlights, distance and cards, facets) beside ``{ __typename }``, the floor of any GraphQL request;
the calls of a query are interleaved round by round. Prints a table and writes JSON to ``bench/results/``.

``--reuse`` times again what an earlier ``--keep`` run left (the ``--sqlite`` file or the
``--database``, and the ``--prefix`` index): it migrates but neither seeds nor rebuilds
when the database already holds ``--count`` structures with their documents (an empty
one is seeded; any other count stops the run) and the index holds as many documents (a
missing or short index is rebuilt); the rebuild rates are then not measured and their
targets not printed.

Honesty: every timed engine call is checked — a call degraded or answered by the
database aborts the run (no engine figure is reported from the fallback). Each
target of issue #10 that this script can measure is printed with its measured
ratio and PASS/FAIL, and recorded in the JSON.

Duration on this 2-core machine when quiet: ``--count 20000`` under 2 minutes, ``--count 200000 --rounds 10``
about 9 minutes (seeding and the two rebuilds dominate); several times that on a loaded machine.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20000, help="structures to seed (default 20000)")
    parser.add_argument("--rounds", type=int, default=20, help="timed runs of each query per backend (default 20)")
    parser.add_argument("--database", help="throwaway PostgreSQL URL (default: a temporary SQLite file)")
    parser.add_argument("--engine", default=os.environ.get("ELASTICSEARCH_URL") or "http://127.0.0.1:9200")
    parser.add_argument(
        "--prefix",
        default=f"bench_{os.getpid()}",
        help="index prefix of this run, dropped afterwards (default bench_<pid>: concurrent runs never share one)",
    )
    parser.add_argument("--sqlite", help="SQLite file to use (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file and the index afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time what an earlier --keep run seeded and indexed (same --sqlite or --database, same --prefix)",
    )
    return parser.parse_args()


def setup_django(args) -> str | None:
    sqlite_path = None
    if args.database:
        os.environ["DATABASE_URL"] = args.database
    else:
        sqlite_path = Path(args.sqlite or Path(tempfile.mkdtemp(prefix="lagrappe-bench-")) / "bench.sqlite3")
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_path}"
    os.environ["ELASTICSEARCH_URL"] = args.engine
    os.environ["SEARCH_INDEX_PREFIX"] = args.prefix
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagrappe.settings.dev")
    os.environ["CONN_MAX_AGE"] = "600"
    import django

    django.setup()
    if args.database and not args.reuse:
        from django.db import connection

        # Fresh tables on the given (throwaway!) PostgreSQL database.
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    return str(sqlite_path) if sqlite_path else None


def queries():
    from search.types import GeoPoint, SearchQuery

    lille = GeoPoint(50.6292, 3.0573, 10)
    return {
        "listing (facets only)": SearchQuery(),
        "one word": SearchQuery(text="energie"),
        "two words + city": SearchQuery(text="menuiserie lille"),
        "synonym": SearchQuery(text="panneaux solaires"),
        "typo": SearchQuery(text="comptabilté"),
        "prefix": SearchQuery(text="compost"),
        "word + 2 filters": SearchQuery(text="conseil", categories=["collectif"], memberships=["cluster"]),
        "geo 10 km by distance": SearchQuery(near=lille, sort="distance"),
        "word + geo + name sort": SearchQuery(text="alimentation", near=lille, sort="name"),
        "page 5": SearchQuery(text="projet", page=5),
    }


# directorySearch with what a partner's results page shows: highlights, distance, cards, facets.
GRAPHQL_SEARCH = """query Search($q: String, $categories: [String!], $memberships: [String!], $near: GeoPointInput,
  $sort: DirectorySort, $page: Int) {
  directorySearch(query: $q, categories: $categories, memberships: $memberships, near: $near, sort: $sort, page: $page) {
    total engine degraded suggestion
    hits { score distanceKm highlights { field fragments }
           structure { slug name city categoryLabel summary url memberships { slug name } } }
    facets { categories { value label count } memberships { value label count } skills { value label count }
             sectors { value label count } cities { value label count } }
  }
}"""


def graphql_variables(query) -> dict:
    near = query.near
    return {
        "q": query.text,
        "categories": query.categories or None,
        "memberships": query.memberships or None,
        "near": {"latitude": near.latitude, "longitude": near.longitude, "radiusKm": near.radius_km} if near else None,
        "sort": query.sort.upper(),
        "page": query.page,
    }


def graphql_client():
    """Django's test Client in this process (no network, as the service calls): the GraphQL stack alone."""
    from django.conf import settings
    from django.test import Client

    settings.GRAPHQL_RATE_LIMIT_ANONYMOUS = 10**9  # the benchmark measures the stack, not the limiter
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()

    def post(document, variables=None, label="{ __typename }"):
        response = client.post(
            "/graphql/", {"query": document, "variables": variables or {}}, content_type="application/json"
        )
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            sys.exit(f"FAIL : GraphQL « {label} » : {response.status_code} {str(body)[:300]}")
        answered = body["data"].get("directorySearch")
        if answered is not None and (answered["engine"] == "database" or answered["degraded"]):
            sys.exit(
                f"FAIL : GraphQL « {label} » servie par la base de données ou dégradée : aucun chiffre moteur publié"
            )

    return post


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def timed_together(calls: dict, rounds: int) -> dict[str, list[float]]:
    """Each call timed ``rounds`` times, one of each per round, after two warm rounds: name -> samples (ms)."""
    samples = {name: [] for name in calls}
    for round_ in range(rounds + 2):
        for name, fn in calls.items():
            start = time.perf_counter()
            fn()
            if round_ >= 2:  # warm: caches, connections, JIT of the engine
                samples[name].append((time.perf_counter() - start) * 1000)
    return samples


def engine_call(query, label):
    """One timed search through the service, refused if it was not the engine's answer."""
    from search.service import search_structures

    answered = search_structures(query)
    if answered.engine == "database" or answered.degraded:
        # A figure from the database fallback (or a degraded call) is not an engine figure.
        sys.exit(f"FAIL : « {label} » a été servie par la base de données ou dégradée : aucun chiffre moteur publié")
    return answered


def database_call(query, label):
    """One timed search through the service with no engine configured, as a site without one answers.

    The service, not ``search.database`` directly: the engine side is timed through
    the service too, so both get the same listing cache and the same checks.
    """
    from django.test import override_settings

    from search.service import search_structures

    with override_settings(ELASTICSEARCH_URL=""):
        answered = search_structures(query)
    if answered.engine != "database" or answered.degraded:
        sys.exit(f"FAIL : « {label} » sans moteur n'a pas été servie normalement par la base de données")
    return answered


def verdict(name, measured, limit, unit="×", lower_is_better=True):
    ok = measured <= limit if lower_is_better else measured >= limit
    sign = "≤" if lower_is_better else "≥"
    print(f"  {'PASS' if ok else 'FAIL'}  {name} : {measured:.2f}{unit} (cible {sign} {limit}{unit})")
    return {"target": name, "measured": round(measured, 3), "limit": limit, "unit": unit, "pass": ok}


def main():
    args = parse_args()
    try:
        run(args)
    finally:
        if not args.keep:
            teardown(args)


def teardown(args):
    from search.engine import get_backend

    backend = get_backend()
    if backend is not None:
        # Only this run's alias and its versioned indexes (by name): never another prefix.
        backend.drop_all()
        # Wagtail's own page search indexes of this prefix (settings: INDEX_PREFIX), by name.
        wagtail = f"{args.prefix}_wagtail_"
        found = backend.request("GET", f"/{wagtail}*", params={"filter_path": "*.settings.index.uuid"}, ignore=(404,))
        names = sorted(name for name in (found or {}) if name.startswith(wagtail))
        if names:
            backend.request("DELETE", "/" + ",".join(names), ignore=(404,))
    if getattr(args, "sqlite_path", None) and os.path.exists(args.sqlite_path):
        os.unlink(args.sqlite_path)


def run(args):
    sqlite_path = setup_django(args)
    args.sqlite_path = sqlite_path
    from django.core.management import call_command
    from django.db import connection

    from directory.models import Structure
    from search.engine import get_backend
    from search.management.commands.search_index import Command as SearchIndexCommand
    from search.models import StructureSearchDocument
    from search.service import search_structures

    print(f"Base : {connection.vendor} ({sqlite_path or args.database}) — moteur : {args.engine}", flush=True)
    call_command("migrate", verbosity=0)
    seeded = Structure.objects.count()
    reused = args.reuse and seeded == args.count and StructureSearchDocument.objects.exists()
    seed_seconds = db_seconds = None
    if reused:
        db_docs = StructureSearchDocument.objects.count()
        print(f"Réutilisé : {seeded} structures, {db_docs} documents (ni seed ni reconstruction)", flush=True)
    else:
        if args.reuse and seeded:
            sys.exit(f"--reuse : {seeded} structures trouvées pour {args.count} demandées (sans documents ?)")
        started = time.monotonic()
        call_command("seed_directory", "--count", str(args.count))
        seed_seconds = time.monotonic() - started
    published = Structure.objects.public().count()
    if not reused:
        print(f"Seed : {args.count} structures ({published} publiées) en {seed_seconds:.1f} s", flush=True)
        started = time.monotonic()
        db_docs = SearchIndexCommand().rebuild_database(progress=True)
        db_seconds = time.monotonic() - started
    backend = get_backend()
    print(
        f"Moteur : {backend.server_version()}, profil d’analyse {backend.profile.name} ({backend.profile_reason})",
        flush=True,
    )
    indexed = int((backend.request("GET", f"/{backend.alias}/_count", ignore=(404,)) or {}).get("count", 0))
    engine_report = None
    if reused and indexed == db_docs:
        print(f"Réutilisé : index {backend.alias}, {indexed} documents", flush=True)
    else:
        engine_report = backend.rebuild(progress=True)
        phases = engine_report["phases"]
        print(
            f"Rebuild moteur : {engine_report['documents']} docs en {engine_report['seconds']:.1f} s "
            f"({engine_report['docs_per_second']:.0f} docs/s) — index créé à {phases['create']:.1f} s, "
            f"chargement {phases['load']:.1f} s, refresh final {phases['refresh']:.1f} s, "
            f"bascule {phases['swap']:.1f} s, rejeu {phases['replay']:.1f} s, "
            f"sursis de l’ancien index {phases['grace']:.1f} s",
            flush=True,
        )
    if db_seconds is not None:
        print(f"Rebuild base : {db_docs} docs en {db_seconds:.1f} s ({db_docs / db_seconds:.0f} docs/s)", flush=True)

    if connection.vendor == "postgresql":
        # Queries are timed in the steady state autovacuum reaches on its own a little
        # later: statistics and visibility maps of the freshly seeded and rebuilt tables
        # (without it, autovacuum wakes up inside the timed rounds, and index-only scans
        # read the heap of pages not yet marked all-visible).
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        print(f"VACUUM (ANALYZE) de la base : {time.monotonic() - started:.1f} s", flush=True)

    rows = []
    all_samples = {"engine": [], "database": [], "raw": [], "graphql": [], "floor": []}
    post = graphql_client()
    for label, query in queries().items():
        query.validate()
        answered = search_structures(query)
        if answered.engine == "database" or answered.degraded:
            # A figure from the database fallback is not an engine figure.
            sys.exit(f"FAIL : « {label} » a été servie par la base de données, pas par le moteur")
        # The very request the service sends (body and query string, request cache included).
        body, params, _ = backend.search_request(query)
        variables = graphql_variables(query)
        # Interleaved round by round: on a shared machine the load moves, and the ratios compare
        # calls made side by side, not minutes apart.
        samples = timed_together(
            {
                "engine": lambda q=query, label=label: engine_call(q, label),
                # What a visitor gets with no engine: the same service, listing cache included.
                "database": lambda q=query, label=label: database_call(q, label),
                "raw": lambda b=body, p=params: backend.request("POST", f"/{backend.alias}/_search", body=b, params=p),
                # GraphQL directorySearch, and the floor of any GraphQL request.
                "graphql": lambda v=variables, label=label: post(GRAPHQL_SEARCH, v, label),
                "floor": lambda: post("{ __typename }"),
            },
            args.rounds,
        )
        totals = (search_structures(query).total, database_call(query, label).total)
        row = {"query": label, "total_engine": totals[0], "total_database": totals[1]}
        for name, values in samples.items():
            row[f"{name}_p50_ms"] = round(percentile(values, 50), 1)
            row[f"{name}_p95_ms"] = round(percentile(values, 95), 1)
            all_samples[name].extend(values)
        rows.append(row)
        print(".", end="", flush=True)
    print()
    floor = (round(percentile(all_samples["floor"], 50), 1), round(percentile(all_samples["floor"], 95), 1))
    graphql_overall = (
        round(percentile(all_samples["graphql"], 50), 1),
        round(percentile(all_samples["graphql"], 95), 1),
    )
    print(
        f"GraphQL directorySearch p50/p95 : {graphql_overall[0]}/{graphql_overall[1]} ms — "
        f"{{ __typename }} : {floor[0]}/{floor[1]} ms"
    )

    header = f"{'requête':<26}{'résultats m/b':>15}{'moteur p50/p95':>18}{'base p50/p95':>18}{'brut p50/p95':>18}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['query']:<26}{row['total_engine']:>7}/{row['total_database']:<7}"
            f"{row['engine_p50_ms']:>9.1f}/{row['engine_p95_ms']:<8.1f}"
            f"{row['database_p50_ms']:>9.1f}/{row['database_p95_ms']:<8.1f}"
            f"{row['raw_p50_ms']:>9.1f}/{row['raw_p95_ms']:<8.1f}"
        )
    overall = {name: (round(percentile(s, 50), 1), round(percentile(s, 95), 1)) for name, s in all_samples.items()}
    print("-" * len(header))
    print(
        f"{'ensemble (ms)':<41}{overall['engine'][0]:>9.1f}/{overall['engine'][1]:<8.1f}"
        f"{overall['database'][0]:>9.1f}/{overall['database'][1]:<8.1f}{overall['raw'][0]:>9.1f}/{overall['raw'][1]:<8.1f}"
    )

    print("Cibles (rapports mesurés dans cette même exécution) :")
    listing = rows[0]
    targets = [
        verdict("moteur p95 / requête brute p95 (toutes requêtes)", overall["engine"][1] / overall["raw"][1], 1.3),
        verdict("moteur p95 / requête brute p95 (listing vide)", listing["engine_p95_ms"] / listing["raw_p95_ms"], 1.3),
        verdict("repli base p95 / moteur p95 (toutes requêtes)", overall["database"][1] / overall["engine"][1], 3),
        verdict("repli base p95 / moteur p95 (listing vide)", listing["database_p95_ms"] / listing["engine_p95_ms"], 3),
        verdict(
            "GraphQL directorySearch p95 / (moteur p95 + { __typename } p95)",
            graphql_overall[1] / (overall["engine"][1] + floor[1]),
            1.2,
        ),
    ]
    # Rebuild rates only when this run rebuilt (not with --reuse).
    if db_seconds is not None:
        targets.append(verdict("reconstruction base", db_docs / db_seconds, 3000, " docs/s", lower_is_better=False))
    if engine_report is not None:
        targets.append(
            verdict("reconstruction moteur", engine_report["docs_per_second"], 3000, " docs/s", lower_is_better=False)
        )

    result = {
        "date": datetime.now().isoformat(timespec="seconds"),
        "count": args.count,
        "published": published,
        "database": connection.vendor,
        "engine": backend.server_version(),
        "profile": backend.profile.name,
        "rounds": args.rounds,
        "reused": reused,
        "seed_seconds": None if seed_seconds is None else round(seed_seconds, 1),
        "rebuild_database": None
        if db_seconds is None
        else {"documents": db_docs, "seconds": round(db_seconds, 1), "docs_per_second": round(db_docs / db_seconds)},
        "rebuild_engine": None
        if engine_report is None
        else {k: (round(v, 1) if isinstance(v, float) else v) for k, v in engine_report.items()},
        "queries": rows,
        "overall_ms": {name: {"p50": v[0], "p95": v[1]} for name, v in overall.items()},
        "graphql_ms": {"p50": graphql_overall[0], "p95": graphql_overall[1]},
        "typename_floor_ms": {"p50": floor[0], "p95": floor[1]},
        "targets": targets,
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"search-{connection.vendor}-{args.count}-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"JSON : {out}")


if __name__ == "__main__":
    main()
