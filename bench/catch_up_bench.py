"""Catch-up benchmark: how fast the worker brings the engine level after an outage (issue 11's 2,000 docs/s).

    .venv/bin/python bench/catch_up_bench.py --database postgres://…/bench_x --prefix bench_x [--count 20000]
        [--changes 5000] [--engine URL]

On a throwaway PostgreSQL database (its tables are dropped and recreated, then
``--count`` structures seeded) and the engine under its own ``--prefix``
(only that prefix's indexes are ever deleted): builds the index, then writes
``--changes`` edits of published structures with their outbox rows in one
transaction while no task runs (the engine « down » for the worker), then runs
the real worker (``manage.py db_worker --batch``, database task backend) until the
outbox is empty. Reports, from the worker's own task records, two rates:

- the index (issue 11's « the index is level »): documents / time from the
  start of the first indexing task until the engine showed every change
  (``engine_level_at`` of the last task that had rows to process: the refresh
  that let engine searches stop hiding them; a task that found nothing after it,
  the batch run's sweep, does not count). PASS/FAIL against 2,000 docs/s is on
  this one. The figure as measured until round 7 (each task's time until its own
  ``engine_level_at``, summed, the sweep's included) is printed beside it;
- the database documents (the fallback's): documents / time inside the tasks,
  which end once the database documents are written too (the fallback hides
  those structures until then).

It checks that both hold every change (``search_index check`` finds no drift,
each edited document carries the new summary in the engine and in the
database), beside the engine's own rate for the same documents sent again in
one bulk stream (the ceiling of any catch-up at that moment on that machine).

``--worker-during-outage``: the worker ran during the outage too (as in
production: one worker beside the web processes), with the engine unreachable:
it refreshed the database documents and deferred the rows; the engine then comes
back and the back-off has elapsed. The catch-up measured is then the engine's
part only.
"""

import argparse
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_DOCS_PER_SECOND = 2000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, help="throwaway PostgreSQL URL (its tables are recreated)")
    parser.add_argument("--count", type=int, default=20000, help="structures to seed (default 20000)")
    parser.add_argument("--changes", type=int, default=5000, help="structures edited during the outage (default 5000)")
    parser.add_argument("--engine", default=os.environ.get("ELASTICSEARCH_URL") or "http://127.0.0.1:9200")
    parser.add_argument("--prefix", default=f"bench_catchup_{os.getpid()}", help="index prefix, dropped afterwards")
    parser.add_argument(
        "--worker-during-outage",
        action="store_true",
        help="the worker ran during the outage (database documents already refreshed): time the engine's part",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database when it already holds --count structures (and the index when it exists): "
        "only the outage and the catch-up are run, and the index is kept for the next run",
    )
    return parser.parse_args()


