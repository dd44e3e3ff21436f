"""HTTP benchmark: the visitor's directory and GraphQL under a real application server.

Usage (documented in README.md and docs/search.md):

    ELASTICSEARCH_URL=http://127.0.0.1:9200 .venv/bin/python bench/http_bench.py --structures 20000 \
        --database postgres://lagrappe:lagrappe@127.0.0.1:5433/bench_http20 --prefix bench_http20 --keep
    ELASTICSEARCH_URL=http://127.0.0.1:9200 .venv/bin/python bench/http_bench.py --structures 20000 \
        --database postgres://lagrappe:lagrappe@127.0.0.1:5433/bench_http20 --prefix bench_http20 --reuse

What it does, as an operator would run the site: production settings, a fresh
database (the one ``--database`` names is dropped and created again; a
temporary SQLite file by default), ``migrate``, the demo, ``seed_directory
--count N``, ``search_index rebuild``, ``collectstatic``, then gunicorn with
``lagrappe/gunicorn.py`` and 2 workers (WEB_CONCURRENCY=2): ``lagrappe.launch``,
the same launcher as the production smoke test (tests/deploy). With
ELASTICSEARCH_URL set, the index lives under its own prefix (``--prefix``,
``httppath_httpbench_<pid>`` by default) and only that prefix's indexes are
deleted at the end. That preparation takes some 15 minutes at 20,000 structures
on a loaded 2-core machine: ``--keep`` keeps the database and the index, and
``--reuse`` measures them again (same ``--database``, ``--structures`` and
``--prefix``; the database and index are kept): migrations and static files are
brought up to date, the cache emptied, nothing seeded, the index rebuilt only
when it is missing or short; a few minutes in all.

It measures, warm, from 2 client threads, p50/p95 latency and SQL queries per
request for:

  page         GET /annuaire/?q=…            the HTML page a visitor loads
  fragment     GET /annuaire/?q=… with X-Directory-Fragment: 1 (and X-Directory-Log: 0), fetched while typing
  suggestions  GET /annuaire/suggestions/?q=…
  graphql      POST /graphql/ directorySearch with facets and nested skills/sectors/people, with a partner key
  service      ``search.service.search_structures`` for the same texts and arguments, timed inside a worker
  floor        POST /graphql/ { __typename }, with the same key (what any GraphQL request costs)

The page, the fragment and the suggestions are timed one after the other; GraphQL,
the service and the floor, the three terms of GraphQL's target, are interleaved
request by request from the same clients, so that they share the same load: the
service is called through a bench-only path of this module's ``application``
(``SERVICE_PATH``, never in the project's URLs) with the ``SearchQuery`` that
``directorySearch(query: $q, perPage: 20)`` builds, and its figure is the call's own
time in the worker (its time over HTTP is printed beside it). Before each group,
untimed rounds run until each gunicorn worker has served each kind of request (a
sync worker left idle would be measured cold), and no worker is recycled during a run
(GUNICORN_MAX_REQUESTS raised).

SQL per request is counted inside the server: gunicorn runs this module's
``application``, which wraps the project's WSGI application and returns the
count in response headers (``X-Bench-SQL``; ``X-Bench-SQL-Cache`` for the
queries on the database cache table: without REDIS_URL, production's cache
*is* the database, and each cache read is a query a Redis deployment would not
make). Targets are checked on the application's own queries; the cache's are
printed beside them.

The partner key (Authorization: Bearer) and GRAPHQL_RATE_LIMIT_KEY raised for
the run keep the rate limit out of the figures (it is still counted on every
GraphQL request, floor included). A search answered by the database or degraded
while ELASTICSEARCH_URL is set stops the run: it would not be an engine figure.
Results are printed with each target's PASS/FAIL and written to
bench/results/http-<vendor>-<count>-<time>.json (ignored by git).
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
  total engine degraded
  hits { score structure { slug name city categoryLabel skills { slug name } sectors { slug name }
         people { fullName skills { slug } } } }
  facets { categories { value label count } memberships { value label count } skills { value label count }
           sectors { value label count } cities { value label count } }
} }"""
FLOOR_QUERY = "{ __typename }"
TARGETS = {"page_sql": 8, "graphql_sql": 6, "graphql_over_service_and_floor": 1.2}

