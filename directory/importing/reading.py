"""Read step: a spreadsheet file (CSV or XLSX) becomes rows of stripped text cells keyed by column.

CSV: UTF-8 with or without BOM (the reference), or Windows-1252 when that reading
is unambiguous; comma- or semicolon-separated (decided from the header line);
standard quoting, so cells may hold delimiters, quotes and line breaks. XLSX: the
sheet named after the kind, or the first one. The header is matched ignoring
case, accents and spacing; missing, unknown or repeated columns are reported on
its line. Each cell loses the export's mark against formulas (``restore``).
Nothing here knows what a column means: that is the validate step.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from pathlib import Path

from openpyxl import load_workbook

from lagrappe.spreadsheets import restore

from ..columns import FILES
from .report import ParsedFiles, Row


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


def _records(kind: str, source, parsed: ParsedFiles) -> tuple[str, str, list] | None:
    """(display name, delimiter, non-empty records) of a file, or None when it cannot be read (reported)."""
    try:
        name, content = _read_source(source)
    except OSError as exc:
        parsed.error(str(source), 0, "", f"fichier illisible ({exc.strerror}).")
        return None
    parsed.files.setdefault(name, len(parsed.files))
    delimiter = ","
    try:
        if _is_xlsx(name, content):
            records = list(_xlsx_records(kind, content))
        else:
            text, _encoding = decode(content)
            delimiter = detect_delimiter(text, FILES[kind][0])
            records = _csv_records(text, delimiter, name, parsed)
    except DecodingError as exc:
        parsed.error(name, exc.line, "", exc.message)
        return None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a damaged workbook
        parsed.error(name, 1, "", f"classeur XLSX illisible ({exc.__class__.__name__}).")
        return None
    # Spreadsheets often carry trailing empty columns and rows.
    records = [(line, cells) for line, cells in records if any(c.strip() for c in cells)]
    if not records:
        parsed.error(name, 1, "", "le fichier est vide : une ligne d’en-tête est attendue.")
        return None
    return name, delimiter, records


def read_header(name: str, delimiter: str, record: tuple[int, list[str]], columns: list[str], parsed: ParsedFiles):
    """The header's column keys in file order, or None when a column is missing, unknown or repeated (reported)."""
    header_line, raw_header = record
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
    return None if missing or unknown or duplicates else header


def read_row(name: str, delimiter: str, header: list[str], columns: list[str], record, parsed: ParsedFiles):
    """One data record as a ``Row`` of stripped cells, or None when its cell count is wrong (reported).

    ``header`` gives the cells' keys in file order; issues within a line come in ``columns``' reference order.
    """
    line, cells = record
    extra = cells[len(header) :]
    if len(cells) < len(header) or any(c.strip() for c in extra):
        separator = "points-virgules" if delimiter == ";" else "virgules"
        parsed.error(
            name,
            line,
            "",
            f"{len(cells)} cellules au lieu de {len(header)} (vérifiez les guillemets et les {separator}).",
        )
        return None
    # ``restore``: the export's mark against formulas (« '=… », « '+32 … ») is not part of the value.
    row = Row(name, line, {h: restore(c).strip() for h, c in zip(header, cells, strict=False)}, delimiter)
    for column in columns:
        garbled = MOJIBAKE.search(row.values[column])
        if garbled:
            parsed.error(
                row,
                column,
                f"texte mal encodé « {garbled.group()} » (accents abîmés par une conversion d’encodage) : "
                "corrigez la cellule ou ré-enregistrez le fichier d’origine en « CSV UTF-8 ».",
            )
    return row


def read_file(kind: str, source, parsed: ParsedFiles) -> None:
    """Read one file (CSV, or XLSX as exported) into ``parsed.rows[kind]``, recording issues."""
    parsed.unreadable.add(kind)  # until its header is understood
    found = _records(kind, source, parsed)
    if found is None:
        return
    name, delimiter, records = found
    header = read_header(name, delimiter, records[0], FILES[kind][0], parsed)
    if header is None:
        return
    parsed.unreadable.discard(kind)
    rows = (read_row(name, delimiter, header, FILES[kind][0], record, parsed) for record in records[1:])
    parsed.rows[kind] = [row for row in rows if row is not None]
