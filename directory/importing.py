"""Import of the cluster's spreadsheets (CSV, UTF-8, comma-separated, header row).

Two phases, so an import is all or nothing:

1. ``parse_files`` reads every file and validates every row against the model
   fields (their validators give the French messages), the taxonomy (known
   skill/sector names, in the database or in the files being imported) and the
   files' own consistency (duplicate slugs, people of unknown structures). Every
   defect is collected as an ``ImportIssue(file, line, column, message)``; the
   line is the physical line where the CSV record starts (records may span lines).
2. ``apply`` runs only when there is no issue, inside ``transaction.atomic``:
   upsert by slug, compared with what exists so that re-importing the same files
   reports everything ``unchanged`` and writes nothing. ``dry_run`` computes the
   same report and rolls back.

Structures are written with ``bulk_create``/``bulk_update`` and through-table
diffs (no per-row save), so an import of tens of thousands of rows stays linear.
People listed in the people file *replace* their structure's people: matched by
(first_name, last_name, email), updated in place, created, and the ones absent
from the file are deleted. Structures absent from the people file keep theirs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify

from lagrappe.spreadsheets import restore

from .columns import FILES, LIST_SEPARATOR
from .models import CATEGORY_CHOICES, MEMBERSHIP_CHOICES, Person, Sector, Skill, SkillDomain, Structure
from .models.structures import SUMMARY_MAX_LENGTH
from .models.taxonomy import split_synonyms

CATEGORY_BY_INPUT = {key: key for key, _ in CATEGORY_CHOICES} | {label.lower(): key for key, label in CATEGORY_CHOICES}
MEMBERSHIP_BY_INPUT = {key: key for key, _ in MEMBERSHIP_CHOICES} | {
    label.lower(): key for key, label in MEMBERSHIP_CHOICES
}
STRUCTURE_SCALAR_FIELDS = [
    "name", "category", "legal_form", "summary", "description", "address", "postcode", "city", "latitude",
    "longitude", "website", "email", "phone", "founded", "joined",
]  # fmt: skip
PERSON_FIELDS = ["role", "phone", "public"]
BATCH_SIZE = 500


class ImportFailed(Exception):
    """Raised by ``import_directory`` when any row is invalid: nothing was written."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__(f"{len(report.issues)} erreur(s) : import annulé, rien n’a été enregistré.")


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

    @property
    def ok(self) -> bool:
        return not self.issues

    def count(self, kind: str, action: str) -> int:
        return self.counts[kind][action]

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


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------
def _read_source(source) -> tuple[str, bytes | str]:
    """(display name, content) from a path, a file object or a (name, bytes/str) pair."""
    if isinstance(source, tuple):
        return source
    if isinstance(source, (str, Path)):
        return Path(source).name, Path(source).read_bytes()
    return Path(getattr(source, "name", "") or "fichier.csv").name, source.read()


def _is_xlsx(name: str, content) -> bool:
    return name.lower().endswith(".xlsx") or (isinstance(content, bytes) and content[:2] == b"PK")


def _xlsx_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.date().isoformat() if hasattr(value, "date") and callable(value.date) else value.isoformat()
    return str(value)