# Run by `manage.py shell` in the server's environment: a partner key (printed once, like the admin shows it);
# an earlier run's key (--reuse) is deleted first.
CREATE_KEY = """
from api.models import PartnerKey
PartnerKey.objects.filter(name="Banc HTTP").delete()
key = PartnerKey(name="Banc HTTP")
raw = key.set_new_key()
key.save()
print("KEY", raw)
"""

# Run by `manage.py shell` in the server's environment (--reuse): what an earlier --keep run left, the
# cache emptied (another run's entries, pickled by other code), and the engine's count when there is one.
STATE = """
import json
from django.core.cache import cache
from directory.models import Structure
from search.engine import get_backend
from search.models import StructureSearchDocument
cache.clear()
backend = get_backend()
indexed = None
if backend is not None:
    indexed = int((backend.request("GET", f"/{backend.alias}/_count", ignore=(404,)) or {}).get("count", 0))
print("STATE", json.dumps({"structures": Structure.objects.count(), "documents": StructureSearchDocument.objects.count(),
                           "indexed": indexed}))
"""

# ---------------------------------------------------------------------- inside gunicorn
SERVICE_PATH = "/__bench__/service"
_django_application = None


def application(environ, start_response):
    """The project's WSGI application, with the SQL it ran in the response headers (bench only).

    ``SERVICE_PATH?q=…`` (bench only, never in the project's URLs) times the search service
    in this worker for the arguments GraphQL's ``directorySearch(query: $q, perPage: 20)``
    gives it (``build_search_query``), so that the service is measured beside GraphQL, in the
    same workers, under the same concurrency: its time is the call's own (``X-Bench-Service-Ms``).
    """
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

    def bench_headers():
        return [
            ("X-Bench-SQL", str(counts["sql"])),
            ("X-Bench-SQL-Cache", str(counts["cache"])),
            ("X-Bench-Worker", str(os.getpid())),
        ]

    def start(status, headers, exc_info=None):
        return start_response(status, [*headers, *bench_headers()], exc_info)

    with connection.execute_wrapper(count):
        if environ.get("PATH_INFO") == SERVICE_PATH:
            return service_call(environ, start_response, bench_headers)
        return _django_application(environ, start)


def service_call(environ, start_response, bench_headers):
    from api.graphql.directory.filters import build_search_query
    from search import service

    text = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("q", [""])[0]
    started = time.perf_counter()
    result = service.search_structures(build_search_query(query=text, per_page=20))
    elapsed = (time.perf_counter() - started) * 1000
    body = json.dumps({"engine": result.engine, "degraded": result.degraded, "total": result.total}).encode()
    headers = [("Content-Type", "application/json"), ("X-Bench-Service-Ms", f"{elapsed:.3f}"), *bench_headers()]
    start_response("200 OK", headers)
    return [body]


# ---------------------------------------------------------------------- the driver
class Server:
    def __init__(self, port: int):
        self.port = port

    def request(self, method, path, body=None, headers=None) -> dict:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        start = time.perf_counter()
        connection.request(method, path, body=body, headers={**launch.PROXY_HEADERS, **(headers or {})})
        response = connection.getresponse()
        content = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        connection.close()
        return {
            "status": response.status,
            "content": content,
            "ms": elapsed,
            "sql": int(response.getheader("X-Bench-SQL", "-1")),
            "cache": int(response.getheader("X-Bench-SQL-Cache", "-1")),
            "worker": response.getheader("X-Bench-Worker", ""),
            "service_ms": float(response.getheader("X-Bench-Service-Ms", "nan")),
        }


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def failed(name: str, answer: dict) -> bool:
    return answer["status"] != 200 or (name in ("graphql", "floor") and b'"errors"' in answer["content"])


