"""Validate step: each file kind is a declarative list of columns (parser, required, French message).

``SPECS[kind]`` lists, in the order issues are reported within a line, the
columns of that kind's file: how the cell is parsed (a normaliser, then the
model field's own validation, so Django's French messages), whether it is
required and with which message, and under which key the value is recorded.
A ``RowCheck`` placed among them checks several cells together (latitude and
longitude, a person listed twice). Parsers raise ``ValidationError``; every
message becomes an ``ImportIssue`` naming file, line and column.

What the files share lives in ``Known``: the taxonomy names (database plus the
files being imported, so a structure may use a skill its own import creates),
the slugs seen per file, the structures people may belong to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from ..models import CATEGORY_CHOICES, MEMBERSHIP_CHOICES, Person, Sector, Skill, Structure
from ..models.structures import SUMMARY_MAX_LENGTH
from ..models.taxonomy import split_synonyms
from .normalising import (
    float_or_none,
    normalize_phone,
    normalize_postcode,
    normalize_website,
    normalize_year,
    parse_bool,
    parse_joined,
    split_list,
)
from .report import ParsedFiles, Row

CATEGORY_BY_INPUT = {key: key for key, _ in CATEGORY_CHOICES} | {label.lower(): key for key, label in CATEGORY_CHOICES}
MEMBERSHIP_BY_INPUT = {key: key for key, _ in MEMBERSHIP_CHOICES} | {
    label.lower(): key for key, label in MEMBERSHIP_CHOICES
}
REQUIRED = "valeur obligatoire."


@dataclass
class Known:
    """What the rows of one import may refer to, filled as the files are validated (sectors first, people last)."""

    parsed: ParsedFiles
    kind: str = ""  # the file being validated
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # "skills"/"sectors" -> casefold -> name
    slugs: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> slug -> line where it was first seen
    structures: set[str] = field(default_factory=set)  # slugs people may belong to (file and database)
    people: dict[tuple, int] = field(default_factory=dict)  # (structure, first, last, e-mail) -> line


Parser = Callable[[str, Row, Known], object]


@dataclass(frozen=True)
class Column:
    """One column of a file: ``parse(cell, row, known)`` gives the recorded value or raises ``ValidationError``."""

    name: str
    parse: Parser
    required: str | None = None  # the message when the cell is empty; None: an empty cell is parsed too
    key: str | None = None  # the record's key, when it is not the column's name

    def validate(self, row: Row, known: Known, record: dict) -> list[str]:
        raw = row.values[self.name]
        if self.required and not raw:
            return [self.required]
        try:
            record[self.key or self.name] = self.parse(raw, row, known)
        except ValidationError as error:
            return error.messages
        return []


@dataclass(frozen=True)
class RowCheck:
    """A rule on several cells of a row; ``check(row, known)`` yields (column, message) pairs."""

    check: Callable[[Row, Known], list[tuple[str, str]]]

    def validate(self, row: Row, known: Known, record: dict) -> list[tuple[str, str]]:
        return self.check(row, known)


@dataclass(frozen=True)
class Spec:
    """A file kind: its columns and row checks, in the order issues are reported within a line."""

    kind: str
    fields: tuple[Column | RowCheck, ...]
    names: str | None = None  # kind whose known names a valid row adds its « name » to ("skills", "sectors")
    prepare: Callable[[list[Row], Known], None] | None = None  # looks up what the rows refer to, in bulk


# ---------------------------------------------------------------------------
# Parsers
# ---------------------------------------------------------------------------
def model_field(model, name: str, normalise: Callable[[str, Row], object] | None = None) -> Parser:
    """The model field's own validation (Django's French messages), after an optional normaliser."""
    django_field = model._meta.get_field(name)

    def parse(raw: str, row: Row, known: Known):
        value = normalise(raw, row) if normalise else raw
        if not isinstance(value, str):  # already parsed (a date)
            value = value.isoformat() if value is not None else ""
        if value == "" and django_field.null:
            return None
        if name in ("latitude", "longitude"):
            value = value.replace(",", ".")  # French decimal comma
        return django_field.clean(value, None)

    return parse


def slug(raw: str, row: Row, known: Known) -> str:
    if slugify(raw) != raw:
        raise ValidationError(
            f"identifiant invalide « {raw} » : minuscules, chiffres et tirets seulement "
            f"(ex. {slugify(raw) or 'ma-structure'})."
        )
    seen = known.slugs.setdefault(known.kind, {})
    if raw in seen:
        raise ValidationError(f"identifiant « {raw} » déjà utilisé ligne {seen[raw]} de ce fichier.")
    seen[raw] = row.line
    return raw


def choice(by_input: dict[str, str], label: str, choices) -> Parser:
    def parse(raw: str, row: Row, known: Known) -> str:
        if raw.casefold() not in by_input:
            raise ValidationError(f"{label} inconnue « {raw} » (attendu : {', '.join(k for k, _ in choices)}).")
        return by_input[raw.casefold()]

    return parse


def choices(by_input: dict[str, str], label: str, choices) -> Parser:
    """A list cell whose every item is a choice; returns the sorted distinct keys."""

    def parse(raw: str, row: Row, known: Known) -> list[str]:
        keys, errors = set(), []
        for item in split_list(raw, row.delimiter):
            if item.casefold() in by_input:
                keys.add(by_input[item.casefold()])
            else:
                errors.append(f"{label} inconnue « {item} » (attendu : {', '.join(k for k, _ in choices)}).")
        if errors:
            raise ValidationError(errors)
        return sorted(keys)

    return parse


def max_length(limit: int, label: str) -> Parser:
    def parse(raw: str, row: Row, known: Known) -> str:
        if len(raw) > limit:
            raise ValidationError(f"{label} ne doit pas dépasser {limit} caractères (actuellement {len(raw)}).")
        return raw

    return parse


def domain_name(raw: str, row: Row, known: Known) -> str:
    domain = " ".join(raw.split())
    if len(domain) > 120:
        raise ValidationError("le nom du domaine ne doit pas dépasser 120 caractères.")
    return domain


def synonyms(raw: str, row: Row, known: Known) -> str:
    return "\n".join(split_synonyms("\n".join(split_list(raw, row.delimiter))))


UNKNOWN = {"skills": ("compétence inconnue", "compétences"), "sectors": ("secteur inconnu", "secteurs")}


def names(kind: str) -> Parser:
    """Taxonomy names (skills, sectors) known from the database or the files; returns them sorted."""

    def parse(raw: str, row: Row, known: Known) -> list[str]:
        resolved, errors = [], []
        for name in split_list(raw, row.delimiter):
            if name.casefold() in known.names[kind]:
                resolved.append(known.names[kind][name.casefold()])
            elif kind not in known.parsed.unreadable:  # its file's errors are already reported; its names unknown
                unknown, plural = UNKNOWN[kind]
                errors.append(
                    f"{unknown} : « {name} » (à créer d’abord dans la taxonomie ou dans le fichier des {plural})."
                )
        if errors:
            raise ValidationError(errors)
        return sorted(resolved)

    return parse


def structure_of_person(raw: str, row: Row, known: Known) -> str:
    if "structures" not in known.parsed.unreadable and raw not in known.structures:
        # (When the structures file's header is broken, it is reported and its slugs are unknown.)
        raise ValidationError(f"structure inconnue « {raw} » (ni dans l’annuaire, ni dans le fichier des structures).")
    return raw


def postcode(raw: str, row: Row) -> str:
    return normalize_postcode(raw, float_or_none(row.values["latitude"]), float_or_none(row.values["longitude"]))


def boolean(raw: str, row: Row, known: Known) -> bool:
    return parse_bool(raw)


# ---------------------------------------------------------------------------
# Checks on several cells
# ---------------------------------------------------------------------------
def point_complete(row: Row, known: Known) -> list[tuple[str, str]]:
    latitude, longitude = row.values["latitude"], row.values["longitude"]
    if (latitude == "") != (longitude == ""):
        missing = "longitude" if longitude == "" else "latitude"
        return [(missing, "indiquez la latitude et la longitude ensemble, ou aucune des deux.")]
    return []


def person_once(row: Row, known: Known) -> list[tuple[str, str]]:
    values = row.values
    key = (values["structure_slug"], values["first_name"], values["last_name"], values["email"].lower())
    first_line = known.people.get(key)
    known.people[key] = row.line
    if first_line is not None:
        message = f"personne déjà présente ligne {first_line} pour cette structure (même prénom, nom et e-mail)."
        return [("first_name", message)]
    return []


def structures_of_people(rows: list[Row], known: Known) -> None:
    """The structures people may belong to: the structures file's valid slugs, then the database's (one query)."""
    in_files = set(known.slugs.get("structures", {}))
    wanted = {row.values["structure_slug"] for row in rows} - in_files
    known.structures = in_files | set(Structure.objects.filter(slug__in=wanted).values_list("slug", flat=True))


# ---------------------------------------------------------------------------
# The files
# ---------------------------------------------------------------------------
SLUG = Column("slug", slug, required="l’identifiant est obligatoire.")

SPECS = {
    "sectors": Spec(
        "sectors",
        (SLUG, Column("name", model_field(Sector, "name"), required=REQUIRED)),
        names="sectors",
    ),
    "skills": Spec(
        "skills",
        (
            SLUG,
            Column("name", model_field(Skill, "name"), required=REQUIRED),
            Column("domain", domain_name),
            Column("synonyms", synonyms),
        ),
        names="skills",
    ),
    "structures": Spec(
        "structures",
        (
            SLUG,
            Column("name", model_field(Structure, "name"), required=REQUIRED),
            Column("category", choice(CATEGORY_BY_INPUT, "catégorie", CATEGORY_CHOICES)),
            Column("membership", choices(MEMBERSHIP_BY_INPUT, "appartenance", MEMBERSHIP_CHOICES), key="memberships"),
            Column("summary", max_length(SUMMARY_MAX_LENGTH, "le résumé")),
            Column("legal_form", model_field(Structure, "legal_form")),
            Column("description", model_field(Structure, "description")),
            Column("address", model_field(Structure, "address")),
            Column("postcode", model_field(Structure, "postcode", postcode)),
            Column("city", model_field(Structure, "city")),
            Column("latitude", model_field(Structure, "latitude")),
            Column("longitude", model_field(Structure, "longitude")),
            Column("website", model_field(Structure, "website", lambda raw, row: normalize_website(raw))),
            Column("email", model_field(Structure, "email")),
            Column("phone", model_field(Structure, "phone", lambda raw, row: normalize_phone(raw))),
            Column("founded", model_field(Structure, "founded", lambda raw, row: normalize_year(raw))),
            Column("joined", model_field(Structure, "joined", lambda raw, row: parse_joined(raw))),
            RowCheck(point_complete),
            Column("skills", names("skills")),
            Column("sectors", names("sectors")),
        ),
    ),
    "people": Spec(
        "people",
        (
            Column("structure_slug", structure_of_person, required="l’identifiant de la structure est obligatoire."),
            Column("first_name", model_field(Person, "first_name"), required=REQUIRED),
            Column("last_name", model_field(Person, "last_name"), required=REQUIRED),
            Column("role", model_field(Person, "role")),
            Column("email", model_field(Person, "email")),
            Column("phone", model_field(Person, "phone", lambda raw, row: normalize_phone(raw))),
            Column("public", boolean),
            Column("skills", names("skills")),
            RowCheck(person_once),
        ),
        prepare=structures_of_people,
    ),
}
ORDER = ("sectors", "skills", "structures", "people")  # what each file may refer to is validated before it


# ---------------------------------------------------------------------------
# Running the specs
# ---------------------------------------------------------------------------
def validate_row(spec: Spec, row: Row, known: Known) -> dict:
    """The row's record (``row`` included); every problem is reported on ``known.parsed``."""
    record = {"row": row}
    for item in spec.fields:
        for problem in item.validate(row, known, record):
            column, message = (item.name, problem) if isinstance(item, Column) else problem
            known.parsed.error(row, column, message)
    return record


PROGRESS_EVERY = 500  # rows between two calls of ``progress``


def validate(parsed: ParsedFiles, progress: Callable[[int], None] | None = None) -> dict:
    """Validate every parsed row; returns cleaned records by kind (meaningful only without issues).

    ``progress(rows_validated)`` is called every ``PROGRESS_EVERY`` rows and at the end.
    """
    known = Known(parsed)
    known.names["sectors"] = {name.casefold(): name for name in Sector.objects.values_list("name", flat=True)}
    known.names["skills"] = {name.casefold(): name for name in Skill.objects.values_list("name", flat=True)}
    cleaned = {}
    done = 0
    for kind in ORDER:
        spec, rows = SPECS[kind], parsed.rows.get(kind, [])
        known.kind = kind
        if spec.prepare:
            spec.prepare(rows, known)
        cleaned[kind] = []
        for row in rows:
            cleaned[kind].append(validate_row(spec, row, known))
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done)
        if spec.names:  # a valid slug and a name: the other files may use that name
            for record in cleaned[kind]:
                name = record["row"].values["name"]
                if record.get("slug") and name:
                    known.names[spec.names][name.casefold()] = name
    if progress:
        progress(done)
    return cleaned