def _xlsx_records(kind: str, content: bytes):
    """(line, cells) from the sheet named after the kind, or the first sheet."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = workbook[kind] if kind in workbook.sheetnames else workbook.worksheets[0]
    for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield line, [_xlsx_cell(v) for v in values]
    workbook.close()


# Larger than any real cell (descriptions are unlimited) but bounded; the upload limit is 20 MB.
csv.field_size_limit(max(csv.field_size_limit(), 32 * 1024 * 1024))

# Non-ASCII characters a French spreadsheet saved in Windows-1252 holds: Latin-1 letters and the
# typography Word/Excel insert. Anything else (Ž, ˆ, ‰…) means another encoding (Mac Roman, CP850):
# decoding it as Windows-1252 would import mojibake, so the file is refused instead.
CP1252_PUNCTUATION = set("€’‘“”«»–—…•°·\xa0²³ªº§")
FRENCH_LETTERS = set("àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ")
# UTF-8 text that went through a Windows-1252 (or Latin-1) editor once too often: « Ã© » for « é »,
# « â€™ » for « ’ ». These sequences do not occur in French text.
_MOJIBAKE_TAIL = "".join(
    sorted({bytes([b]).decode("cp1252", "ignore") for b in range(0x80, 0xC0)} | {chr(c) for c in range(0x80, 0xC0)})
)
MOJIBAKE = re.compile(f"[ÃÂ][{re.escape(_MOJIBAKE_TAIL)}]|â€|Å[“’¸]")


class DecodingError(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message


def decode(content: bytes | str) -> tuple[str, str]:
    """(text, encoding): UTF-8 (BOM or not) is the reference; Windows-1252 only when unambiguous.

    French Excel saves « CSV (séparateur : point-virgule) » in Windows-1252. Such bytes are
    (almost always) invalid UTF-8; they are accepted when they decode strictly as Windows-1252
    to text whose non-ASCII characters are all French letters or common typography, and which
    contains at least one French letter. Otherwise the file is refused: no silent mojibake.
    """
    if isinstance(content, str):
        return content.lstrip("\ufeff"), "utf-8"
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DecodingError(1, "fichier encodé en UTF-16 (« Texte Unicode ») : enregistrez-le en « CSV UTF-8 ».")
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    line = content[: utf8_error.start].count(b"\n") + 1
    refusal = (
        f"le fichier n’est pas encodé en UTF-8 (octet 0x{content[utf8_error.start]:02X} ligne {line}) et ne se lit "
        "pas sans ambiguïté en Windows-1252 : enregistrez-le en « CSV UTF-8 »."
    )
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError:
        raise DecodingError(line, refusal) from None
    foreign = {ch for ch in text if ord(ch) > 127 and not (ch in CP1252_PUNCTUATION or ch in FRENCH_LETTERS)}
    if foreign or not any(ch in FRENCH_LETTERS for ch in text):
        raise DecodingError(line, refusal)
    return text, "cp1252"


def header_key(cell: str) -> str:
    """« Slug », « name  », « First name », « Prénom » → comparable keys (case, accents, spaces ignored)."""
    cell = unicodedata.normalize("NFKD", cell.replace("\ufeff", ""))
    cell = "".join(ch for ch in cell if not unicodedata.combining(ch)).casefold()
    return "_".join(re.split(r"[\s_\-]+", cell.strip()))


def _header_cells(line: str, delimiter: str) -> list[str]:
    cells = [header_key(c) for c in next(csv.reader([line], delimiter=delimiter), [])]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def detect_delimiter(text: str, columns: list[str]) -> str:
    """``;`` only when the header line split on ``;`` gives known column names and split on ``,`` does not.

    Decided from the header alone: data lines legitimately contain both characters.
    """
    lines = io.StringIO(text, newline="")  # lazily: the file may be large
    first = next((line.rstrip("\r\n") for line in lines if line.strip(" \t\r\n,;\"'")), "")

    def known(delimiter):
        cells = _header_cells(first, delimiter)
        return len(cells) >= 2 and all(c in columns for c in cells)

    return ";" if known(";") and not known(",") else ","


def _csv_records(text: str, delimiter: str, name: str, parsed: ParsedFiles):
    """(line where the record starts, cells): quoted cells may span several lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records, start = [], 1
    try:
        for cells in reader:
            records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        parsed.error(name, reader.line_num or 1, "", f"fichier CSV mal formé ({exc}).")
    return records