def main():
    args = parse_args()
    os.environ.update(
        DATABASE_URL=args.database,
        ELASTICSEARCH_URL=args.engine,
        SEARCH_INDEX_PREFIX=args.prefix,
        DJANGO_SETTINGS_MODULE="lagrappe.settings.dev",
        # Enqueued tasks wait in the database for the worker this script starts.
        TASKS_BACKEND="database",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from directory.models import Structure
    from search import sync
    from search.documents import structure_sources
    from search.drift import find_drift
    from search.engine import get_backend
    from search.models import IndexOutbox, StructureSearchDocument
    from search.text import document_text

    reuse = args.reuse and _seeded(connection, Structure, args.count)
    if not reuse:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    backend = get_backend()
    try:
        if not reuse:
            started = time.monotonic()
            call_command("seed_directory", "--count", str(args.count), verbosity=0)
            print(f"Seed : {args.count} structures en {time.monotonic() - started:.1f} s", flush=True)
        if not (reuse and backend.current_indices()):
            call_command("search_index", "rebuild", "--no-progress")
        else:
            print(f"Réutilisés : {args.count} structures, index {', '.join(backend.current_indices())}", flush=True)
        DBTaskResult.objects.all().delete()
        IndexOutbox.objects.all().delete()

        ids = list(Structure.objects.public().order_by("?").values_list("pk", flat=True)[: args.changes])
        summary = f"Revu pendant la panne {time.time_ns()}"
        with transaction.atomic():  # a bulk writer: the edit and its outbox rows commit together
            Structure.objects.filter(pk__in=ids).update(summary=summary, updated_at=timezone.now())
            sync.enqueue(ids)
        queued = IndexOutbox.objects.count()
        print(f"Panne : {len(ids)} structures modifiées, {queued} lignes en attente", flush=True)
        worker_command = [
            sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0"
        ]  # fmt: skip
        if args.worker_during_outage:
            # Discard port: nothing listens, the engine is refused at once.
            down = subprocess.run(
                worker_command, cwd=ROOT, env={**os.environ, "ELASTICSEARCH_URL": "http://127.0.0.1:9"},
                capture_output=True, text=True, timeout=1800,
            )  # fmt: skip
            refreshed = IndexOutbox.objects.filter(database_done=True, attempts__gte=1).count()
            if down.returncode != 0 or refreshed != queued:
                sys.exit(
                    f"FAIL : le worker pendant la panne ({down.returncode}, {refreshed}/{queued})\n{down.stderr[-3000:]}"
                )
            print(f"Pendant la panne : documents de la base à jour, {refreshed} lignes différées", flush=True)
            IndexOutbox.objects.update(next_attempt_at=timezone.now())  # the back-off has elapsed

        since = timezone.now()
        started = time.monotonic()
        worker = subprocess.run(worker_command, cwd=ROOT, env=os.environ, capture_output=True, text=True, timeout=1800)
        wall = time.monotonic() - started
        if worker.returncode != 0 or IndexOutbox.objects.exists():
            sys.exit(f"FAIL : le worker n’a pas vidé la file ({worker.returncode})\n{worker.stderr[-3000:]}")
        runs = DBTaskResult.objects.filter(
            started_at__gte=since, status="SUCCESSFUL", task_path__in=["search.sync.index_changes", "search.sync.sweep"]
        )
        processed = sum(run.return_value["processed"] for run in runs)
        busy = sum((run.finished_at - run.started_at).total_seconds() for run in runs)
        database_rate = processed / busy if busy else 0.0
        levels = [run.return_value.get("engine_level_at") for run in runs]
        if not all(levels):
            sys.exit(f"FAIL : une tâche n’a pas rendu le moteur à jour ({levels})")
        # From the start of the first task to the moment the engine showed the last change: the refresh
        # of the last task that had rows to send (``engine_level_at``). A task that ran after it (the
        # batch run's sweep, finding nothing) does not count; one that ran before it does, whole, and so
        # do the gaps between tasks.
        working = [
            (run, level) for run, level in zip(runs, levels, strict=True)
            if run.return_value["processed"] or run.return_value["failed"]
        ]  # fmt: skip
        first_start = min(run.started_at for run in runs)
        engine_busy = (max(datetime.fromisoformat(level) for _, level in working) - first_start).total_seconds()
        rate = processed / engine_busy if engine_busy else 0.0
        # As measured until round 7: each task's time until its own ``engine_level_at``, summed (the sweep's too).
        summed = sum(
            (datetime.fromisoformat(level) - run.started_at).total_seconds()
            for run, level in zip(runs, levels, strict=True)
        )

        # Measured the thing it names: the engine now holds the new text of every edited structure.
        backend.refresh()
        drift = find_drift()
        found = backend.request(
            "POST", f"/{backend.alias}/_count", body={"query": {"match_phrase": {"summary": summary}}}
        )["count"]
        in_database = StructureSearchDocument.objects.filter(
            structure_id__in=ids, summary_text=document_text(summary)
        ).count()
        if drift or found != len(ids) or in_database != len(ids):
            sys.exit(
                f"FAIL : {len(drift)} écart(s), {found}/{len(ids)} documents à jour dans le moteur, "
                f"{in_database}/{len(ids)} dans la base\n" + "\n".join(drift[:5])
            )
        # The engine's own rate for the same documents, sent again in one bulk stream (sources built beforehand).
        sources = structure_sources(ids)
        started = time.monotonic()
        backend.apply(sources, [])
        backend.refresh()
        engine_rate = len(sources) / (time.monotonic() - started)
        part = (
            "documents de la base écrits pendant la panne"
            if args.worker_during_outage
            else "documents de la base écrits pendant le rattrapage"
        )
        print(
            f"Rattrapage ({part}) : {processed} documents ; index (moteur) à jour après {engine_busy:.2f} s de tâche "
            f"= {rate:.0f} docs/s (tâches additionnées, balayage compris : {summed:.2f} s = {processed / summed:.0f} docs/s) ; "
            f"documents de la base à jour après {busy:.2f} s = {database_rate:.0f} docs/s "
            f"({wall:.1f} s de bout en bout, démarrage du worker compris) ; moteur {found}/{len(ids)}, "
            f"base {in_database}/{len(ids)} ; le moteur seul, mêmes documents en un flux : {engine_rate:.0f} docs/s "
            f"(le worker en fait {rate / engine_rate:.0%}) ; charge {os.getloadavg()[0]:.1f}"
        )
        ok = rate >= TARGET_DOCS_PER_SECOND
        print(
            f"  {'PASS' if ok else 'FAIL'}  rattrapage de l’index (moteur) : {rate:.0f} docs/s "
            f"(cible ≥ {TARGET_DOCS_PER_SECOND}) ; documents de la base (secours) : {database_rate:.0f} docs/s"
        )
    finally:
        if not args.reuse:
            _drop_indexes(backend, args.prefix)


def _seeded(connection, Structure, count: int) -> bool:
    """The database already holds ``count`` structures (and its tables)."""
    if "directory_structure" not in connection.introspection.table_names():
        return False
    return Structure.objects.count() == count


def _drop_indexes(backend, prefix: str) -> None:
    """This prefix's indexes only: the directory's, then Wagtail's page search ones."""
    backend.drop_all()
    # Wagtail's page search indexes of this prefix (the worker ran its tasks), by name.
    wagtail = f"{prefix}_wagtail_"
    found = backend.request("GET", f"/{wagtail}*", params={"filter_path": "*.settings.index.uuid"}, ignore=(404,))
    names = sorted(name for name in (found or {}) if name.startswith(wagtail))
    if names:
        backend.request("DELETE", "/" + ",".join(names), ignore=(404,))


if __name__ == "__main__":
    main()
