"""An import killed mid-way leaves nothing; one killed right after its commit is indexed by the worker alone."""

import subprocess
import sys

import pytest

from directory.models import Structure
from search.drift import find_drift
from search.engine import get_backend
from search.models import IndexOutbox, StructureSearchDocument
from tests.tasks.conftest import ROOT

pytestmark = pytest.mark.engine

# The import of 300 structures, in its own process, which dies (SIGKILL-like os._exit)
# at the chosen moment: inside the transaction, or right after the commit.
SCRIPT = """
import csv, io, os, django
django.setup()
from directory.columns import STRUCTURE_COLUMNS
from directory.importing import import_directory
import search.sync

def die(*args, **kwargs):
    os._exit(9)

setattr(search.sync, {where!r}, die)
out = io.StringIO()
writer = csv.DictWriter(out, fieldnames=STRUCTURE_COLUMNS, restval="")
writer.writeheader()
for i in range(300):
    writer.writerow({{"slug": f"tuee-{{i}}", "name": f"Coopérative interrompue {{i}}", "category": "collectif",
                     "membership": "cluster", "city": "Lille"}})
import_directory(structures=("structures.csv", out.getvalue().encode()))
"""


def killed_import(worker, where: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(where=where)], cwd=ROOT, env=worker.environment(), capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 9, done.stderr[-3000:]
    return done.returncode


@pytest.fixture
def engine_index(settings):
    backend = get_backend()
    backend.rebuild(progress=False)
    yield backend
    backend.drop_all()


def test_import_killed_inside_its_transaction_leaves_nothing(worker, engine_index):
    assert killed_import(worker, "enqueue") == 9  # died while writing the outbox rows
    assert Structure.objects.filter(slug__startswith="tuee-").count() == 0
    assert IndexOutbox.objects.count() == 0
    assert find_drift() == []


def test_import_killed_after_its_commit_is_indexed_by_the_worker(worker, engine_index):
    assert killed_import(worker, "schedule") == 9  # committed, then died before asking for the worker
    assert Structure.objects.filter(slug__startswith="tuee-", live=True).count() == 300
    queued = IndexOutbox.objects.filter(structure_id__isnull=False).values("structure_id").distinct().count()
    assert queued == 300  # the outbox committed with them
    assert StructureSearchDocument.objects.filter(structure__slug__startswith="tuee-").count() == 0

    worker.run_batch()  # no task was queued: the worker's periodic sweep finds the rows

    assert IndexOutbox.objects.count() == 0
    assert StructureSearchDocument.objects.filter(structure__slug__startswith="tuee-").count() == 300
    assert find_drift() == []