def read_csv(kind: str, source, parsed: ParsedFiles) -> None:
    """Read one file (CSV, or XLSX as exported) into ``parsed.rows[kind]``, recording issues."""
    columns = FILES[kind][0]
    parsed.unreadable.add(kind)  # until its header is understood
    try:
        name, content = _read_source(source)
    except OSError as exc:
        parsed.error(str(source), 0, "", f"fichier illisible ({exc.strerror}).")
        return
    parsed.files.setdefault(name, len(parsed.files))
    delimiter = ","
    try:
        if _is_xlsx(name, content):
            records = list(_xlsx_records(kind, content))
        else:
            text, _encoding = decode(content)
            delimiter = detect_delimiter(text, columns)
            records = _csv_records(text, delimiter, name, parsed)
    except DecodingError as exc:
        parsed.error(name, exc.line, "", exc.message)
        return
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a damaged workbook
        parsed.error(name, 1, "", f"classeur XLSX illisible ({exc.__class__.__name__}).")
        return
    # Spreadsheets often carry trailing empty columns and rows.
    records = [(line, cells) for line, cells in records if any(c.strip() for c in cells)]
    if not records:
        parsed.error(name, 1, "", "le fichier est vide : une ligne d’en-tête est attendue.")
        return
    header_line, raw_header = records[0]
    raw_header = [h.strip() for h in raw_header]
    while raw_header and raw_header[-1] == "":
        raw_header.pop()
    header = [header_key(h) for h in raw_header]
    if delimiter == "," and len(header) == 1 and ";" in raw_header[0]:
        # A semicolon file whose header has a typo: say so instead of one giant unknown column.
        cells = [c.strip() for c in raw_header[0].split(";")]
        raw_header, header = cells, [header_key(c) for c in cells]
        parsed.error(
            name,
            header_line,
            "",
            "en-tête séparé par des points-virgules mais dont les colonnes ne sont pas toutes reconnues : "
            "corrigez les colonnes signalées.",
        )
    missing = [c for c in columns if c not in header]
    unknown = [raw for raw, key in zip(raw_header, header, strict=True) if key not in columns]
    duplicates = [c for c, n in Counter(header).items() if n > 1 and c in columns]
    for column in missing:
        parsed.error(name, header_line, column, "colonne obligatoire absente de l’en-tête.")
    for column in unknown:
        parsed.error(
            name,
            header_line,
            column or "(vide)",
            "colonne inconnue : supprimez-la ou renommez-la, elle ne serait pas importée "
            f"(colonnes attendues : {', '.join(columns)}).",
        )
    for column in duplicates:
        parsed.error(name, header_line, column, "colonne présente plusieurs fois dans l’en-tête.")
    if missing or unknown or duplicates:
        return
    parsed.unreadable.discard(kind)
    rows = []
    for line, cells in records[1:]:
        extra = cells[len(header) :]
        if len(cells) < len(header) or any(c.strip() for c in extra):
            separator = "points-virgules" if delimiter == ";" else "virgules"
            parsed.error(
                name,
                line,
                "",
                f"{len(cells)} cellules au lieu de {len(header)} (vérifiez les guillemets et les {separator}).",
            )
            continue
        # ``restore``: the export's mark against formulas (« '=… », « '+32 … ») is not part of the value.
        values = {h: restore(c).strip() for h, c in zip(header, cells[: len(header)], strict=True)}
        row = Row(name, line, values, delimiter)
        for column in columns:
            garbled = MOJIBAKE.search(row.values[column])
            if garbled:
                parsed.error(
                    row,
                    column,
                    f"texte mal encodé « {garbled.group()} » (accents abîmés par une conversion d’encodage) : "
                    "corrigez la cellule ou ré-enregistrez le fichier d’origine en « CSV UTF-8 ».",
                )
        rows.append(row)
    parsed.rows[kind] = rows


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------
def split_list(raw: str, delimiter: str = ",") -> list[str]:
    """Items of a list cell (membership, skills, sectors, synonyms), de-duplicated.

    Comma-separated files (the reference): items separated by ``;``. Semicolon-separated files
    (French Excel): by ``|``, or by ``,`` when the cell holds no ``|`` (nor a quoted ``;``) — so a
    name containing a comma is written with ``|`` between items.
    """
    if delimiter == ";":
        pattern = r"[|;]" if re.search(r"[|;]", raw) else ","
    else:
        pattern = LIST_SEPARATOR
    seen, items = set(), []
    for part in re.split(pattern, raw):
        item = " ".join(part.split())
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            items.append(item)
    return items


def _split(row: Row, column: str) -> list[str]:
    return split_list(row.values[column], row.delimiter)


# Booleans as spreadsheets write them; empty means no consent, the safe default.
TRUE_VALUES = {"true", "oui", "vrai", "1", "yes", "o", "y", "x"}
FALSE_VALUES = {"false", "non", "faux", "0", "no", "n", ""}


def clearly_in_france(latitude: float, longitude: float) -> bool:
    """Whether the point lies in France, with a margin from Belgium, Luxembourg and Switzerland.

    A deliberately conservative staircase (not a border polygon): a point near a border answers
    False, so a 4-digit code there is kept as given. Lille's neighbours (Mouscron 7700, Tournai 7500)
    stay Belgian; Laon (Aisne), Ain, Ardèche… are recognised as French.
    """
    if not (41.3 <= latitude <= 51.1 and -5.2 <= longitude <= 9.6):
        return False
    if 45.8 <= latitude <= 47.85 and longitude >= 5.95:  # Switzerland and its border
        return False
    if latitude >= 49.4 and longitude >= 5.7:  # Luxembourg, Germany
        return False
    if longitude < 2.54:  # west of Belgium's coast (Dunkerque)
        return True
    southmost_belgium = 50.25 if longitude < 4.0 else 49.9 if longitude < 4.8 else 49.45
    return latitude < southmost_belgium


