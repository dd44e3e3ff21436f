"""HTTP benchmark: the visitor's directory and GraphQL under a real application server.

Usage (documented in README.md and docs/search.md):

    .venv/bin/python bench/http_bench.py --structures 20000 --requests 200 \\
        --database postgres://lagrappe:lagrappe@127.0.0.1:5433/lagrappe_http_bench   # a throwaway database
    ELASTICSEARCH_URL=http://127.0.0.1:9200 .venv/bin/python bench/http_bench.py …      # hits from the engine

What it does, as an operator would run the site: production settings, a fresh
database (the one ``--database`` names is dropped and created again; a
temporary SQLite file by default), ``migrate``, the demo, ``seed_directory
--count N``, ``search_index rebuild``, ``collectstatic``, then gunicorn with
``lagrappe/gunicorn.py`` and 2 workers (WEB_CONCURRENCY=2): ``lagrappe.launch``,
the same launcher as the production smoke test (tests/deploy). With
ELASTICSEARCH_URL set, the index lives under its own prefix
(``httppath_httpbench_<pid>``) and only that prefix's indexes are deleted at
the end.

It measures, warm, from 2 client threads, p50/p95 latency and SQL queries per
request for:

  page         GET /annuaire/?q=…            the HTML page a visitor loads
  fragment     GET /annuaire/?q=… with X-Directory-Fragment: 1 (and X-Directory-Log: 0), fetched while typing
  suggestions  GET /annuaire/suggestions/?q=…
  graphql      POST /graphql/ directorySearch with facets and nested skills/sectors/people, with a partner key
  floor        POST /graphql/ { __typename }, with the same key (what any GraphQL request costs)

and, in a separate process on the same database, ``search.service.search_structures``
for the same texts (the service call GraphQL's target is stated against).

SQL per request is counted inside the server: gunicorn runs this module's
``application``, which wraps the project's WSGI application and returns the
count in response headers (``X-Bench-SQL``; ``X-Bench-SQL-Cache`` for the
queries on the database cache table: without REDIS_URL, production's cache
*is* the database, and each cache read is a query a Redis deployment would not
make). Targets are checked on the application's own queries; the cache's are
printed beside them.

The partner key (Authorization: Bearer) and GRAPHQL_RATE_LIMIT_KEY raised for
the run keep the rate limit out of the figures. Results are printed with each
target's PASS/FAIL and written to bench/results/http-<vendor>-<count>-<time>.json
(ignored by git).
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lagrappe import launch  # noqa: E402  (the project's root is on the path from here)

TERMS = ["menuiserie", "solaire", "comptable", "compostage", "lille", "renovation energetique", "graphiste", "ess"]
PREFIXES = ["men", "sol", "comp", "lil", "reno", "grap", "ess", "ebe"]
SEARCH_QUERY = """query Search($q: String) { directorySearch(query: $q, perPage: 20) {
  total engine
  hits { score structure { slug name city categoryLabel skills { slug name } sectors { slug name }
         people { fullName skills { slug } } } }
  facets { categories { value label count } memberships { value label count } skills { value label count }
           sectors { value label count } cities { value label count } }
} }"""
FLOOR_QUERY = "{ __typename }"
TARGETS = {"page_sql": 8, "graphql_sql": 6, "graphql_over_service_and_floor": 1.2}

# Run by `manage.py shell` in the server's environment: a partner key (printed once, like the admin shows it).
CREATE_KEY = """
from api.models import PartnerKey
key = PartnerKey(name="Banc HTTP")
raw = key.set_new_key()
key.save()
print("KEY", raw)
"""

# Run by `manage.py shell` in the server's environment: the service alone, same texts, warm.
SERVICE_TIMING = """
import json, statistics, time
from search import service
from search.types import SearchQuery
terms, rounds = json.loads(%r), %d
for term in terms:
    service.search_structures(SearchQuery(text=term))
times, engines = [], set()
for n in range(rounds):
    term = terms[n %% len(terms)]
    start = time.perf_counter()
    result = service.search_structures(SearchQuery(text=term))
    times.append((time.perf_counter() - start) * 1000)
    engines.add(result.engine + (" (dégradé)" if result.degraded else ""))
print("SERVICE", json.dumps({"times": times, "engines": sorted(engines)}))
"""


# ---------------------------------------------------------------------- inside gunicorn
_django_application = None


def application(environ, start_response):
    """The project's WSGI application, with the SQL it ran in the response headers (bench only)."""
    global _django_application
    if _django_application is None:
        from lagrappe.wsgi import application as django_application

        _django_application = django_application
    from django.db import connection

    counts = {"sql": 0, "cache": 0}

    def count(execute, sql, params, many, context):
        counts["sql"] += 1
        if "lagrappe_cache" in sql:
            counts["cache"] += 1
        return execute(sql, params, many, context)

    def start(status, headers, exc_info=None):
        headers = [*headers, ("X-Bench-SQL", str(counts["sql"])), ("X-Bench-SQL-Cache", str(counts["cache"]))]
        return start_response(status, headers, exc_info)

    with connection.execute_wrapper(count):
        return _django_application(environ, start)


