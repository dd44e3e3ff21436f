"""French (locale-aware) ordering of names on both databases.

People read lists sorted the French way: « Béthune » before « Boulogne », « Éolien »
among the E, not after « Vélo ». PostgreSQL does it with an ICU collation,
set as the ``db_collation`` of the name columns, so every
``ORDER BY`` on them — Wagtail's admin listings, the API, the directory — sorts
the French way without each query having to ask (a migration creates it as « french »,
ICU locale fr-FR: SQLite cannot spell the built-in « fr-x-icu »). SQLite has no
ICU: the same collation name is registered on every SQLite connection with a Python
comparison that follows the ICU rules a French reader notices (accents and case
only break ties, ligatures spell out, apostrophes and hyphens read as spaces).

``french_sort_key`` is the same rule for lists sorted in Python.
"""

from __future__ import annotations

import unicodedata

FRENCH_COLLATION = "french"

_SPELLED_OUT = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
_SEPARATORS = str.maketrans({c: " " for c in "’'‘-‐–—_./"})


def _base_letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELLED_OUT))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def french_sort_key(text: str | None) -> tuple[str, str, str]:
    """Primary: letters without accents or case; then accents; then case (ICU's three levels)."""
    text = text or ""
    primary = " ".join(_base_letters(text).translate(_SEPARATORS).casefold().split())
    secondary = unicodedata.normalize("NFKD", text.translate(_SPELLED_OUT)).casefold()
    return primary, secondary, text


def _compare(left: str, right: str) -> int:
    a, b = french_sort_key(left), french_sort_key(right)
    return (a > b) - (a < b)


def register_sqlite_collation(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: teach SQLite the collation PostgreSQL has built in."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(FRENCH_COLLATION, _compare)