def normalize_postcode(raw: str, latitude: float | None, longitude: float | None) -> str:
    """« 59 000 », « 59000.0 » → 59000; « 2000 » → 02000 only when the point is clearly in France.

    Excel turns 02000 (Laon) into 2000, which is also a valid Belgian postcode (Antwerp); the model
    knows only French and Belgian codes, so the structure's coordinates settle it. Without them, or
    near a border, the code is kept as given (a Belgian code).
    """
    compact = re.sub(r"\s", "", raw)
    match = re.fullmatch(r"(\d{4,5})(?:[.,]0+)?", compact)
    if not match:
        return raw
    code = match.group(1)
    if len(code) == 4 and latitude is not None and longitude is not None and clearly_in_france(latitude, longitude):
        code = "0" + code
    return code


def normalize_phone(raw: str) -> str | ValidationError:
    """Keeps the number as typed (spaces, dots, dashes, +33, (0)); repairs what Excel did to it.

    « 320001001 » (Excel dropped the leading zero of a 10-digit French number) → « 03 20 00 10 01 ».
    A number shown in scientific notation (« 3,2E+08 ») has lost digits: an error, not a guess.
    """
    value = " ".join(raw.replace("\u202f", " ").split())
    if re.fullmatch(r"\d+(?:[.,]\d+)?[eE]\+?\d+", value):
        return ValidationError(
            f"numéro « {raw} » en notation scientifique : Excel a perdu des chiffres. Mettez la colonne au format "
            "Texte et retapez le numéro."
        )
    if re.fullmatch(r"[1-9]\d{8}", value):
        value = "0" + value
        value = " ".join(value[i : i + 2] for i in range(0, 10, 2))
    return value


def normalize_website(raw: str) -> str:
    """« www.exemple.fr » → « https://www.exemple.fr »: a bare domain is clear; anything else is validated as typed."""
    if raw and "://" not in raw and re.fullmatch(r"(?i)[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}(?:[/?#]\S*)?", raw):
        return "https://" + raw
    return raw


def normalize_year(raw: str) -> str:
    """« 2009.0 » (Excel's number) → « 2009 »."""
    match = re.fullmatch(r"(\d{4})[.,]0+", raw)
    return match.group(1) if match else raw


def parse_joined(raw: str) -> dt.date | None | ValidationError:
    """ISO ``AAAA-MM-JJ`` (the reference), French ``JJ/MM/AAAA``, or Excel's ``AAAA-MM-JJ 00:00:00``."""
    if not raw:
        return None
    french = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", raw)
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?", raw)
    try:
        if french:
            return dt.date(int(french.group(3)), int(french.group(2)), int(french.group(1)))
        if iso:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    except ValueError:
        return ValidationError(f"la date « {raw} » n’existe pas.")
    return ValidationError(f"date « {raw} » non reconnue : AAAA-MM-JJ (2026-11-25) ou JJ/MM/AAAA (25/11/2026).")


def _float_or_none(raw: str) -> float | None:
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        return None


def _clean_field(model, name, raw, row: Row, parsed: ParsedFiles, column=None):
    """Model field validation with Django's French messages; returns the Python value or None.

    ``raw`` may be what a normalizer made of the cell: a value, or the ``ValidationError`` it raised.
    """
    model_field = model._meta.get_field(name)
    if isinstance(raw, ValidationError):
        for message in raw.messages:
            parsed.error(row, column or name, message)
        return None
    if not isinstance(raw, str):  # already parsed (a date)
        raw = raw.isoformat() if raw is not None else ""
    value = raw
    if raw == "" and model_field.null:
        return None
    if name in ("latitude", "longitude"):
        value = raw.replace(",", ".")  # French decimal comma
    try:
        return model_field.clean(value, None)
    except ValidationError as exc:
        for message in exc.messages:
            parsed.error(row, column or name, message)
        return None


def _validate_slug(row: Row, column: str, seen: dict, parsed: ParsedFiles) -> str | None:
    slug = row.values[column]
    if not slug:
        parsed.error(row, column, "l’identifiant est obligatoire.")
        return None
    if slugify(slug) != slug:
        parsed.error(
            row,
            column,
            f"identifiant invalide « {slug} » : minuscules, chiffres et tirets seulement (ex. {slugify(slug) or 'ma-structure'}).",
        )
        return None
    if slug in seen:
        parsed.error(row, column, f"identifiant « {slug} » déjà utilisé ligne {seen[slug]} de ce fichier.")
        return None
    seen[slug] = row.line
    return slug


def _require(row: Row, column: str, parsed: ParsedFiles) -> str | None:
    if not row.values[column]:
        parsed.error(row, column, "valeur obligatoire.")
        return None
    return row.values[column]


