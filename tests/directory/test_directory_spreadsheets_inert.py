"""Inert spreadsheets: no CSV or XLSX the platform writes holds a cell a spreadsheet would evaluate.

Covers the directory's exports (library, command, admin zip), open data, and every
Wagtail listing export, found by walking the admin's URLs rather than listed by hand.
The import removes the mark, so export -> import still changes nothing.
"""

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import Workbook
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.contrib.forms.models import FormMixin
from wagtail.models import get_page_models

from directory.exporting import export_directory
from directory.importing import import_directory
from directory.models import Structure
from lagrappe.spreadsheets import neutralise, restore
from tests.directory.source_tree import ROOT, first_party_packages

FIXTURES = Path(__file__).parent / "fixtures"
VALID = {kind: FIXTURES / f"{kind}.csv" for kind in ("structures", "people", "skills", "sectors")}
HOSTILE_NAME = '=HYPERLINK("http://evil.example","clic")'
BELGIAN_PHONE = "+32 56 52 73 94"


# ---------------------------------------------------------------------------
# The neutralising rule
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, shown",
    [
        (HOSTILE_NAME, "'" + HOSTILE_NAME),
        (BELGIAN_PHONE, "'" + BELGIAN_PHONE),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("'=1+1", "''=1+1"),  # already quoted by hand: one more mark, so the import gives it back as it was
        ("-", "'-"),
        ("-4.48", "-4.48"),  # a plain negative number: evaluated as itself (longitudes west of Greenwich)
        ("Soleil du Nord", "Soleil du Nord"),
        ("l'atelier", "l'atelier"),
        ("'quoted'", "'quoted'"),
        ("", ""),
        (42, 42),
        (None, None),
    ],
    ids=repr,
)
def test_neutralise_marks_only_what_a_spreadsheet_evaluates(value, shown):
    assert neutralise(value) == shown


@pytest.mark.parametrize(
    "value",
    [HOSTILE_NAME, BELGIAN_PHONE, "-2+3", "@x", "\tx", "\rx", "'=x", "''+x", "'", "''", "-", "-4.48", "'-4.48",
     "l'atelier", "'quoted'", "=", "x=y", ""],
    ids=repr,
)  # fmt: skip
def test_restore_gives_back_exactly_what_was_neutralised(value):
    assert restore(neutralise(value)) == value


def test_restore_keeps_a_hand_typed_formula_as_text():
    # A file typed by hand, not exported: the value is kept as typed (and stored as text).
    assert restore("=1+1") == "=1+1"
    assert restore("'hello") == "'hello"


# ---------------------------------------------------------------------------
# The directory's exports and their round trip
# ---------------------------------------------------------------------------
@pytest.fixture
def hostile_directory(db):
    import_directory(**VALID)
    Structure.objects.filter(slug="atelier-du-reemploi").update(name=HOSTILE_NAME, phone=BELGIAN_PHONE)
    return Structure.objects.get(slug="atelier-du-reemploi")


def _csv_row(text: str, slug: str) -> dict:
    return next(row for row in csv.DictReader(io.StringIO(text)) if row.get("slug") == slug)


def _xlsx_cells(content, slug: str) -> dict:
    sheet = openpyxl.load_workbook(content).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == slug)
    return dict(zip(header, row, strict=True))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_is_inert_and_reimports_to_nothing_changed(fmt, tmp_path, hostile_directory):
    files = export_directory(fmt, tmp_path)

    path = files["structures"][0]
    if fmt == "csv":
        row = _csv_row(path.read_text(encoding="utf-8"), "atelier-du-reemploi")
        assert (row["name"], row["phone"]) == ("'" + HOSTILE_NAME, "'" + BELGIAN_PHONE)
    else:
        cells = _xlsx_cells(path, "atelier-du-reemploi")
        assert (cells["name"].data_type, cells["name"].value) == ("s", "'" + HOSTILE_NAME)
        assert (cells["phone"].data_type, cells["phone"].value) == ("s", "'" + BELGIAN_PHONE)

    report = import_directory(**{kind: path for kind, (path, _) in files.items()})

    assert report.changes == []
    assert report.count("structures", "unchanged") == 4
    assert Structure.objects.values_list("name", "phone").get(slug="atelier-du-reemploi") == (
        HOSTILE_NAME,
        BELGIAN_PHONE,
    )