# ---------------------------------------------------------------------- the driver
class Server:
    def __init__(self, port: int):
        self.port = port

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        start = time.perf_counter()
        connection.request(method, path, body=body, headers={**launch.PROXY_HEADERS, **(headers or {})})
        response = connection.getresponse()
        content = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        connection.close()
        sql = int(response.getheader("X-Bench-SQL", "-1"))
        cache = int(response.getheader("X-Bench-SQL-Cache", "-1"))
        return response.status, content, elapsed, sql, cache


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def measure(server: Server, name: str, make_request, requests: int, threads: int, warmup: int) -> dict:
    """``make_request(n)`` -> (method, path, body, headers); timed from ``threads`` clients at once."""
    for n in range(warmup):
        status, content, *_ = server.request(*make_request(n))
        if status != 200:
            raise SystemExit(f"{name}: HTTP {status} during warm-up: {content[:500]!r}")
    rows, errors, lock = [], [], threading.Lock()

    def client(offset):
        for n in range(offset, requests, threads):
            status, content, elapsed, sql, cache = server.request(*make_request(n))
            with lock:
                if status != 200 or (name.startswith("graphql") and b'"errors"' in content):
                    errors.append((status, content[:300]))
                rows.append((elapsed, sql, cache, content))

    workers = [threading.Thread(target=client, args=(t,)) for t in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{name}: {len(errors)} failed request(s), first: {errors[0]}")
    times = [r[0] for r in rows]
    app_sql = [r[1] - r[2] for r in rows]
    cache_sql = [r[2] for r in rows]
    return {
        "requests": len(rows),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "requests_per_s": round(len(rows) / wall, 1),
        "sql_min": min(app_sql),
        "sql_max": max(app_sql),
        "cache_sql_max": max(cache_sql),
        "_bodies": [r[3] for r in rows[:3]],
    }


def page_request(path):
    def make(n):
        return "GET", f"{path}?{urllib.parse.urlencode({'q': TERMS[n % len(TERMS)]})}", None, {}

    return make


def fragment_request(path):
    def make(n):
        query = urllib.parse.urlencode({"q": TERMS[n % len(TERMS)]})
        return "GET", f"{path}?{query}", None, {"X-Directory-Fragment": "1", "X-Directory-Log": "0"}

    return make


def suggestions_request(n):
    return "GET", f"/annuaire/suggestions/?{urllib.parse.urlencode({'q': PREFIXES[n % len(PREFIXES)]})}", None, {}


def graphql_request(key, query, with_variables):
    def make(n):
        body = {"query": query}
        if with_variables:
            body["variables"] = {"q": TERMS[n % len(TERMS)]}
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        return "POST", "/graphql/", json.dumps(body), headers

    return make


def run_plan(server: Server, key: str, args) -> tuple[dict, set]:
    """Each endpoint timed in turn; (results, engines that answered GraphQL)."""
    status, content, *_ = server.request("GET", "/annuaire/")
    if status != 200:
        raise SystemExit(f"/annuaire/ answered {status}: the demo has no directory page there")
    page = "/annuaire/"
    results = {}
    plan = [
        ("page", page_request(page)),
        ("fragment", fragment_request(page)),
        ("suggestions", suggestions_request),
        ("graphql", graphql_request(key, SEARCH_QUERY, True)),
        ("floor", graphql_request(key, FLOOR_QUERY, False)),
    ]
    for name, make in plan:
        print(f"· {name}", flush=True)
        results[name] = measure(server, name, make, args.requests, args.threads, args.warmup)
    engines = {json.loads(body)["data"]["directorySearch"]["engine"] for body in results["graphql"]["_bodies"]}
    return results, engines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--structures", type=int, default=20000, help="structures to seed (default 20000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint (default 200)")
    parser.add_argument("--threads", type=int, default=2, help="concurrent clients (default 2, one per worker)")
    parser.add_argument("--warmup", type=int, default=16, help="untimed requests per endpoint first (default 16)")
    parser.add_argument("--database", help="throwaway PostgreSQL URL, dropped and created again (default: SQLite)")
    parser.add_argument("--keep", action="store_true", help="keep the database and the index afterwards")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="http-bench-"))
    database_url, drop_database = launch.fresh_database(args.database, tmp)
    engine_url = os.environ.get("ELASTICSEARCH_URL") or ""
    prefix = f"httppath_httpbench_{os.getpid()}"
    env = launch.production_env(
        tmp,
        database_url,
        launch.free_port(),
        prefix,
        GRAPHQL_RATE_LIMIT_KEY="1000000",  # the partner key's limit, raised: the rate limit is not what we measure
        PYTHONPATH=os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),  # gunicorn imports http_bench:application
    )
    started = time.monotonic()
    try:
        more = [("seed_directory", "--count", str(args.structures)), ("search_index", "rebuild", "--no-progress")]
        launch.prepare(env, *more, timeout=7200, verbose=True)
        key = next(
            line.split(" ", 1)[1]
            for line in launch.manage(env, "shell", "--command", CREATE_KEY).splitlines()
            if line.startswith("KEY ")
        )
        setup_seconds = time.monotonic() - started
        print("· gunicorn -c lagrappe/gunicorn.py http_bench:application (2 workers)", flush=True)
        with launch.Gunicorn(env, tmp / "gunicorn.log", app="http_bench:application"):
            results, engines = run_plan(Server(int(env["PORT"])), key, args)
        service_output = launch.manage(env, "shell", "--command", SERVICE_TIMING % (json.dumps(TERMS), args.requests))
        service = json.loads(next(line[8:] for line in service_output.splitlines() if line.startswith("SERVICE ")))
        results["service"] = {
            "requests": len(service["times"]),
            "p50_ms": round(statistics.median(service["times"]), 1),
            "p95_ms": round(percentile(service["times"], 95), 1),
            "engines": service["engines"],
        }
    finally:
        if not args.keep:
            if engine_url:
                launch.drop_engine_indexes(engine_url, prefix)
            drop_database()

    vendor = "postgresql" if database_url.startswith("postgres") else "sqlite"
    expected_engine = "database" if not engine_url else None
    if expected_engine and engines != {"database"}:
        raise SystemExit(f"expected the database backend, GraphQL answered from {engines}")
    if engine_url and "database" in engines | set(results["service"]["engines"]):
        raise SystemExit(f"ELASTICSEARCH_URL is set but searches were answered by {engines}: not an engine figure")
    floor, graphql, service = results["floor"], results["graphql"], results["service"]
    ratio = graphql["p95_ms"] / (service["p95_ms"] + floor["p95_ms"])
    checks = [
        ("page : requêtes SQL par requête", results["page"]["sql_max"], TARGETS["page_sql"], "≤"),
        ("fragment : requêtes SQL par requête", results["fragment"]["sql_max"], TARGETS["page_sql"], "≤"),
        ("suggestions : SQL constant d’un préfixe à l’autre", results["suggestions"]["sql_max"],
         results["suggestions"]["sql_min"], "="),
        ("GraphQL directorySearch : requêtes SQL", graphql["sql_max"], TARGETS["graphql_sql"], "≤"),
        ("GraphQL p95 / (service p95 + plancher p95)", round(ratio, 2), TARGETS["graphql_over_service_and_floor"], "≤"),
    ]  # fmt: skip

    print()
    print(f"HTTP, gunicorn 2 workers, {args.threads} clients, {vendor}, {args.structures} structures, "
          f"moteur : {', '.join(sorted(engines))}, {args.requests} requêtes par point")  # fmt: skip
    print(f"{'point':<12} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} {'SQL app':>8} {'SQL cache':>10}")
    print("-" * 58)
    for name in ["page", "fragment", "suggestions", "graphql", "floor"]:
        r = results[name]
        sql = f"{r['sql_min']}" if r["sql_min"] == r["sql_max"] else f"{r['sql_min']}–{r['sql_max']}"
        print(
            f"{name:<12} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['requests_per_s']:>7} {sql:>8} {r['cache_sql_max']:>10}"
        )
    print(f"{'service':<12} {service['p50_ms']:>8} {service['p95_ms']:>8}   (in-process, same texts, no HTTP)")
    print("Cibles (issue 10) :")
    verdicts = []
    for label, measured, target, op in checks:
        ok = measured <= target if op == "≤" else measured == target
        verdicts.append({"target": label, "measured": measured, "limit": f"{op} {target}", "pass": ok})
        print(f"  {'PASS' if ok else 'FAIL'}  {label} : {measured} (cible {op} {target})")
    print("SQL app : requêtes de l’application ; SQL cache : lectures du cache en base (sans REDIS_URL), hors cibles.")

    for r in results.values():
        r.pop("_bodies", None)
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"http-{vendor}-{args.structures}-{datetime.now():%Y%m%d-%H%M%S}.json"
    report = {
        "command": " ".join(sys.argv),
        "database": vendor,
        "engines": sorted(engines),
        "structures": args.structures,
        "threads": args.threads,
        "setup_seconds": round(setup_seconds),
        "results": results,
        "targets": verdicts,
    }
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"JSON : {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