UNKNOWN = {"compétence": "compétence inconnue", "secteur": "secteur inconnu"}


def _names_to_ids(row, column, known: dict[str, object], label: str, parsed: ParsedFiles) -> list:
    resolved = []
    file_unreadable = ("skills" if label == "compétence" else "sectors") in parsed.unreadable
    for name in _split(row, column):
        key = name.casefold()
        if key in known:
            resolved.append(known[key])
        elif not file_unreadable:  # its file's errors are already reported; its names are unknown
            parsed.error(
                row,
                column,
                f"{UNKNOWN[label]} : « {name} » (à créer d’abord dans la taxonomie ou dans le fichier des {label}s).",
            )
    return resolved


def validate(parsed: ParsedFiles) -> dict:
    """Validate every parsed row; returns cleaned records by kind (meaningful only without issues)."""
    cleaned = {"sectors": [], "skills": [], "structures": [], "people": []}

    # Sectors ---------------------------------------------------------------
    seen: dict = {}
    known_sectors = {name.casefold(): name for name in Sector.objects.values_list("name", flat=True)}
    for row in parsed.rows.get("sectors", []):
        slug = _validate_slug(row, "slug", seen, parsed)
        name = _require(row, "name", parsed)
        if name is not None:
            _clean_field(Sector, "name", name, row, parsed)
        if slug and name:
            cleaned["sectors"].append({"slug": slug, "name": name, "row": row})
            known_sectors[name.casefold()] = name

    # Skills ------------------------------------------------------------------
    seen = {}
    known_skills = {name.casefold(): name for name in Skill.objects.values_list("name", flat=True)}
    for row in parsed.rows.get("skills", []):
        slug = _validate_slug(row, "slug", seen, parsed)
        name = _require(row, "name", parsed)
        if name is not None:
            _clean_field(Skill, "name", name, row, parsed)
        domain = " ".join(row.values["domain"].split())
        if len(domain) > 120:
            parsed.error(row, "domain", "le nom du domaine ne doit pas dépasser 120 caractères.")
        if slug and name:
            synonyms = "\n".join(split_synonyms("\n".join(_split(row, "synonyms"))))
            cleaned["skills"].append({"slug": slug, "name": name, "domain": domain, "synonyms": synonyms, "row": row})
            known_skills[name.casefold()] = name

    # Structures ----------------------------------------------------------------
    seen = {}
    for row in parsed.rows.get("structures", []):
        record = {"row": row}
        record["slug"] = _validate_slug(row, "slug", seen, parsed)
        if _require(row, "name", parsed) is not None:
            record["name"] = _clean_field(Structure, "name", row.values["name"], row, parsed)
        category = row.values["category"]
        if category.casefold() in CATEGORY_BY_INPUT:
            record["category"] = CATEGORY_BY_INPUT[category.casefold()]
        else:
            parsed.error(
                row,
                "category",
                f"catégorie inconnue « {category} » (attendu : {', '.join(k for k, _ in CATEGORY_CHOICES)}).",
            )
        memberships = []
        for item in _split(row, "membership"):
            if item.casefold() in MEMBERSHIP_BY_INPUT:
                memberships.append(MEMBERSHIP_BY_INPUT[item.casefold()])
            else:
                parsed.error(
                    row,
                    "membership",
                    f"appartenance inconnue « {item} » (attendu : {', '.join(k for k, _ in MEMBERSHIP_CHOICES)}).",
                )
        record["memberships"] = sorted(set(memberships))
        if len(row.values["summary"]) > SUMMARY_MAX_LENGTH:
            parsed.error(
                row,
                "summary",
                f"le résumé ne doit pas dépasser {SUMMARY_MAX_LENGTH} caractères (actuellement {len(row.values['summary'])}).",
            )
        else:
            record["summary"] = row.values["summary"]
        point = [_float_or_none(row.values[name]) for name in ("latitude", "longitude")]
        for name in ("legal_form", "description", "address", "postcode", "city", "latitude", "longitude", "website",
                     "email", "phone", "founded", "joined"):  # fmt: skip
            raw = row.values[name]
            if name == "postcode":
                raw = normalize_postcode(raw, *point)
            elif name == "website":
                raw = normalize_website(raw)
            elif name == "phone":
                raw = normalize_phone(raw)
            elif name == "founded":
                raw = normalize_year(raw)
            elif name == "joined":
                raw = parse_joined(raw)
            record[name] = _clean_field(Structure, name, raw, row, parsed)
        for name in ("latitude", "longitude"):
            if record[name] is None and row.values[name] == "":
                record[name] = None
        if (row.values["latitude"] == "") != (row.values["longitude"] == ""):
            missing = "longitude" if row.values["longitude"] == "" else "latitude"
            parsed.error(row, missing, "indiquez la latitude et la longitude ensemble, ou aucune des deux.")
        for name in ("legal_form", "description", "address", "postcode", "city", "website", "email", "phone"):
            if record[name] is None:
                record[name] = ""
        record["skills"] = sorted(_names_to_ids(row, "skills", known_skills, "compétence", parsed))
        record["sectors"] = sorted(_names_to_ids(row, "sectors", known_sectors, "secteur", parsed))
        cleaned["structures"].append(record)

    # People --------------------------------------------------------------------
    structure_slugs = {r["slug"] for r in cleaned["structures"] if r.get("slug")}
    file_slugs = set(seen)
    db_slugs = set(
        Structure.objects.filter(
            slug__in={r.values["structure_slug"] for r in parsed.rows.get("people", [])} - file_slugs
        ).values_list("slug", flat=True)
    )
    keys_seen: dict = {}
    for row in parsed.rows.get("people", []):
        record = {"row": row}
        slug = row.values["structure_slug"]
        if not slug:
            parsed.error(row, "structure_slug", "l’identifiant de la structure est obligatoire.")
        elif "structures" in parsed.unreadable:
            pass  # the structures file's header is broken and reported: its slugs are unknown
        elif slug not in structure_slugs and slug not in db_slugs and slug not in file_slugs:
            parsed.error(
                row,
                "structure_slug",
                f"structure inconnue « {slug} » (ni dans l’annuaire, ni dans le fichier des structures).",
            )
        record["structure_slug"] = slug
        for name in ("first_name", "last_name"):
            if _require(row, name, parsed) is not None:
                record[name] = _clean_field(Person, name, row.values[name], row, parsed)
        for name in ("role", "email", "phone"):
            raw = normalize_phone(row.values[name]) if name == "phone" else row.values[name]
            value = _clean_field(Person, name, raw, row, parsed)
            record[name] = value or ""
        public = row.values["public"].casefold()
        if public in TRUE_VALUES:
            record["public"] = True
        elif public in FALSE_VALUES:
            record["public"] = False  # empty means no consent: the safe default
        else:
            parsed.error(
                row,
                "public",
                f"valeur « {row.values['public']} » non reconnue : oui/non, vrai/faux, true/false, yes/no, 1/0, "
                "x ou vide (vide = non).",
            )
        record["skills"] = sorted(_names_to_ids(row, "skills", known_skills, "compétence", parsed))
        key = (slug, row.values["first_name"], row.values["last_name"], row.values["email"].lower())
        if key in keys_seen:
            parsed.error(
                row,
                "first_name",
                f"personne déjà présente ligne {keys_seen[key]} pour cette structure (même prénom, nom et e-mail).",
            )
        keys_seen[key] = row.line
        cleaned["people"].append(record)
    return cleaned


