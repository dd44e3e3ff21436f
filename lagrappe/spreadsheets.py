"""Inert spreadsheets: every CSV and XLSX cell the platform writes is shown, never evaluated.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
by Excel and LibreOffice as a formula: a structure named
``=HYPERLINK("http://evil.example","clic")`` submitted through the join form
would run in the coordinator's spreadsheet, and a phone number such as
``+32 56 52 73 94`` would be computed. Following the OWASP CSV-injection
guidance (https://owasp.org/www-community/attacks/CSV_Injection), such a cell is
prefixed with a single quote. XLSX cells are also written as text (data type
``s``), never as formulas.

The mark is reversible so that an export re-imported changes nothing:
``restore`` removes exactly one quote from a cell that ``neutralise`` would have
marked. A value that already starts with quotes before a trigger character
(``'=x``) gets one more on export, so the round trip is exact for every value.

One exception, for open-data consumers and coordinates west of Greenwich: a
plain negative decimal (``-4.48``) is left as it is; a spreadsheet reads it as
the same number and evaluates nothing else.

Every export goes through this module: the directory's exports and open data
(``directory.exporting``, ``directory.opendata``) and, through
``guard_wagtail_exports``, every listing export of Wagtail's admin (snippets,
model viewsets, reports, form submissions).
"""

from __future__ import annotations

import csv
import re

from openpyxl.cell import WriteOnlyCell

# Characters that make a spreadsheet evaluate a cell (OWASP), and the mark that stops it.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MARK = "'"
_MARKED = re.compile(r"'*[=+\-@\t\r]")  # cells that carry (or would need) a mark
_PLAIN_NEGATIVE_NUMBER = re.compile(r"-(?:0|[1-9]\d*)(?:\.\d+)?")


def neutralise(value):
    """The cell as a spreadsheet must show it: strings that would be evaluated get a leading quote."""
    if isinstance(value, str) and _MARKED.match(value) and not _PLAIN_NEGATIVE_NUMBER.fullmatch(value):
        return MARK + value
    return value


def restore(value: str) -> str:
    """The value before ``neutralise``: drops the one quote it adds (the import calls this on every cell)."""
    if value.startswith(MARK) and _MARKED.match(value, 1) and not _PLAIN_NEGATIVE_NUMBER.fullmatch(value, 1):
        return value[1:]
    return value


class InertCSVWriter:
    """``csv.writer`` whose rows are neutralised; ``writerow`` returns what the target's ``write`` returns."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([neutralise(value) for value in row])


def xlsx_cells(sheet, row) -> list:
    """Write-only cells of ``row`` for ``sheet.append``: strings neutralised and typed as text, never formulas."""
    cells = []
    for value in row:
        cell = WriteOnlyCell(sheet, neutralise(value))
        if isinstance(value, str):
            cell.data_type = "s"  # openpyxl types any string starting with « = » as a formula
        cells.append(cell)
    return cells


def guard_wagtail_exports() -> None:
    """Make every Wagtail listing export inert, whatever view or viewset it comes from.

    Wagtail's ``SpreadsheetExportMixin`` writes CSV cells raw and only retypes
    formula-looking XLSX cells: Wagtail leaves neutralising to the project
    (wagtail/wagtail#3466, « CSV export security considerations » in its security
    docs) and offers no setting for it. Every listing (snippets, ``ModelViewSet``, reports, form
    submissions) goes through its ``preprocess_field_value`` and ``get_heading``,
    so wrapping those two covers each listing, including ones registered later.
    Called once from ``DirectoryConfig.ready``; idempotent.
    """
    # Imported when called (from ``ready``): Wagtail's admin views need the app registry.
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin.preprocess_field_value, "inert", False):
        return
    preprocess_field_value = SpreadsheetExportMixin.preprocess_field_value
    get_heading = SpreadsheetExportMixin.get_heading

    def inert_preprocess_field_value(self, field, value, export_format):
        return neutralise(preprocess_field_value(self, field, value, export_format))

    def inert_get_heading(self, queryset, field):
        return neutralise(get_heading(self, queryset, field))

    inert_preprocess_field_value.inert = True
    SpreadsheetExportMixin.preprocess_field_value = inert_preprocess_field_value
    SpreadsheetExportMixin.get_heading = inert_get_heading