def run_clients(server: Server, plan: dict, requests: int, threads: int) -> tuple[dict, float]:
    """Each of ``threads`` clients sends, for its share of ``n`` in ``range(requests)``, one request of each
    kind of ``plan`` ({name: make_request(n) -> (method, path, body, headers)}), the kinds' order turning
    with ``n`` so that none always follows another. ({name: answers}, wall seconds)."""
    answers, lock = {name: [] for name in plan}, threading.Lock()
    names = list(plan)

    def client(offset):
        for n in range(offset, requests, threads):
            for i in range(len(names)):
                name = names[(n + i) % len(names)]
                answer = server.request(*plan[name](n))
                with lock:
                    answers[name].append(answer)

    workers = [threading.Thread(target=client, args=(t,)) for t in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return answers, time.perf_counter() - started


def warm_up(server: Server, plan: dict, warmup: int, threads: int, workers: int) -> None:
    """Untimed rounds from ``threads`` clients until every gunicorn worker has served ``warmup // workers``
    requests of each kind (a sync worker left idle would be measured cold), at most ten rounds."""
    served = {name: {} for name in plan}
    for _ in range(10):
        answers, _ = run_clients(server, plan, warmup, threads)
        for name, rows in answers.items():
            for answer in rows:
                if failed(name, answer):
                    raise SystemExit(f"{name}: HTTP {answer['status']} during warm-up: {answer['content'][:500]!r}")
                served[name][answer["worker"]] = served[name].get(answer["worker"], 0) + 1
        if all(
            len(counts) >= workers and min(counts.values()) >= max(1, warmup // workers) for counts in served.values()
        ):
            return
    raise SystemExit(f"warm-up: every worker did not answer each kind of request: {served}")


def measure(server: Server, plan: dict, args, workers: int) -> dict:
    """``plan`` ({name: make_request}) warmed up, then timed from ``args.threads`` clients, interleaved."""
    warm_up(server, plan, args.warmup, args.threads, workers)
    answers, wall = run_clients(server, plan, args.requests, args.threads)
    results = {}
    for name, rows in answers.items():
        errors = [a for a in rows if failed(name, a)]
        if errors:
            raise SystemExit(f"{name}: {len(errors)} failed request(s), first: {errors[0]['content'][:300]!r}")
        times = [a["ms"] for a in rows]
        app_sql = [a["sql"] - a["cache"] for a in rows]
        results[name] = {
            "requests": len(rows),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 95), 1),
            "requests_per_s": round(len(rows) / wall, 1) if len(plan) == 1 else None,
            "sql_min": min(app_sql),
            "sql_max": max(app_sql),
            "cache_sql_max": max(a["cache"] for a in rows),
            "workers": len({a["worker"] for a in rows}),
            "_bodies": [a["content"] for a in rows[:3]],
        }
        if name == "service":
            own = [a["service_ms"] for a in rows]
            results[name].update(
                http_p50_ms=results[name]["p50_ms"],
                http_p95_ms=results[name]["p95_ms"],
                p50_ms=round(statistics.median(own), 1),
                p95_ms=round(percentile(own, 95), 1),
                engines=sorted({answered(json.loads(a["content"])) for a in rows}),
            )
        if name == "graphql":
            results[name]["engines"] = sorted(
                {answered(json.loads(a["content"])["data"]["directorySearch"]) for a in rows}
            )
    return results


def answered(search: dict) -> str:
    """Which backend answered a search, and whether it was degraded (then not an engine figure)."""
    return search["engine"] + (" (dégradé)" if search["degraded"] else "")


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


def service_request(n):
    return "GET", f"{SERVICE_PATH}?{urllib.parse.urlencode({'q': TERMS[n % len(TERMS)]})}", None, {}


def graphql_request(key, query, with_variables):
    def make(n):
        body = {"query": query}
        if with_variables:
            body["variables"] = {"q": TERMS[n % len(TERMS)]}
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        return "POST", "/graphql/", json.dumps(body), headers

    return make


def run_plan(server: Server, key: str, args, workers: int) -> dict:
    """The page, the fragment and the suggestions timed in turn, then GraphQL, the service and the floor
    interleaved request by request (the ratio's three terms under the same load)."""
    page = "/annuaire/"
    status = server.request("GET", page)["status"]
    if status != 200:
        raise SystemExit(f"{page} answered {status}: the demo has no directory page there")
    results = {}
    plans = [
        {"page": page_request(page)},
        {"fragment": fragment_request(page)},
        {"suggestions": suggestions_request},
        {
            "graphql": graphql_request(key, SEARCH_QUERY, True),
            "service": service_request,
            "floor": graphql_request(key, FLOOR_QUERY, False),
        },
    ]
    for plan in plans:
        print(f"· {', '.join(plan)}", flush=True)
        results.update(measure(server, plan, args, workers))
    return results


