"""Admin benchmark: the Wagtail structure listing at 20,000 and at 200,000 structures.

    .venv/bin/python bench/admin_bench.py \
        --database postgres://lagrappe:lagrappe@127.0.0.1:5433/lagrappe_adminbench [--rounds 15] [--reuse]

Target (issue #10): the admin structure listing at 200k answers in ≤ 1.5× its
time at 20k, filters and search included.

For each size it uses its own throwaway PostgreSQL database, named after
``--database`` with the size appended (``lagrappe_adminbench_20000``,
``lagrappe_adminbench_200000``): dropped, recreated, migrated and seeded with
``manage.py seed_directory`` (``--reuse`` keeps a database that already holds
exactly that many structures, and skips the seeding). Each size runs in its own
process, logs in as a superuser with Django's test Client (in process, no web
server: this measures the view, its SQL and its template) and times the listing's
first page, each filter, a search, and a search with a filter, warm. It checks that
each answer is the listing it names (status 200, the expected number of rows,
the filter or search really applied), counts its SQL queries, then prints p50/p95
per size, the 200k/20k ratio of the medians with PASS/FAIL, and writes JSON to
``bench/results/``.

Duration on the shared 2-core machine: 10 to 20 minutes from scratch (seeding 200k
dominates: 5 min 20 s), 3 to 15 minutes with ``--reuse`` depending on the load.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SIZES = (20_000, 200_000)
TARGET_RATIO = 1.5
LISTING_URL = "/admin/snippets/directory/structure/"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database",
        default="postgres://lagrappe:lagrappe@127.0.0.1:5433/lagrappe_adminbench",
        help="PostgreSQL URL; the size is appended to its database name (those databases are dropped!)",
    )
    parser.add_argument("--rounds", type=int, default=15, help="timed requests per listing and size (default 15)")
    parser.add_argument("--reuse", action="store_true", help="keep a database already seeded to the right size")
    parser.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="comma-separated sizes (default 20000,200000)"
    )
    # Internal: one size, in a child process (each size has its own Django settings).
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def database_url(base: str, count: int) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"{parts.path}_{count}"))


# ---------------------------------------------------------------------------
# Child: one size
# ---------------------------------------------------------------------------
def prepare_database(url: str, count: int, reuse: bool) -> dict:
    """Create (or reuse) the database of this size; returns how long seeding took."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not reuse:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagrappe.settings.dev")
    os.environ["SEARCH_INDEX_PREFIX"] = "adminbench"
    os.environ.pop("ELASTICSEARCH_URL", None)  # the admin listing never asks the engine
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False  # no query log kept in memory while timing
    call_command("migrate", verbosity=0)
    from directory.models import Structure

    present = Structure.objects.count()
    seeded = {"seeded_seconds": 0.0, "reused": present == count}
    if present != count:
        if present:
            raise SystemExit(f"{name} holds {present} structures, not {count}: run without --reuse")
        started = time.perf_counter()
        call_command("seed_directory", count=count, verbosity=0)
        seeded["seeded_seconds"] = round(time.perf_counter() - started, 1)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum would reach after a bulk import
    return seeded


def scenarios() -> dict[str, dict]:
    """The listings timed, each with the check that proves it is what it says."""
    from directory.models import Skill, Structure

    # A common skill: its filter selects a few percent of the rows at every size.
    skill = Skill.objects.get(slug="photovoltaique") if Skill.objects.filter(slug="photovoltaique").exists() else None
    skill = skill or Skill.objects.order_by("pk").first()
    return {
        "listing": {"params": {}, "expect": Structure.objects.all()},
        "sorted by date": {"params": {"ordering": "-updated_at"}, "expect": Structure.objects.all()},
        "filter category": {
            "params": {"category": "territoire"},
            "expect": Structure.objects.filter(category="territoire"),
        },
        "filter skill": {"params": {"skill": skill.pk}, "expect": Structure.objects.filter(skills=skill)},
        "filter membership": {
            "params": {"membership": "cluster"},
            "expect": Structure.objects.filter(memberships="cluster"),
        },
        "filter status": {"params": {"live": "false"}, "expect": Structure.objects.filter(live=False)},
        "search": {"params": {"q": "solaire"}, "expect": None},
        "search + filter": {"params": {"q": "vélo", "category": "collectif"}, "expect": None},
    }


