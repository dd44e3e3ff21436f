"""The import's steps on their own: read → normalise → validate → write."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from directory.columns import FILES
from directory.importing import ImportReport, ParsedFiles, Row, reading, validating, writing
from directory.importing.normalising import (
    normalize_phone,
    normalize_postcode,
    normalize_website,
    normalize_year,
    parse_bool,
    parse_joined,
    split_list,
)
from directory.models import Person, Structure
from lagrappe.env import FALSE_VALUES, TRUE_VALUES, env_bool

STRUCTURE_HEADER = ",".join(FILES["structures"][0])


def structure_line(**values):
    cells = {column: "" for column in FILES["structures"][0]} | {
        "slug": "soleil",
        "name": "Soleil",
        "category": "collectif",
    }
    cells |= values
    return ",".join(f'"{cells[c]}"' if "," in cells[c] else cells[c] for c in FILES["structures"][0])


# ---------------------------------------------------------------------------
# Read
# ---------------------------------------------------------------------------
def test_read_gives_rows_of_stripped_cells_by_column():
    parsed = ParsedFiles()
    content = f"{STRUCTURE_HEADER}\n{structure_line(city='  Lille ', phone=chr(39) + '+32 56 52 73 94')}\n"

    reading.read_file("structures", ("s.csv", content.encode()), parsed)

    (row,) = parsed.rows["structures"]
    assert (row.file, row.line, row.delimiter) == ("s.csv", 2, ",")
    assert (row.values["city"], row.values["phone"]) == ("Lille", "+32 56 52 73 94")  # the export's mark removed
    assert parsed.issues == []
    assert parsed.unreadable == set()


def test_read_xlsx_by_the_sheet_named_after_the_kind():
    workbook = openpyxl.Workbook()
    workbook.active.title = "notes"
    sheet = workbook.create_sheet("sectors")
    sheet.append(["slug", "name"])
    sheet.append(["energie", "'=Énergie"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = ParsedFiles()

    reading.read_file("sectors", ("secteurs.xlsx", buffer.getvalue()), parsed)

    assert [row.values for row in parsed.rows["sectors"]] == [{"slug": "energie", "name": "=Énergie"}]


def test_read_header_reports_missing_unknown_and_repeated_columns_on_its_line():
    parsed = ParsedFiles()

    header = reading.read_header("p.csv", ",", (1, ["Slug", "nom", "slug"]), ["slug", "name"], parsed)

    assert header is None
    assert [(i.line, i.column, i.message[:25]) for i in parsed.issues] == [
        (1, "name", "colonne obligatoire absen"),
        (1, "nom", "colonne inconnue : suppri"),
        (1, "slug", "colonne présente plusieur"),
    ]


def test_read_row_refuses_a_wrong_cell_count():
    parsed = ParsedFiles()

    row = reading.read_row("s.csv", ";", ["slug", "name"], ["slug", "name"], (4, ["a", "b", "c"]), parsed)

    assert row is None
    assert [str(i) for i in parsed.issues] == [
        "s.csv, ligne 4 : 3 cellules au lieu de 2 (vérifiez les guillemets et les points-virgules)."
    ]


@pytest.mark.parametrize(
    "content, encoding",
    [("é".encode(), "utf-8"), ("\ufeffé".encode(), "utf-8"), ("é’".encode("cp1252"), "cp1252")],
    ids=["utf-8", "utf-8 BOM", "windows-1252"],
)
def test_decode_reads_utf8_and_unambiguous_windows_1252(content, encoding):
    assert reading.decode(content) == (content.decode(encoding).lstrip("\ufeff"), encoding)


def test_detect_delimiter_from_the_header_alone():
    assert reading.detect_delimiter("slug;name\na,b;c\n", ["slug", "name"]) == ";"
    assert reading.detect_delimiter("slug,name\na;b,c\n", ["slug", "name"]) == ","


# ---------------------------------------------------------------------------
# Normalise
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "function, raw, value",
    [
        (normalize_postcode, ("2000", 49.56, 3.62), "02000"),  # Laon: Excel dropped the zero
        (normalize_postcode, ("2000", None, None), "2000"),  # Antwerp, as far as anyone knows
        (normalize_postcode, ("59 000", None, None), "59000"),
        (normalize_phone, ("320001001",), "03 20 00 10 01"),
        (normalize_phone, ("+32\u202f56 52 73 94",), "+32 56 52 73 94"),
        (normalize_website, ("www.exemple.fr",), "https://www.exemple.fr"),
        (normalize_year, ("2009.0",), "2009"),
        (parse_joined, ("25/11/2026",), dt.date(2026, 11, 25)),
        (parse_joined, ("2026-11-25 00:00:00",), dt.date(2026, 11, 25)),
        (parse_joined, ("",), None),
        (split_list, ("Énergie; énergie ;Bois",), ["Énergie", "Bois"]),
        (split_list, ("Bâtiment, travaux publics|Énergie", ";"), ["Bâtiment, travaux publics", "Énergie"]),
        (parse_bool, ("X",), True),
        (parse_bool, ("",), False),
    ],
    ids=lambda v: repr(v)[:30],
)
def test_normalisers_repair_what_spreadsheets_do(function, raw, value):
    assert function(*raw) == value


@pytest.mark.parametrize(
    "function, raw, message",
    [
        (normalize_phone, "3,2E+08", "numéro « 3,2E+08 » en notation scientifique"),
        (parse_joined, "31/02/2026", "la date « 31/02/2026 » n’existe pas."),
        (parse_bool, "peut-être", "valeur « peut-être » non reconnue"),
    ],
)
def test_normalisers_raise_a_french_message_for_what_cannot_be_repaired(function, raw, message):
    with pytest.raises(ValidationError) as error:
        function(raw)
    assert error.value.messages[0].startswith(message)


@pytest.mark.parametrize("value", sorted(TRUE_VALUES | FALSE_VALUES - {""}))
def test_one_definition_of_booleans_for_the_environment_and_the_import(value, monkeypatch):
    monkeypatch.setenv("LAGRAPPE_TEST_BOOLEAN", value.upper())

    assert parse_bool(value.upper()) is (value in TRUE_VALUES)
    assert env_bool("LAGRAPPE_TEST_BOOLEAN") is (value in TRUE_VALUES)


# ---------------------------------------------------------------------------
# Validate
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(FILES))
def test_every_column_of_every_file_has_a_spec(kind):
    spec = validating.SPECS[kind]

    columns = [item.name for item in spec.fields if isinstance(item, validating.Column)]
    assert sorted(columns) == sorted(FILES[kind][0])
    assert set(validating.ORDER) == set(FILES)


@pytest.mark.django_db
def test_validate_row_records_values_and_reports_each_column(taxonomy):
    parsed = ParsedFiles()
    known = validating.Known(parsed, names={"skills": {"photovoltaïque": "Photovoltaïque"}, "sectors": {}})
    values = dict.fromkeys(FILES["structures"][0], "") | {
        "slug": "soleil", "name": "Soleil", "category": "Projet collectif", "membership": "cluster;reseau",
        "skills": "photovoltaïque", "sectors": "Spatial", "latitude": "50,63", "postcode": "59 000",
    }  # fmt: skip
    row = Row("s.csv", 7, values)

    record = validating.validate_row(validating.SPECS["structures"], row, known)

    assert (record["slug"], record["category"], record["memberships"], record["skills"]) == (
        "soleil", "collectif", ["cluster", "reseau"], ["Photovoltaïque"]
    )  # fmt: skip
    assert (record["latitude"], record["postcode"]) == (50.63, "59000")
    assert [(i.line, i.column, i.message) for i in parsed.issues] == [
        (7, "longitude", "indiquez la latitude et la longitude ensemble, ou aucune des deux."),
        (7, "sectors", "secteur inconnu : « Spatial » (à créer d’abord dans la taxonomie ou dans le fichier des secteurs)."),
    ]  # fmt: skip


def test_a_column_reports_its_required_message_without_parsing():
    column = validating.Column("name", lambda raw, row, known: 1 / 0, required="valeur obligatoire.")
    record = {}

    assert column.validate(Row("f.csv", 2, {"name": ""}), None, record) == ["valeur obligatoire."]
    assert record == {}


# ---------------------------------------------------------------------------
# Write
# ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_writers_run_in_order_and_a_new_writer_plugs_in(monkeypatch, taxonomy):
    record = {
        "slug": "soleil", "name": "Soleil", "category": "collectif", "legal_form": "", "summary": "",
        "description": "", "address": "", "postcode": "", "city": "Lille", "latitude": None, "longitude": None,
        "website": "", "email": "", "phone": "", "founded": None, "joined": None, "memberships": ["cluster"],
        "skills": ["Photovoltaïque"], "sectors": [],
    }  # fmt: skip
    person = {"structure_slug": "soleil", "first_name": "Alice", "last_name": "Martin", "role": "", "email": "",
              "phone": "", "public": True, "skills": []}  # fmt: skip
    seen = []
    monkeypatch.setattr(
        writing, "WRITERS", (*writing.WRITERS, lambda cleaned, report, written, user: seen.append(written.structures))
    )
    report = ImportReport()

    written = writing.apply({"sectors": [], "skills": [], "structures": [record], "people": [person]}, report)

    structure = Structure.objects.get()
    assert seen == [{structure.pk}] and written.structures == {structure.pk}
    assert report.changes == [
        ("structures", "created", "Soleil (soleil)"),
        ("people", "created", "Alice Martin (soleil)"),
    ]
    assert Person.objects.get().structure == structure
