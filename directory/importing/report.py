"""What an import found and did: issues (file, line, column, French message), counts, changes."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..columns import FILES


class ImportFailed(Exception):
    """Raised by ``import_directory`` when any row is invalid: nothing was written."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__(f"{len(report.issues)} erreur(s) : import annulé, rien n’a été enregistré.")


LOCATION_LABELS = [
    ("address", "à l’adresse"),
    ("approximate", "approximative(s) (rue ou centre de la commune)"),
    ("file", "du fichier"),
    ("deferred", "en tâche de fond"),
    ("not_found", "introuvable(s)"),
]


@dataclass(frozen=True, order=True)
class ImportIssue:
    file: str
    line: int
    column: str
    message: str

    def __str__(self):
        where = f"{self.file}, ligne {self.line}" + (f", colonne « {self.column} »" if self.column else "")
        return f"{where} : {self.message}"


@dataclass
class ImportReport:
    issues: list[ImportIssue] = field(default_factory=list)
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    dry_run: bool = False
    # What will change, for the admin preview: (kind, action, label), action in created/updated/deleted.
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    # How each structure got its point on the map: (structure name, French « how »), see directory.geocoding.importing.
    locations: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues

    def count(self, kind: str, action: str) -> int:
        return self.counts[kind][action]

    def as_json(self) -> dict:
        """The report as JSON (kept by an admin import job between its tasks and its pages)."""
        return {
            "issues": [[i.file, i.line, i.column, i.message] for i in self.issues],
            "counts": {kind: dict(counter) for kind, counter in self.counts.items()},
            "dry_run": self.dry_run,
            "changes": [list(change) for change in self.changes],
            "locations": [list(location) for location in self.locations],
        }

    @classmethod
    def from_json(cls, data: dict) -> ImportReport:
        report = cls(
            issues=[ImportIssue(*issue) for issue in data["issues"]],
            dry_run=data["dry_run"],
            changes=[tuple(change) for change in data["changes"]],
            locations=[tuple(location) for location in data["locations"]],
        )
        for kind, counter in data["counts"].items():
            report.counts[kind] = Counter(counter)
        return report

    def summary_lines(self) -> list[str]:
        feminine = {"created": "créées", "updated": "modifiées", "unchanged": "inchangées", "deleted": "supprimées"}
        masculine = {"created": "créés", "updated": "modifiés", "unchanged": "inchangés", "deleted": "supprimés"}
        lines = []
        for kind in ("sectors", "skills", "structures", "people"):
            if kind in self.counts:
                labels = masculine if kind == "sectors" else feminine
                # French agreement: « 1 créée », « 2 créées ».
                parts = ", ".join(
                    f"{n} {labels[a] if n > 1 else labels[a][:-1]}" for a in labels if (n := self.counts[kind][a])
                )
                lines.append(f"{FILES[kind][2].capitalize()} : {parts or 'aucune ligne'}")
        if self.counts.get("locations"):
            lines.append("Positions : " + ", ".join(
                f"{n} {label}" for key, label in LOCATION_LABELS if (n := self.counts["locations"][key])
            ))  # fmt: skip
        return lines


@dataclass
class Row:
    file: str
    line: int
    values: dict[str, str]
    delimiter: str = ","  # of the CSV file: decides the list separators (see ``split_list``)


@dataclass
class ParsedFiles:
    rows: dict[str, list[Row]] = field(default_factory=dict)
    issues: list[ImportIssue] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)  # display name -> reading order, to sort issues
    # Kinds whose file could not be read: their rows are unknown, so the other files' references
    # to them (people of a structure, skills by name) are not reported as unknown on top.
    unreadable: set[str] = field(default_factory=set)

    def error(self, row_or_file, line_or_column, column_or_message, message=None):
        if isinstance(row_or_file, Row):
            self.issues.append(ImportIssue(row_or_file.file, row_or_file.line, line_or_column, column_or_message))
        else:
            self.issues.append(ImportIssue(row_or_file, line_or_column, column_or_message, message))