def parse_files(structures=None, people=None, skills=None, sectors=None) -> tuple[ParsedFiles, dict]:
    """Read and validate the given files (paths, file objects or (name, content)); writes nothing."""
    parsed = ParsedFiles()
    with translation.override("fr"):
        for kind, source in (("sectors", sectors), ("skills", skills), ("structures", structures), ("people", people)):
            if source is not None:
                read_csv(kind, source, parsed)
        cleaned = validate(parsed)
    # Stable sort: within a line, issues keep the column order they were found in.
    parsed.issues.sort(key=lambda i: (parsed.files.get(i.file, -1), i.line))
    return parsed, cleaned


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------
def _chunks(items, size=BATCH_SIZE):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _apply_taxonomy(cleaned: dict, report: ImportReport) -> bool:
    synonyms_changed = False
    for record in cleaned["sectors"]:
        sector = Sector.objects.filter(slug=record["slug"]).first()
        if sector is None:
            Sector.objects.create(slug=record["slug"], name=record["name"])
            report.counts["sectors"]["created"] += 1
            report.changes.append(("sectors", "created", record["name"]))
        elif sector.name != record["name"]:
            sector.name = record["name"]
            sector.save()
            report.counts["sectors"]["updated"] += 1
            report.changes.append(("sectors", "updated", record["name"]))
        else:
            report.counts["sectors"]["unchanged"] += 1

    domains = {d.name.casefold(): d for d in SkillDomain.objects.all()}
    for record in cleaned["skills"]:
        domain = None
        if record["domain"]:
            domain = domains.get(record["domain"].casefold())
            if domain is None:
                slug = slugify(record["domain"])[:120] or "domaine"
                domain = SkillDomain.objects.create(name=record["domain"], slug=slug)
                domains[domain.name.casefold()] = domain
        skill = Skill.objects.filter(slug=record["slug"]).first()
        wanted = {"name": record["name"], "domain_id": domain.pk if domain else None, "synonyms": record["synonyms"]}
        if skill is None:
            Skill.objects.create(slug=record["slug"], **wanted)
            report.counts["skills"]["created"] += 1
            report.changes.append(("skills", "created", record["name"]))
            synonyms_changed = True
        elif any(getattr(skill, k) != v for k, v in wanted.items()):
            for key, value in wanted.items():
                setattr(skill, key, value)
            skill.save()
            report.counts["skills"]["updated"] += 1
            report.changes.append(("skills", "updated", record["name"]))
            synonyms_changed = True
        else:
            report.counts["skills"]["unchanged"] += 1
    return synonyms_changed


