"""What a structure contributes to search: one source of truth for both backends.

``SourceBuilder`` flattens published structures into plain dicts (« sources »)
from flat queries — ``values_list`` over the structures, the through tables of
their skills, sectors and memberships, their public people and those people's
skills — with the taxonomy (skills with their domain and synonyms, sectors)
read once per builder. No model instance per structure, no query per row: the
worker's catch-up and the rebuilds build thousands of sources a second, and
``iter_sources`` streams the whole directory in keyset chunks (memory flat in
the number of structures).

The engine indexes a source as is (``AnalysisProfile.document``); the database
fallback analyses it into a ``StructureSearchDocument`` row (``database_row``),
written in bulk: on PostgreSQL by ``COPY`` with the ``tsvector`` computed here
(``pg_vector``), written set-wise per batch for the worker (each document as far as it changed) (a full rebuild:
``search.database_rebuild``); elsewhere one ``executemany`` upsert per chunk.
Only **public** people contribute, and only their skills and ids: names,
e-mails and phones of people are never part of a search document.

``updated_at`` and ``people`` (ids of the public people) are not searched: a
hit is shown from the engine's copy only while they still match the database
(``search.base.check_hits``), so a stale entry never outlives an edit, an
unpublication or a withdrawn consent.
"""

import gc
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from operator import add

from django.db import connection, transaction
from django.utils import timezone

from directory.models import Person, Sector, Skill, Structure
from directory.models.taxonomy import split_synonyms
from lagrappe.collation import french_sort_key

from .models import StructureSearchDocument
from .text import analyse_part, fold, joined_terms, part_terms

CHUNK_SIZE = 1000
_STRUCTURE_COLUMNS = (
    "pk", "slug", "name", "summary", "description", "city", "category", "latitude", "longitude", "joined",
    "updated_at",
)  # fmt: skip


