"""Normalise step: what French spreadsheets (Excel, LibreOffice, typed by hand) do to values, undone.

Pure functions on one cell's text, no database: lists, booleans, postcodes that
lost their leading zero, phones that lost theirs or turned scientific, bare
domains, Excel's « 2009.0 » years and dates. A value that cannot be repaired
raises ``ValidationError`` with a French message; the validate step reports it.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError

from lagrappe.env import FALSE_VALUES, TRUE_VALUES

from ..columns import LIST_SEPARATOR


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


def parse_bool(raw: str) -> bool:
    """« oui », « X », « Vrai », « 1 »… → True; « non », « 0 », empty → False (empty means no consent)."""
    value = raw.casefold()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ValidationError(
        f"valeur « {raw} » non reconnue : oui/non, vrai/faux, true/false, yes/no, 1/0, x ou vide (vide = non)."
    )


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


def normalize_phone(raw: str) -> str:
    """Keeps the number as typed (spaces, dots, dashes, +33, (0)); repairs what Excel did to it.

    « 320001001 » (Excel dropped the leading zero of a 10-digit French number) → « 03 20 00 10 01 ».
    A number shown in scientific notation (« 3,2E+08 ») has lost digits: an error, not a guess.
    """
    value = " ".join(raw.replace("\u202f", " ").split())
    if re.fullmatch(r"\d+(?:[.,]\d+)?[eE]\+?\d+", value):
        raise ValidationError(
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


def parse_joined(raw: str) -> dt.date | None:
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
        raise ValidationError(f"la date « {raw} » n’existe pas.") from None
    raise ValidationError(f"date « {raw} » non reconnue : AAAA-MM-JJ (2026-11-25) ou JJ/MM/AAAA (25/11/2026).")


def float_or_none(raw: str) -> float | None:
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        return None
