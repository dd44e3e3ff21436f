"""What the GraphQL layer itself costs per search: CPU time, the search service answered from memory.

    .venv/bin/python bench/graphql_layer_bench.py --database postgres://…/bench_x --prefix bench_x [--rounds 20]

Runs on what ``bench/search_bench.py --keep`` left (the same ``--database`` or
``--sqlite`` and ``--prefix``): each of search_bench's ten queries is searched once
through the service, then its answer is given back from memory, so that each
``directorySearch`` through ``/graphql/`` (Django's test client, search_bench's
document: highlights, distance, cards, five facets) times the GraphQL layer and
Django alone, beside ``{ __typename }``, the floor of any GraphQL request.

CPU time (``time.process_time``) rather than wall time: on a machine shared with
other work, the wall time of a call grows with the load, its CPU time much less.
The layer's own cost is ``directorySearch`` less the floor; it does not depend on
the number of structures (a page of 20 hits and its facets whatever the count).
SQL per search is counted too (0: the service's own queries are not made).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="PostgreSQL URL of a search_bench --keep run")
    parser.add_argument("--sqlite", help="SQLite file of a search_bench --keep run")
    parser.add_argument("--prefix", required=True, help="index prefix of that run")
    parser.add_argument("--engine", default=os.environ.get("ELASTICSEARCH_URL") or "http://127.0.0.1:9200")
    parser.add_argument("--rounds", type=int, default=20, help="timed calls of each query (default 20)")
    return parser.parse_args()


def percentile(values, p):
    values = sorted(values)
    return values[round((len(values) - 1) * p / 100)]


def main():
    args = parse_args()
    if not (args.database or args.sqlite):
        sys.exit("--database ou --sqlite : la base d’une exécution de search_bench.py --keep")
    os.environ["DATABASE_URL"] = args.database or f"sqlite:///{args.sqlite}"
    os.environ["ELASTICSEARCH_URL"] = args.engine
    os.environ["SEARCH_INDEX_PREFIX"] = args.prefix
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagrappe.settings.dev")
    os.environ["CONN_MAX_AGE"] = "600"
    import django

    django.setup()
    import search_bench
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from search import service

    searched = {}
    search_structures = service.search_structures

    def from_memory(query):
        key = repr(query)
        if key not in searched:
            answered = searched[key] = search_structures(query)
            if answered.engine == "database" or answered.degraded:
                sys.exit("FAIL : le moteur n’a pas répondu (index absent ? lancez search_bench.py --keep)")
        return searched[key]

    # The resolver reads ``service.search_structures`` from the module at each call.
    service.search_structures = from_memory
    post = search_bench.graphql_client()
    calls = [(label, search_bench.graphql_variables(query)) for label, query in search_bench.queries().items()]
    for label, variables in calls:  # warm: the service's answers, parsed documents, caches
        post(search_bench.GRAPHQL_SEARCH, variables, label)
        post("{ __typename }")
    with CaptureQueriesContext(connection) as captured:
        post(search_bench.GRAPHQL_SEARCH, calls[1][1], calls[1][0])
    search_cpu, floor_cpu = [], []
    for _ in range(args.rounds):
        for label, variables in calls:
            started = time.process_time()
            post(search_bench.GRAPHQL_SEARCH, variables, label)
            search_cpu.append((time.process_time() - started) * 1000)
            started = time.process_time()
            post("{ __typename }")
            floor_cpu.append((time.process_time() - started) * 1000)
    mean = sum(search_cpu) / len(search_cpu)
    floor_mean = sum(floor_cpu) / len(floor_cpu)
    print(f"{len(search_cpu)} appels de chaque, charge {os.getloadavg()[0]:.1f} — temps CPU par appel (ms) :")
    print(
        f"  directorySearch : p50 {percentile(search_cpu, 50):.2f}, p95 {percentile(search_cpu, 95):.2f}, "
        f"moyenne {mean:.2f} ; SQL {len(captured)}"
    )
    print(f"  {{ __typename }} : p50 {percentile(floor_cpu, 50):.2f}, moyenne {floor_mean:.2f}")
    print(f"  couche GraphQL au-delà du plancher (moyennes) : {mean - floor_mean:.2f}")


if __name__ == "__main__":
    main()