def reuse(env: dict, args, engine_url: str) -> None:
    """Bring an earlier --keep run's database up to date (migrations, static files) and check what it holds.

    Nothing is seeded; the index is rebuilt only when it is missing or short (another prefix, deleted).
    """
    launch.prepare(env, timeout=7200, verbose=True, demo=False)
    output = launch.manage(env, "shell", "--command", STATE)
    state = json.loads(next(line[6:] for line in output.splitlines() if line.startswith("STATE ")))
    # The demo's few structures are there beside the seeded ones.
    if not args.structures <= state["structures"] <= args.structures + 100 or not state["documents"]:
        raise SystemExit(
            f"--reuse : {state['structures']} structures et {state['documents']} documents dans {args.database}, "
            f"{args.structures} attendues : préparer d’abord avec --keep (sans --reuse)"
        )
    if engine_url and state["indexed"] != state["documents"]:
        print(
            f"· index {args.prefix} : {state['indexed']} documents pour {state['documents']}, reconstruit", flush=True
        )
        launch.manage(env, "search_index", "rebuild", "--no-progress", timeout=7200, verbose=True)
    else:
        print(f"· réutilisé : {state['structures']} structures, {state['documents']} documents", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--structures", type=int, default=20000, help="structures to seed (default 20000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint (default 200)")
    parser.add_argument("--threads", type=int, default=2, help="concurrent clients (default 2, one per worker)")
    parser.add_argument(
        "--warmup",
        type=int,
        default=16,
        help="untimed requests of each kind per warm-up round (default 16), rounds until each worker served its share",
    )
    parser.add_argument("--database", help="throwaway PostgreSQL URL, dropped and created again (default: SQLite)")
    parser.add_argument(
        "--prefix",
        default=f"httppath_httpbench_{os.getpid()}",
        help="index prefix of this run, its indexes dropped afterwards unless --keep (default: one per process)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database and the index afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure again what an earlier --keep run prepared (same --database, --structures and --prefix)",
    )
    args = parser.parse_args()
    if args.reuse and not (args.database or "").startswith(("postgres://", "postgresql://")):
        parser.error("--reuse needs the PostgreSQL --database an earlier --keep run prepared")

    tmp = Path(tempfile.mkdtemp(prefix="http-bench-"))
    if args.reuse:
        database_url, drop_database = args.database, lambda: None
    else:
        database_url, drop_database = launch.fresh_database(args.database, tmp)
    engine_url = os.environ.get("ELASTICSEARCH_URL") or ""
    prefix = args.prefix
    env = launch.production_env(
        tmp,
        database_url,
        launch.free_port(),
        prefix,
        GRAPHQL_RATE_LIMIT_KEY="1000000",  # the partner key's limit, raised: the rate limit is not what we measure
        GUNICORN_MAX_REQUESTS="1000000",  # no worker recycled (and measured cold) in the middle of a run
        PYTHONPATH=os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),  # gunicorn imports http_bench:application
    )
    started = time.monotonic()
    try:
        if args.reuse:
            reuse(env, args, engine_url)
        else:
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
            results = run_plan(Server(int(env["PORT"])), key, args, int(env["WEB_CONCURRENCY"]))
    finally:
        if not (args.keep or args.reuse):  # a reused database and its index are kept
            if engine_url:
                launch.drop_engine_indexes(engine_url, prefix)
            drop_database()

    vendor = "postgresql" if database_url.startswith("postgres") else "sqlite"
    engines = set(results["graphql"]["engines"]) | set(results["service"]["engines"])
    if not engine_url and engines != {"database"}:
        raise SystemExit(f"expected the database backend, searches were answered by {engines}")
    if engine_url and any(engine.startswith("database") or "dégradé" in engine for engine in engines):
        # A figure from the fallback, or from a degraded engine call, is not an engine figure.
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
    for name in ["page", "fragment", "suggestions", "graphql", "service", "floor"]:
        r = results[name]
        sql = f"{r['sql_min']}" if r["sql_min"] == r["sql_max"] else f"{r['sql_min']}–{r['sql_max']}"
        rate = r["requests_per_s"] if r["requests_per_s"] is not None else "—"
        print(f"{name:<12} {r['p50_ms']:>8} {r['p95_ms']:>8} {rate:>7} {sql:>8} {r['cache_sql_max']:>10}")
    print(
        "graphql, service et floor mesurés tour à tour, requête par requête ; service : durée de l’appel "
        f"search_structures dans le worker (par HTTP, avec le banc : {service['http_p50_ms']} / {service['http_p95_ms']} ms)"
    )
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
        "reused": args.reuse,
        "results": results,
        "targets": verdicts,
    }
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"JSON : {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