def _sync_links(through, owner_field: str, target_field: str, wanted: dict[int, list]) -> set[int]:
    """Make the through table match ``wanted`` (owner id -> target ids); returns the owners that changed."""
    changed = set()
    for chunk in _chunks(wanted):
        current = defaultdict(set)
        for owner, target in through.objects.filter(**{f"{owner_field}__in": chunk}).values_list(
            owner_field, target_field
        ):
            current[owner].add(target)
        to_delete, to_create = [], []
        for owner in chunk:
            want = set(wanted[owner])
            if current[owner] != want:
                changed.add(owner)
                to_delete += [(owner, t) for t in current[owner] - want]
                to_create += [through(**{owner_field: owner, target_field: t}) for t in want - current[owner]]
        for owner, target in to_delete:
            through.objects.filter(**{owner_field: owner, target_field: target}).delete()
        through.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    return changed


def _apply_structures(cleaned: dict, report: ImportReport, user=None) -> set[int]:
    records = cleaned["structures"]
    if not records:
        return set()
    skill_ids = {name.casefold(): pk for name, pk in Skill.objects.values_list("name", "id")}
    sector_ids = {name.casefold(): pk for name, pk in Sector.objects.values_list("name", "id")}
    existing = {}
    for chunk in _chunks([r["slug"] for r in records]):
        existing.update(Structure.objects.in_bulk(chunk, field_name="slug"))

    now = timezone.now()
    to_create, to_update, scalar_changed = [], [], set()
    for record in records:
        values = {name: record[name] for name in STRUCTURE_SCALAR_FIELDS}
        structure = existing.get(record["slug"])
        if structure is None:
            to_create.append(
                Structure(slug=record["slug"], live=True, first_published_at=now, last_published_at=now, **values)
            )
        elif any(getattr(structure, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(structure, key, value)
            structure.updated_at = now
            to_update.append(structure)
            scalar_changed.add(structure.pk)
    created = Structure.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    Structure.objects.bulk_update(to_update, STRUCTURE_SCALAR_FIELDS + ["updated_at"], batch_size=BATCH_SIZE)
    created_ids = {s.pk for s in created}
    by_slug = {**existing, **{s.slug: s for s in created}}

    def wanted(key, ids):
        return {by_slug[r["slug"]].pk: [ids[n.casefold()] for n in r[key]] for r in records}

    links_changed = _sync_links(
        Structure.memberships.through, "structure_id", "membership_id",
        {by_slug[r["slug"]].pk: r["memberships"] for r in records},
    )  # fmt: skip
    links_changed |= _sync_links(Structure.skills.through, "structure_id", "skill_id", wanted("skills", skill_ids))
    links_changed |= _sync_links(Structure.sectors.through, "structure_id", "sector_id", wanted("sectors", sector_ids))

    updated_ids = (scalar_changed | links_changed) - created_ids
    if links_changed - scalar_changed - created_ids:
        Structure.objects.filter(pk__in=links_changed - scalar_changed - created_ids).update(updated_at=now)
    for record in records:
        structure = by_slug[record["slug"]]
        action = "created" if structure.pk in created_ids else "updated" if structure.pk in updated_ids else "unchanged"
        report.counts["structures"][action] += 1
        if action != "unchanged":
            report.changes.append(("structures", action, f"{structure.name} ({structure.slug})"))
    return created_ids | updated_ids


def _apply_people(cleaned: dict, report: ImportReport) -> set[int]:
    records = cleaned["people"]
    if not records:
        return set()
    skill_ids = {name.casefold(): pk for name, pk in Skill.objects.values_list("name", "id")}
    slugs = {r["structure_slug"] for r in records}
    structure_ids = {}
    for chunk in _chunks(slugs):
        structure_ids.update(Structure.objects.filter(slug__in=chunk).values_list("slug", "id"))
    by_structure = defaultdict(list)
    for record in records:
        by_structure[structure_ids[record["structure_slug"]]].append(record)

    changed_structures, updated = set(), set()
    wanted_skills: dict[int, list[int]] = {}
    for chunk in _chunks(by_structure):
        current = defaultdict(dict)
        for person in Person.objects.filter(structure_id__in=chunk):
            current[person.structure_id][(person.first_name, person.last_name, person.email.lower())] = person
        to_create, create_skills, to_update = [], [], []
        for structure_id in chunk:
            kept = set()
            for order, record in enumerate(by_structure[structure_id]):
                key = (record["first_name"], record["last_name"], record["email"].lower())
                values = {"role": record["role"], "phone": record["phone"], "public": record["public"],
                          "email": record["email"], "sort_order": order}  # fmt: skip
                person = current[structure_id].get(key)
                label = f"{record['first_name']} {record['last_name']} ({record['structure_slug']})"
                if person is None:
                    to_create.append(Person(structure_id=structure_id, first_name=record["first_name"],
                                            last_name=record["last_name"], **values))  # fmt: skip
                    create_skills.append([skill_ids[n.casefold()] for n in record["skills"]])
                    report.counts["people"]["created"] += 1
                    report.changes.append(("people", "created", label))
                    changed_structures.add(structure_id)
                    continue
                kept.add(key)
                wanted_skills[person.pk] = [skill_ids[n.casefold()] for n in record["skills"]]
                if any(getattr(person, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(person, k, v)
                    to_update.append((person, label))
            for key, person in current[structure_id].items():
                if key not in kept:
                    person.delete()
                    report.counts["people"]["deleted"] += 1
                    report.changes.append(("people", "deleted", f"{person.full_name} ({structure_id})"))
                    changed_structures.add(structure_id)
        created = Person.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        for person, skills in zip(created, create_skills, strict=True):
            wanted_skills[person.pk] = skills
        Person.objects.bulk_update([p for p, _ in to_update], ["role", "phone", "public", "email", "sort_order"])
        _sync_links(Person.skills.through, "person_id", "skill_id", {p.pk: wanted_skills.pop(p.pk) for p in created})
        updated |= {p.pk for p, _ in to_update}
        for person, label in to_update:
            report.counts["people"]["updated"] += 1
            report.changes.append(("people", "updated", label))
            changed_structures.add(person.structure_id)
    # Skills of people who already existed: a changed skill set is an update too.
    relinked = _sync_links(Person.skills.through, "person_id", "skill_id", wanted_skills)
    for person in Person.objects.filter(pk__in=relinked - updated).only(
        "id", "first_name", "last_name", "structure_id"
    ):
        report.counts["people"]["updated"] += 1
        report.changes.append(("people", "updated", person.full_name))
        changed_structures.add(person.structure_id)
    report.counts["people"]["unchanged"] += len(records) - sum(
        report.counts["people"][a] for a in ("created", "updated")
    )
    return changed_structures


def apply(cleaned: dict, report: ImportReport, user=None) -> None:
    synonyms_changed = _apply_taxonomy(cleaned, report)
    changed = _apply_structures(cleaned, report, user)
    changed |= _apply_people(cleaned, report)
    with_revisions = Structure.objects.filter(pk__in=changed, latest_revision__isnull=False)
    for structure in with_revisions:
        pending = structure.has_unpublished_changes
        revision = structure.save_revision(user=user, clean=False, log_action=True)
        if structure.live and not pending:
            Structure.objects.filter(pk=structure.pk).update(live_revision=revision, has_unpublished_changes=False)
    if changed or synonyms_changed:
        from search.sync import enqueue  # the search app keeps its index in step through its outbox

        enqueue(changed, synonyms=synonyms_changed)


class _DryRunRollback(Exception):
    pass


def import_directory(structures=None, people=None, skills=None, sectors=None, dry_run=False, user=None) -> ImportReport:
    """Validate everything, then write everything or nothing. Raises ``ImportFailed`` on any issue."""
    parsed, cleaned = parse_files(structures=structures, people=people, skills=skills, sectors=sectors)
    report = ImportReport(issues=parsed.issues, dry_run=dry_run)
    if parsed.issues:
        raise ImportFailed(report)
    try:
        with transaction.atomic():
            apply(cleaned, report, user=user)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return report