def serve(count: int, url: str, reuse: bool) -> None:
    """Prepare this size, check each listing, then time one request per line read on stdin."""
    seeded = prepare_database(url, count, reuse)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment

    from directory.models import Structure

    present = Structure.objects.count()
    if present != count:
        raise SystemExit(f"expected {count} structures, found {present}")
    user, _ = get_user_model().objects.get_or_create(
        username="adminbench", defaults={"is_superuser": True, "is_staff": True, "email": "bench@example.org"}
    )
    client = Client()
    client.force_login(user)

    checks = {}
    listings = scenarios()
    for label, scenario in listings.items():
        params = scenario["params"]
        setup_test_environment()  # response.context for the check; not while timing (it costs)
        response = client.get(LISTING_URL, params)
        teardown_test_environment()
        if response.status_code != 200:
            raise SystemExit(f"{label}: HTTP {response.status_code}")
        rows = response.context["object_list"]
        shown = len(rows)
        page_size = response.context["paginator"].per_page
        if scenario["expect"] is not None:
            wanted = set(scenario["expect"].values_list("pk", flat=True))
            if not all(row.pk in wanted for row in rows):
                raise SystemExit(f"{label}: a row outside the filter was listed")
            if shown != min(page_size, len(wanted)):
                raise SystemExit(f"{label}: {shown} rows for {len(wanted)} matching")
        else:
            needle = params["q"].casefold()
            if not shown or not all(needle in " ".join((r.name, r.slug, r.city, r.email)).casefold() for r in rows):
                raise SystemExit(f"{label}: the search listed {shown} rows, not all matching « {needle} »")
        # Counted by a wrapper: the request_started signal empties connection.queries.
        queries = []

        def count_query(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count_query):
            client.get(LISTING_URL, params)
        checks[label] = {
            "params": {k: str(v) for k, v in params.items()},
            "rows": shown,
            "items_count_label": str(response.context["paginator"].items_count_label),
            "sql": len(queries),
        }
    print(json.dumps({"count": count, **seeded, "listings": checks}), flush=True)

    for line in sys.stdin:
        params = listings[line.strip()]["params"]
        started = time.perf_counter()
        client.get(LISTING_URL, params)
        print(f"{(time.perf_counter() - started) * 1000:.2f}", flush=True)


# ---------------------------------------------------------------------------
# Parent: every size, timed in turn, then the ratios
# ---------------------------------------------------------------------------
def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main():
    args = parse_args()
    if args.measure:
        serve(args.measure, database_url(args.database, args.measure), args.reuse)
        return

    sizes = [int(size) for size in args.sizes.split(",")]
    children, runs = {}, {}
    for size in sizes:
        print(f"— {size} structures ({database_url(args.database, size).rsplit('/', 1)[1]}) …", flush=True)
        command = [sys.executable, __file__, "--database", args.database, "--measure", str(size)]
        command += ["--reuse"] if args.reuse else []
        child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        line = child.stdout.readline()
        if not line:
            raise SystemExit(f"the {size} run failed (see above)")
        children[size], runs[size] = child, json.loads(line)
        if runs[size]["seeded_seconds"]:
            print(f"  seeded in {runs[size]['seeded_seconds']} s", flush=True)

    # The sizes answer in turn, request by request (the order alternating every round):
    # a burst of load on the shared machine weighs on both sides of the ratio alike.
    labels = list(runs[sizes[0]]["listings"])
    timings = {size: {label: [] for label in labels} for size in sizes}
    for label in labels:
        for turn in range(args.rounds + 2):  # the first two of each are warm-up
            for size in sizes if turn % 2 else reversed(sizes):
                child = children[size]
                child.stdin.write(label + "\n")
                child.stdin.flush()
                elapsed = float(child.stdout.readline())
                if turn >= 2:
                    timings[size][label].append(elapsed)
    for child in children.values():
        child.stdin.close()
        child.wait()
    for size in sizes:
        for label in labels:
            entry = runs[size]["listings"][label]
            entry["p50_ms"] = round(statistics.median(timings[size][label]), 1)
            entry["p95_ms"] = round(percentile(timings[size][label], 0.95), 1)

    small, large = runs[min(sizes)], runs[max(sizes)]
    header = f"{'listing':<18} {'SQL':>5} " + " ".join(f"{f'{s // 1000}k p50/p95 ms':>17}" for s in sizes)
    print(header + f" {'ratio p50':>10}  target ≤ {TARGET_RATIO}×")
    verdicts = {}
    for label in labels:
        cells = " ".join(
            f"{runs[s]['listings'][label]['p50_ms']:>8.1f} /{runs[s]['listings'][label]['p95_ms']:>7.1f}" for s in sizes
        )
        ratio = large["listings"][label]["p50_ms"] / small["listings"][label]["p50_ms"]
        sql = sorted({runs[s]["listings"][label]["sql"] for s in sizes})
        verdict = "PASS" if ratio <= TARGET_RATIO and len(sql) == 1 else "FAIL"
        verdicts[label] = {"ratio_p50": round(ratio, 2), "sql_constant": len(sql) == 1, "verdict": verdict}
        print(f"{label:<18} {'/'.join(map(str, sql)):>5} {cells} {ratio:>9.2f}×  {verdict}")
    overall = "PASS" if all(v["verdict"] == "PASS" for v in verdicts.values()) else "FAIL"
    print(f"Admin listing {max(sizes) // 1000}k vs {min(sizes) // 1000}k (p50, SQL count equal): {overall}")

    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"admin_{datetime.now():%Y%m%d-%H%M%S}.json"
    report = {
        "target": f"admin listing p50 at {max(sizes)} ≤ {TARGET_RATIO}× at {min(sizes)}, same SQL count",
        "rounds": args.rounds,
        "runs": runs,
        "timings_ms": timings,
        "verdicts": verdicts,
        "overall": overall,
    }
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"JSON: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
