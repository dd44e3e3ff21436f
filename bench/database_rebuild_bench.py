"""Time a rebuild of the database search documents alone, and what it costs each side in CPU.

    .venv/bin/python bench/database_rebuild_bench.py --database postgres://lagrappe:lagrappe@127.0.0.1:5433/bench_x
    .venv/bin/python bench/database_rebuild_bench.py --sqlite /tmp/sqlite_bench/copy.sqlite3
    .venv/bin/python bench/database_rebuild_bench.py --database URL --code /path/to/other/checkout

Runs ``rebuild_database_documents`` on an already seeded database (``search_bench.py --keep``
leaves one; a copy of a kept one, ``createdb -T``, is better: the rebuild rewrites every
document) and prints one JSON line: documents, wall-clock seconds, documents a second, and the
CPU seconds per 1,000 documents of LaGrappe (this process and the processes it waited for) and
of PostgreSQL (the connection's server process, read from ``/proc``: the server must run on this
machine), the load average when it ended, and the largest resident memory of the rebuild's
process and of an analysing one (memory must stay flat in the count). On a machine shared with other work, wall-clock rates follow the load; the CPU a
document costs does not, and two checkouts compared run in turn (``--code``: the other
checkout's ``search`` and ``directory`` are imported instead of this one's). ``--against OTHER
--rounds N`` does that in one command: N rounds of the other checkout then this one, each rebuild in
its own process, one JSON line each, then the median of each side.

    .venv/bin/python bench/database_rebuild_bench.py --database URL --against /path/to/before --rounds 3
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="seeded PostgreSQL URL (rewritten: use a copy)")
    parser.add_argument("--sqlite", help="seeded SQLite file (rewritten: use a copy)")
    parser.add_argument("--code", default=str(ROOT), help="the checkout whose code rebuilds (default: this one)")
    parser.add_argument("--label", default="", help="a name for this run in the JSON line")
    parser.add_argument("--processes", type=int, help="processes analysing the documents (default: the code's own)")
    parser.add_argument("--against", help="another checkout, rebuilt in turn with this one (--rounds times each)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each checkout with --against (default: 3)")
    return parser.parse_args()


def compare(args) -> None:
    """``--against``: each checkout's rebuild in turn, in a process of its own, then the medians side by side."""
    target = ["--database", args.database] if args.database else ["--sqlite", args.sqlite]
    if args.processes is not None:
        target += ["--processes", str(args.processes)]
    runs = {"against": [], "this": []}
    for _ in range(args.rounds):
        for side, code in (("against", args.against), ("this", args.code)):
            command = [sys.executable, __file__, *target, "--code", code, "--label", side]
            line = subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
            print(line, flush=True)
            runs[side].append(json.loads(line))
    for side, results in runs.items():
        medians = {
            key: statistics.median(r[key] for r in results if r.get(key) is not None)
            for key in (
                "seconds",
                "docs_per_second",
                "lagrappe_cpu_ms_per_1000",
                "database_cpu_ms_per_1000",
                "load",
                "max_rss_mb",
                "children_max_rss_mb",
            )
            if any(r.get(key) is not None for r in results)
        }
        print(json.dumps({"median": side, "code": results[0]["code"], "rounds": len(results), **medians}), flush=True)


def process_seconds(pid: int) -> float | None:
    """User and system CPU seconds of a process of this machine (``None`` if it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_seconds() -> float:
    self_, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return self_.ru_utime + self_.ru_stime + children.ru_utime + children.ru_stime


def main():
    args = parse_args()
    if bool(args.database) == bool(args.sqlite):
        sys.exit("--database URL or --sqlite FILE")
    if args.against:
        compare(args)
        return
    os.environ["DATABASE_URL"] = args.database or f"sqlite:///{args.sqlite}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagrappe.settings.dev")
    os.environ["ELASTICSEARCH_URL"] = ""
    sys.path.insert(0, args.code)
    import django

    django.setup()
    from django.db import connection

    import search.documents

    try:
        from search.database_rebuild import rebuild_database_documents
    except ImportError:  # a checkout from before search.database_rebuild
        from search.documents import rebuild_database_documents

    backend_pid = None
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid = cursor.fetchone()[0]
    server_before = process_seconds(backend_pid) if backend_pid else None
    cpu_before, started = own_seconds(), time.monotonic()
    count = rebuild_database_documents(**({} if args.processes is None else {"processes": args.processes}))
    wall = time.monotonic() - started
    lagrappe = own_seconds() - cpu_before
    server_after = process_seconds(backend_pid) if backend_pid else None
    server = server_after - server_before if server_before is not None and server_after is not None else None
    print(
        json.dumps(
            {
                "label": args.label,
                "code": str(Path(search.documents.__file__).resolve().parent.parent),
                "vendor": connection.vendor,
                "documents": count,
                "seconds": round(wall, 2),
                "docs_per_second": round(count / wall),
                "lagrappe_cpu_ms_per_1000": round(1e6 * lagrappe / count) if count else None,
                "database_cpu_ms_per_1000": round(1e6 * server / count) if count and server is not None else None,
                "load": os.getloadavg()[0],
                # Memory stays flat in the count: the largest resident size of this process and of an analysing one.
                "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "children_max_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