class SourceBuilder:
    """Sources of published structures from plain rows; the taxonomy is read once, when built.

    A builder lives for one batch of the worker or one rebuild: a skill renamed
    meanwhile reaches the index through the outbox rows its change wrote.
    """

    def __init__(self):
        self.skills = {
            pk: {
                "slug": slug,
                "name": name,
                "domain": domain or "",
                "domain_synonyms": split_synonyms(domain_synonyms),
                "synonyms": split_synonyms(synonyms),
            }
            for pk, slug, name, domain, domain_synonyms, synonyms in Skill.objects.values_list(
                "pk", "slug", "name", "domain__name", "domain__synonyms", "synonyms"
            )
        }
        # A structure's skills and sectors in their models' ordering (Skill.Meta, Sector.Meta: the
        # French collation of their names, so « Éolien » comes before « Rénovation » as in the ORM).
        # As ranks (one int per skill or sector) so that sorting a structure's few compares ints.
        ordered = sorted(self.skills, key=lambda pk: (french_sort_key(self.skills[pk]["name"]), pk))
        self.skill_order = {pk: rank for rank, pk in enumerate(ordered)}
        self.sectors = {
            pk: (slug, name, split_synonyms(synonyms))
            for pk, slug, name, synonyms in Sector.objects.values_list("pk", "slug", "name", "synonyms")
        }
        # The sectors' order by name alone, as ``sorted(key=french_sort_key(name))`` would give (stable on ties).
        ordered = sorted(self.sectors, key=lambda pk: french_sort_key(self.sectors[pk][1]))
        first_rank = {}
        for rank, pk in enumerate(ordered):
            first_rank.setdefault(french_sort_key(self.sectors[pk][1]), rank)
        self.sector_order = {pk: first_rank[french_sort_key(sector[1])] for pk, sector in self.sectors.items()}

    def build(self, ids: Iterable[int]) -> list[dict]:
        """Sources of these structures, by id; unpublished or missing ids are left out."""
        return self.from_rows(
            Structure.objects.public().filter(pk__in=list(ids)).order_by("pk").values_list(*_STRUCTURE_COLUMNS)
        )

    def chunks(self, chunk_size: int = CHUNK_SIZE) -> Iterator[list[dict]]:
        """Every published structure's source, ``chunk_size`` at a time (keyset pagination on the id)."""
        last = 0
        while True:
            rows = list(
                Structure.objects.public()
                .filter(pk__gt=last)
                .order_by("pk")
                .values_list(*_STRUCTURE_COLUMNS)[:chunk_size]
            )
            if not rows:
                return
            first, last = rows[0][0], rows[-1][0]
            yield self.from_rows(rows, id_range=(first, last))

    def from_rows(self, rows, id_range: tuple[int, int] | None = None) -> list[dict]:
        """Sources of these structure rows (``_STRUCTURE_COLUMNS``).

        ``id_range``: the rows are every published structure between these ids
        (a keyset chunk), so related rows are read by a range of the index
        rather than a list of a thousand ids (rows of the unpublished structures
        in the range come too, and are never looked at).
        """
        rows = list(rows)
        ids = [row[0] for row in rows]
        if not ids:
            return []
        if id_range:
            among = {"structure_id__gte": id_range[0], "structure_id__lte": id_range[1]}
        else:
            among = {"structure_id__in": ids}
        skills, skill_order, sectors, sector_order = self.skills, self.skill_order, self.sectors, self.sector_order
        own_skills, own_sectors, memberships = defaultdict(list), defaultdict(list), defaultdict(list)
        for structure_id, skill_id in Structure.skills.through.objects.filter(**among).values_list(
            "structure_id", "skill_id"
        ):
            own_skills[structure_id].append(skill_id)
        for structure_id, sector_id in Structure.sectors.through.objects.filter(**among).values_list(
            "structure_id", "sector_id"
        ):
            own_sectors[structure_id].append(sector_id)
        for structure_id, slug in Structure.memberships.through.objects.filter(**among).values_list(
            "structure_id", "membership__slug"
        ):
            memberships[structure_id].append(slug)
        # Only public people contribute, in their listing order (Person.Meta.ordering).
        people = list(
            Person.objects.public()
            .filter(**among)
            .order_by("sort_order", "last_name", "first_name", "pk")
            .values_list("pk", "structure_id")
        )
        person_skills = defaultdict(list)
        # Joined on the person rather than an IN list of every person id of the chunk.
        for person_id, skill_id in Person.skills.through.objects.filter(
            **{f"person__{lookup}": value for lookup, value in among.items()}, person__public=True
        ).values_list("person_id", "skill_id"):
            person_skills[person_id].append(skill_id)
        people_by_structure = defaultdict(list)
        for person_id, structure_id in people:
            people_by_structure[structure_id].append(person_id)

        sources = []
        for pk, slug, name, summary, description, city, category, latitude, longitude, joined, updated_at in rows:
            chosen = {}  # skill slug -> skill, the structure's own first, then its public people's
            for skill_id in sorted(own_skills[pk], key=skill_order.__getitem__):
                chosen.setdefault(skills[skill_id]["slug"], skills[skill_id])
            for person_id in people_by_structure[pk]:
                for skill_id in sorted(person_skills[person_id], key=skill_order.__getitem__):
                    chosen.setdefault(skills[skill_id]["slug"], skills[skill_id])
            chosen_skills = list(chosen.values())
            structure_sectors = [sectors[i] for i in sorted(own_sectors[pk], key=sector_order.__getitem__)]
            has_location = latitude is not None and longitude is not None
            sources.append(
                {
                    "id": pk,
                    "slug": slug,
                    "name": name,
                    "summary": summary,
                    "description": description,
                    "city": city,
                    "category": category,
                    "memberships": sorted(memberships[pk]),
                    "skills": [s["slug"] for s in chosen_skills],
                    "skill_names": [s["name"] for s in chosen_skills],
                    "skill_domains": sorted({s["domain"] for s in chosen_skills if s["domain"]}),
                    "skill_synonyms": [syn for s in chosen_skills for syn in s["synonyms"]],
                    "domain_synonyms": _domain_synonyms(chosen_skills),
                    "sectors": [slug for slug, _, _ in structure_sectors],
                    "sector_names": [name for _, name, _ in structure_sectors],
                    "sector_synonyms": [syn for _, _, synonyms in structure_sectors for syn in synonyms],
                    "location": {"lat": latitude, "lon": longitude} if has_location else None,
                    "joined": joined.isoformat() if joined else None,
                    "updated_at": updated_at.isoformat(),
                    "people": sorted(people_by_structure[pk]),
                }
            )
        return sources