@pytest.mark.django_db
def test_export_command_writes_an_inert_csv(tmp_path, hostile_directory):
    call_command("export_directory", "--format", "csv", "--out", str(tmp_path), stdout=io.StringIO())

    row = _csv_row((tmp_path / "structures.csv").read_text(encoding="utf-8"), "atelier-du-reemploi")
    assert row["name"] == "'" + HOSTILE_NAME


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_admin_export_zip_is_inert(fmt, admin_client, hostile_directory):
    response = admin_client.get("/admin/annuaire/transfert/export/", {"format": fmt})

    archive = zipfile.ZipFile(io.BytesIO(response.getvalue()))
    content = archive.read(f"structures.{fmt}")
    if fmt == "csv":
        assert _csv_row(content.decode("utf-8"), "atelier-du-reemploi")["phone"] == "'" + BELGIAN_PHONE
    else:
        cell = _xlsx_cells(io.BytesIO(content), "atelier-du-reemploi")["name"]
        assert (cell.data_type, cell.value) == ("s", "'" + HOSTILE_NAME)


@pytest.mark.django_db
def test_open_data_csv_is_inert(client, make_structure):
    make_structure(name=HOSTILE_NAME, phone=BELGIAN_PHONE, longitude=-1.5536)

    response = client.get("/annuaire/donnees/structures.csv")

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    row = _csv_row(text, "soleil-du-nord")
    assert (row["name"], row["phone"], row["longitude"]) == ("'" + HOSTILE_NAME, "'" + BELGIAN_PHONE, "-1.5536")


def test_every_spreadsheet_writer_goes_through_the_neutralising_module():
    raw_writers = []
    for package in first_party_packages():
        for path in package.rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            if path.name != "spreadsheets.py" and ("csv.writer(" in source or "csv.DictWriter(" in source):
                raw_writers.append(str(path.relative_to(ROOT)))
            if "Workbook(" in source and "xlsx_cells" not in source:
                raw_writers.append(str(path.relative_to(ROOT)))

    assert raw_writers == []


# ---------------------------------------------------------------------------
# Every Wagtail listing export, found from the admin's URLs and the form page types
# ---------------------------------------------------------------------------
def _view_classes(resolver):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _view_classes(pattern)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class is not None:
                yield view_class


def spreadsheet_export_views():
    found = {cls for cls in _view_classes(get_resolver()) if issubclass(cls, SpreadsheetExportMixin)}
    for page_model in get_page_models():
        if issubclass(page_model, FormMixin):
            found.add(page_model().get_submissions_list_view_class())
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


@pytest.mark.django_db  # a page instance, to ask each form page type for its submissions view
def test_every_wagtail_listing_export_is_inert():
    views = spreadsheet_export_views()
    sheet = Workbook(write_only=True).create_sheet()
    leaks = []
    for view_class in views:
        view = view_class()
        csv_value = view.preprocess_field_value("name", HOSTILE_NAME, view.FORMAT_CSV)
        (xlsx_cell,) = view.generate_xlsx_row(sheet, {"phone": BELGIAN_PHONE})
        if csv_value != "'" + HOSTILE_NAME or (xlsx_cell.data_type, xlsx_cell.value) != ("s", "'" + BELGIAN_PHONE):
            leaks.append((view_class.__qualname__, csv_value, xlsx_cell.data_type, xlsx_cell.value))

    assert leaks == []
    # Not a hand list of what is covered: only proof that the walk reaches snippets, reports, form submissions.
    names = {f"{cls.__module__}.{cls.__qualname__}" for cls in views}
    assert {
        "directory.wagtail_hooks.StructureIndexView",
        "home.views.LocalTimeSubmissionsListView",
        "wagtail.admin.views.reports.locked_pages.LockedPagesView",
    } <= names


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_structure_listing_export_is_inert(fmt, admin_client, hostile_directory):
    response = admin_client.get("/admin/snippets/directory/structure/", {"export": fmt})

    content = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        row = next(r for r in csv.reader(io.StringIO(content.decode("utf-8"))) if r[0] == "atelier-du-reemploi")
        assert row[1] == "'" + HOSTILE_NAME
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "atelier-du-reemploi")
        assert (row[1].data_type, row[1].value) == ("s", "'" + HOSTILE_NAME)
