"""Import of the cluster's spreadsheets, as a pipeline: read → normalise → validate → write.

- ``reading``: a file (CSV in UTF-8 or unambiguous Windows-1252, comma- or
  semicolon-separated; or XLSX) becomes rows of text cells keyed by column;
  header problems are reported on its line.
- ``normalising``: what French spreadsheets do to values (postcodes, phones,
  dates, booleans, lists), undone; pure functions.
- ``validating``: a declarative column spec per file kind (parser, required,
  French message); every defect becomes an ``ImportIssue(file, line, column,
  message)``, the line being where the record starts (records may span lines).
- ``writing``: upsert by slug, compared with what exists, so re-importing the
  same files reports everything ``unchanged`` and writes nothing.

An import is all or nothing: ``parse_files`` reads and validates every file and
writes nothing; ``apply`` runs only when there is no issue, inside
``transaction.atomic``. ``dry_run`` computes the same report and rolls back.
Both take paths, file objects or (name, content) pairs, so the admin view, the
command and a background task call the same two steps.

``progress(phase, done, total)``, when given, hears how far the rows are:
phase ``"validating"`` (rows checked) then ``"writing"`` (rows written, or
rolled back by a dry run). The admin import's tasks record it for the progress bar.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import translation

from .reading import read_file
from .report import ImportFailed, ImportIssue, ImportReport, ParsedFiles, Row
from .validating import validate
from .writing import Written, apply

__all__ = [
    "ImportFailed", "ImportIssue", "ImportReport", "ParsedFiles", "Row", "Written",
    "apply", "import_directory", "parse_files",
]  # fmt: skip


def parse_files(structures=None, people=None, skills=None, sectors=None, progress=None) -> tuple[ParsedFiles, dict]:
    """Read and validate the given files (paths, file objects or (name, content)); writes nothing."""
    parsed = ParsedFiles()
    with translation.override("fr"):
        for kind, source in (("sectors", sectors), ("skills", skills), ("structures", structures), ("people", people)):
            if source is not None:
                read_file(kind, source, parsed)
        total = sum(len(rows) for rows in parsed.rows.values())
        cleaned = validate(parsed, progress=progress and (lambda done: progress("validating", done, total)))
    # Stable sort: within a line, issues keep the column order they were found in.
    parsed.issues.sort(key=lambda i: (parsed.files.get(i.file, -1), i.line))
    return parsed, cleaned


class _DryRunRollback(Exception):
    pass


def import_directory(
    structures=None, people=None, skills=None, sectors=None, dry_run=False, user=None, progress=None
) -> ImportReport:
    """Validate everything, then write everything or nothing. Raises ``ImportFailed`` on any issue."""
    parsed, cleaned = parse_files(
        structures=structures, people=people, skills=skills, sectors=sectors, progress=progress
    )
    report = ImportReport(issues=parsed.issues, dry_run=dry_run)
    if parsed.issues:
        raise ImportFailed(report)
    total = sum(len(rows) for rows in parsed.rows.values())
    try:
        with transaction.atomic():
            apply(cleaned, report, user=user, progress=progress and (lambda done: progress("writing", done, total)))
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return report