def _domain_synonyms(skills: list[dict]) -> list[str]:
    """Synonyms of the skills' domains, each domain once (in ``skill_domains``' order)."""
    by_domain = {s["domain"]: s["domain_synonyms"] for s in skills if s["domain"]}
    return [syn for domain in sorted(by_domain) for syn in by_domain[domain]]


@contextmanager
def without_cycle_collection():
    """Python's cycle collector off while a rebuild loads its documents (the engine's and the database's).

    Every chunk makes thousands of lists, dicts and tuples that live until the chunk is sent: each
    collection walked them again and again, about half of the CPU of building the sources (and a
    third of building the engine's bulk bodies: 160 -> 86-119 µs a document at 20k).
    The sources, rows, documents and COPY data hold no reference cycles (refcounting frees them):
    memory stays flat without it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def structure_sources(ids: Iterable[int]) -> list[dict]:
    """The sources of these published structures (ordered by id; others left out)."""
    return SourceBuilder().build(ids)


def _delimited(values: Iterable[str]) -> str:
    values = list(values)
    return "|" + "|".join(values) + "|" if values else ""


# The columns a database document is written with, in the order of ``database_row``'s values.
DOCUMENT_COLUMNS = (
    "structure_id", "name_sort", "name_text", "skills_text", "summary_text", "search_text", "category", "city",
    "city_key", "city_text", "membership_slugs", "skill_slugs", "sector_slugs", "latitude", "longitude", "joined",
    "indexed_at",
)  # fmt: skip


def database_row(source: dict, indexed_at) -> tuple:
    """A source's database document as the values of ``DOCUMENT_COLUMNS``.

    Each text is analysed once (``search.text.analyse_part``; the short texts
    many structures share — skills, synonyms, domains, sectors, cities — through
    a cache) and its terms reused by every column holding it: ``search_text`` is
    the terms of the other columns and of the description, laid out exactly as
    ``document_text`` of all those texts would be.
    """
    return _row_and_terms(source, indexed_at)[0]


def database_row_and_words(source: dict, indexed_at) -> tuple[tuple, list | None]:
    """``database_row``'s values and the words of its vector: ``pg_vector_words`` of its four texts, from the terms
    they were joined from (splitting ``search_text`` again was a tenth of a rebuild's analysis)."""
    row, terms = _row_and_terms(source, indexed_at)
    return row, _checked_vector_words((row[3], row[2], row[4], row[5]), terms)


def _row_and_terms(source: dict, indexed_at) -> tuple[tuple, list[list[str]]]:
    """``database_row``'s values, and the terms of ``skills_text``, ``name_text``, ``summary_text`` and
    ``search_text`` (the terms are words of ``[0-9a-z]``, never empty: each text's ``split()`` gives them back)."""
    name, summary, city = source["name"], source["summary"], source["city"]
    name_terms, summary_terms, city_terms = analyse_part(name), analyse_part(summary), part_terms(city)
    # A skill's domain (« Économie sociale ») weighs like any other text, not like the
    # skill itself, as in the engine (skill_domains^2 vs skill_names^4).
    skill_terms = [t for part in (*source["skill_names"], *source["skill_synonyms"]) for t in part_terms(part)]
    other_terms = [
        t
        for part in (
            *source["skill_domains"],
            *source["domain_synonyms"],
            *source["sector_names"],
            *source["sector_synonyms"],
        )  # fmt: skip
        for t in part_terms(part)
    ]
    location = source["location"]
    city_text = joined_terms(city_terms)
    search_terms = [
        *name_terms, *summary_terms, *analyse_part(source["description"]), *city_terms, *skill_terms, *other_terms
    ]  # fmt: skip
    return (
        source["id"],
        fold(name)[:200],
        joined_terms(name_terms),
        joined_terms(skill_terms),
        joined_terms(summary_terms),
        joined_terms(search_terms),
        source["category"],
        city,
        fold(city).strip(),
        city_text[:200],
        _delimited(source["memberships"]),
        _delimited(source["skills"]),
        _delimited(source["sectors"]),
        location["lat"] if location else None,
        location["lon"] if location else None,
        source["joined"],
        indexed_at,
    ), [skill_terms, list(name_terms), list(summary_terms), search_terms]


def database_document(source: dict) -> StructureSearchDocument:
    """A source's database document as a model instance (``database_row``'s values; not saved)."""
    return StructureSearchDocument(**dict(zip(DOCUMENT_COLUMNS, database_row(source, None), strict=True)))


# PostgreSQL's limits on a tsvector: positions stop at 16383, a lexeme keeps at most 256 of them.
_PG_MAX_POSITION = 16383
_PG_MAX_POSITIONS = 255
# PostgreSQL ignores words of 2,047 characters or more: a text holding one is left to PostgreSQL.
_PG_LONG_WORD = 2000
# A word starting with digits and going on with letters, which PostgreSQL's parser may cut in two
# (« 1e5x » is the number « 1e5 », then the word « x »).
_PG_DIGIT_WORD = re.compile(r" [0-9]+[a-z]")
# ``':<position><weight>`` for every position, made as needed: joining words with these is C-level work.
_PG_SUFFIXES = {weight: [] for weight in ("A", "B", "C", "")}


def _suffixes(weight: str, start: int, stop: int) -> list[str]:
    known = _PG_SUFFIXES[weight]
    if len(known) < stop:
        known.extend(f"':{position}{weight}" for position in range(len(known), stop))
    return known[start:stop]


def pg_vector(skills_text: str, name_text: str, summary_text: str, search_text: str) -> str | None:
    """The ``tsvector`` PostgreSQL computes from these columns (migration 0010's ``search_document_vector``), as text.

    ``setweight(to_tsvector('lagrappe_fr', skills_text), 'A') || … name_text 'B'
    || … summary_text 'C' || … search_text 'D'``: every word of a column is a
    lexeme (the texts are analysed by ``search.text``: words of ``[0-9a-z]``
    that ``lagrappe_fr`` only splits), at its position in the column shifted by
    the words of the columns before, with the column's weight (D is written
    without a letter); PostgreSQL merges a word's repeated entries. ``None``
    where this shortcut would not be exact (``pg_vector_words``).
    """
    return _vector_text(pg_vector_words(skills_text, name_text, summary_text, search_text))


def _vector_text(columns: list | None) -> str | None:
    """``pg_vector`` of these ``pg_vector_words``."""
    if columns is None:
        return None
    parts, offset = [], 0
    for words, weight in zip(columns, ("A", "B", "C", ""), strict=True):
        if words:
            parts.append(" '".join(map(add, words, _suffixes(weight, offset + 1, offset + len(words) + 1))))
            offset += len(words)
    return "'" + " '".join(parts) if parts else ""


def pg_vector_words(skills_text: str, name_text: str, summary_text: str, search_text: str) -> list | None:
    """Each column's words, the lexemes of its ``tsvector`` (``pg_vector``); ``None`` where they would not be
    exactly PostgreSQL's: ``_PG_DIGIT_WORD``, a word of 2,000 letters, a word repeated more than 255 times,
    16,383 words. The database's own trigger then computes the vector."""
    texts = (skills_text, name_text, summary_text, search_text)
    return _checked_vector_words(texts, [text.split() for text in texts])


def _checked_vector_words(texts: tuple[str, ...], columns: list[list[str]]) -> list | None:
    """``pg_vector_words`` of ``texts``, whose words (``split()``) are ``columns``."""
    offset = 0
    for text, words in zip(texts, columns, strict=True):
        if _PG_DIGIT_WORD.search(" " + text):
            return None
        if words and len(text) >= _PG_LONG_WORD and max(map(len, words)) >= _PG_LONG_WORD:
            return None
        offset += len(words)
    if offset > _PG_MAX_POSITIONS:
        if offset >= _PG_MAX_POSITION:
            return None
        # A word held more than 255 times leaves at most ``offset - 255`` distinct words.
        if len({w for words in columns for w in words}) <= offset - _PG_MAX_POSITIONS:
            return None
    return columns


TABLE = StructureSearchDocument._meta.db_table
_BATCH_TABLE = "search_document_batch"


def pg_rows(sources: list[dict], indexed_at=None) -> Iterator[tuple]:
    """``database_row`` of each source, followed by its ``search_vector`` (PostgreSQL); ``indexed_at``: now."""
    indexed_at = timezone.now() if indexed_at is None else indexed_at
    for source in sources:
        row, words = database_row_and_words(source, indexed_at)
        yield (*row, _vector_text(words))


def _copy(cursor, table: str, sources: list[dict]) -> None:
    """COPY the documents of these sources into ``table``.

    The sources are read before: no other query may run on the connection
    during a COPY. Each row is analysed while PostgreSQL takes in the previous
    ones (the server indexes as the client analyses).
    """
    columns = ", ".join((*DOCUMENT_COLUMNS, "search_vector"))
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in pg_rows(sources):
            copy.write_row(row)


# COPY's text format: a tab between columns, \N for NULL, these four characters escaped.
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return _COPY_SPECIAL.sub(lambda m: _COPY_ESCAPES[m.group()], value) if _COPY_SPECIAL.search(value) else value
    return repr(value)  # numbers: repr() of a float reads back as the same float


def copy_text(sources: list[dict], indexed_at: str, encoding: str) -> bytes:
    """These sources' documents as COPY data in text format (``pg_rows``' columns), for ``write_copy_data``.

    The worker's catch-up runs it in forked processes: the French analysis holds the GIL.
    """
    lines = ["\t".join(map(_copy_text, row)) for row in pg_rows(sources, indexed_at)]
    lines.append("")
    return "\n".join(lines).encode(encoding)


def _upsert_sql(source_sql: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "structure_id")
    return f"INSERT INTO {TABLE} ({names}) {source_sql} ON CONFLICT (structure_id) DO UPDATE SET {updates}"


def write_database_documents(sources: list[dict]) -> int:
    """Insert or update the fallback rows of these sources, in one statement (one per chunk off PostgreSQL).

    PostgreSQL: the rows are copied into a temporary table, then upserted from it
    in one statement (the statement triggers of migration 0008 then count the
    vocabulary and the facets once for the batch). Elsewhere: an ``executemany``
    upsert (SQLite's FTS5 triggers are per row anyway).
    """
    if not sources:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _upsert_from_batch_table(cursor, lambda: _copy(cursor, _BATCH_TABLE, sources))
        else:
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            placeholders = ", ".join(["%s"] * len(DOCUMENT_COLUMNS))
            cursor.executemany(
                _upsert_sql(f"VALUES ({placeholders})", DOCUMENT_COLUMNS),
                [database_row(source, now) for source in sources],
            )
    return len(sources)


# The columns a document's facet sets are made of: the row trigger of migration 0014 (``BEFORE UPDATE OF``
# these) finds or adds the sets of every row whose update names one of them (tested against the trigger).
FACET_SET_COLUMNS = ("category", "membership_slugs", "sector_slugs", "city", "skill_slugs", "skills_text")
_CONTENT_COLUMNS = tuple(c for c in (*DOCUMENT_COLUMNS, "search_vector") if c not in ("structure_id", "indexed_at"))


def _update_sql(columns: tuple[str, ...], where: str) -> str:
    names = ", ".join(columns)
    values = ", ".join(f"b.{c}" for c in columns)
    return (
        f"UPDATE {TABLE} AS d SET ({names}) = ROW({values}) FROM {_BATCH_TABLE} AS b "
        f"WHERE d.structure_id = b.structure_id AND {where}"
    )


def _same(columns: tuple[str, ...]) -> str:
    return f"({', '.join(f'd.{c}' for c in columns)}) IS NOT DISTINCT FROM ({', '.join(f'b.{c}' for c in columns)})"


def _upsert_from_batch_table(cursor, fill) -> None:
    """PostgreSQL: ``fill()`` copies documents into a temporary table, then they are written set-wise.

    Each document is written only as far as it changed, so the triggers run for
    what needs them: a document whose facet columns changed is rewritten whole;
    one whose facets are the same gets its other columns only (its facet sets are
    not looked up again, migration 0014); one whose content is the same only gets
    its ``indexed_at`` (which the sweep compares), with the counts' statement
    trigger told to skip (``lagrappe.search_bulk``: nothing it counts changed);
    new ones are inserted (an upsert, should another writer add one meanwhile).
    """
    columns = (*DOCUMENT_COLUMNS, "search_vector")
    facets = FACET_SET_COLUMNS
    others = tuple(c for c in columns if c != "structure_id" and c not in facets)
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {_BATCH_TABLE} (LIKE {TABLE} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    # Not empty yet when an outer transaction (a test, an import) writes twice before committing.
    cursor.execute(f"TRUNCATE {_BATCH_TABLE}")
    fill()
    cursor.execute(_update_sql((*facets, *others), f"NOT {_same(facets)}"))
    # A vector left to PostgreSQL (NULL here) is never the same: its texts are written, the trigger computes it.
    cursor.execute(_update_sql(others, f"{_same(facets)} AND NOT {_same(_CONTENT_COLUMNS)}"))
    cursor.execute(
        "SELECT current_setting('lagrappe.search_bulk', true), set_config('lagrappe.search_bulk', 'on', true)"
    )
    bulk = cursor.fetchone()[0] or ""
    cursor.execute(_update_sql(("indexed_at",), f"{_same(_CONTENT_COLUMNS)} AND d.indexed_at < b.indexed_at"))
    cursor.execute("SELECT set_config('lagrappe.search_bulk', %s, true)", [bulk])
    cursor.execute(
        _upsert_sql(
            f"SELECT {', '.join(columns)} FROM {_BATCH_TABLE} AS b "
            f"WHERE NOT EXISTS (SELECT FROM {TABLE} AS d WHERE d.structure_id = b.structure_id)",
            columns,
        )
    )


def write_copy_data(chunks: Iterable[bytes]) -> None:
    """PostgreSQL: write documents already analysed into COPY data, set-wise (``_upsert_from_batch_table``).

    Each chunk is ``DOCUMENT_COLUMNS`` and ``search_vector`` in COPY's text format (``copy_text``).
    """
    statement = f"COPY {_BATCH_TABLE} ({', '.join((*DOCUMENT_COLUMNS, 'search_vector'))}) FROM STDIN"

    def fill():
        for data in chunks:
            with cursor.copy(statement) as copy:
                copy.write(data)

    with transaction.atomic(), connection.cursor() as cursor:
        _upsert_from_batch_table(cursor, fill)


def store_database_documents(ids: Iterable[int], sources: list[dict]) -> None:
    """Make the fallback rows of ``ids`` what ``sources`` say: upserted when published, deleted otherwise.

    ``sources`` may hold more structures than ``ids`` (the worker builds a batch's
    sources once for both backends); only those of ``ids`` are written.
    """
    ids = set(ids)
    mine = [s for s in sources if s["id"] in ids]
    published = {s["id"] for s in mine}
    with transaction.atomic():
        StructureSearchDocument.objects.filter(structure_id__in=sorted(ids - published)).delete()
        write_database_documents(mine)


def refresh_database_documents(ids: Iterable[int]) -> list[dict]:
    """Rebuild the fallback rows of these structures; return the sources of the published ones.

    Unpublished or deleted structures lose their row. Returns the sources so the
    engine sync can index exactly what the database now holds.
    """
    ids = sorted(set(ids))
    sources = structure_sources(ids)
    store_database_documents(ids, sources)
    return sources
