"""The SQLite database search is FTS5 (``search.database.sqlite``) and answers exactly as ``portable`` does.

Run on SQLite (the default test database); on another database each test says
why it does not apply.
"""

import dataclasses
import io
import logging
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection

from search import database
from search.database import portable, sqlite
from search.management.commands.search_index import Command as SearchIndexCommand
from search.models import StructureSearchDocument
from search.types import FACET_NAMES, GeoPoint, SearchQuery

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason=f"the FTS5 search is SQLite's; this database is {connection.vendor}",
    ),
]

LILLE = GeoPoint(50.6292, 3.0573, 15)


def _fetch(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _answer(result):
    """Everything a visitor sees of a result, scores included."""
    return {
        "total": result.total,
        "hits": [(hit.structure.pk, hit.score, hit.distance_km) for hit in result.hits],
        "highlights": [[(h.field, h.fragments) for h in hit.highlights] for hit in result.hits],
        "facets": {name: [(v.value, v.label, v.count) for v in values] for name, values in result.facets.items()},
    }


@pytest.fixture
def seeded():
    """150 generated structures (some unpublished, every facet populated), their documents rebuilt."""
    call_command("seed_directory", "--count", "150", stdout=io.StringIO())
    SearchIndexCommand().rebuild_database(progress=False)
    return StructureSearchDocument.objects.count()


def test_sqlite_answers_with_fts5_not_portable():
    assert database.implementation() is sqlite
    assert sqlite.fts_ready() is True
    tables = {name for (name,) in _fetch("SELECT name FROM sqlite_master WHERE name LIKE 'search_document_%%'")}
    assert {
        "search_document_fts", "search_document_value", "search_document_count", "search_document_signature",
        "search_document_signatures", "search_document_signature_version",
    } <= tables  # fmt: skip


def _queries(seeded_skill, seeded_sector, hidden):
    return {
        "blank": SearchQuery(),
        "blank, page 3 of 7": SearchQuery(page=3, per_page=7),
        "one word": SearchQuery(text="energie"),
        # Most documents match: their facets are the kept counts less the others'.
        "a word most documents have": SearchQuery(text="projet"),
        "prefix": SearchQuery(text="compost"),
        "two words, name sort": SearchQuery(text="conseil lille", sort="name"),
        "word + category + membership": SearchQuery(
            text="projet", categories=["collectif"], memberships=["cluster", "partenaire"]
        ),
        "skill + sector filters": SearchQuery(skills=[seeded_skill], sectors=[seeded_sector]),
        "one filter (its own facet unnarrowed)": SearchQuery(categories=["individuel"]),
        "city, any case": SearchQuery(city=" LILLE "),
        "geo by distance": SearchQuery(near=LILLE, sort="distance"),
        "geo by distance, page 2, hidden ids": SearchQuery(near=LILLE, sort="distance", page=2, hidden_ids=hidden),
        "geo by name": SearchQuery(near=LILLE, sort="name"),
        "word + geo, newest": SearchQuery(text="atelier", near=LILLE, sort="newest"),
        "hidden ids": SearchQuery(text="projet", hidden_ids=hidden),
        "hidden ids, blank": SearchQuery(hidden_ids=hidden),
        "only stop words": SearchQuery(text="les"),
        "one letter": SearchQuery(text="x"),
    }


def test_fts5_answers_exactly_as_portable_on_a_generated_directory(seeded):
    documents = StructureSearchDocument.objects.order_by("structure_id")
    first = documents.first()
    skill = first.skill_slugs.strip("|").split("|")[0]
    sector = documents.exclude(sector_slugs="").first().sector_slugs.strip("|").split("|")[0]
    hidden = tuple(documents.values_list("structure_id", flat=True)[:25])

    for label, query in _queries(skill, sector, hidden).items():
        expected = _answer(portable.search(query))
        assert _answer(sqlite.search(query)) == expected, label
        # A query that could pass by finding nothing proves nothing.
        if label not in ("only stop words", "one letter"):
            assert expected["total"] > 0, label

    # Disjunctive: with a category chosen, the category facet still counts the others.
    filtered = _answer(sqlite.search(_queries(skill, sector, hidden)["word + category + membership"]))
    assert {value for value, _, count in filtered["facets"]["categories"] if count} > {"collectif"}


def test_triggers_keep_the_index_right_for_any_writer(directory):
    """Raw SQL (a bulk loader), the ORM, updates and deletes all reach the FTS5 index and the counts."""
    document = StructureSearchDocument.objects.exclude(city="").order_by("structure_id").first()
    pk, city = document.pk, document.city
    in_city = StructureSearchDocument.objects.filter(city=city).count()
    query = SearchQuery(text="zygomorphe")
    assert sqlite.search(query).total == 0

    _fetch(
        "UPDATE search_structuresearchdocument SET search_text = search_text || 'zygomorphe ', "
        "name_text = ' zygomorphe ', city = 'Zanzibar' WHERE structure_id = %s",
        [pk],
    )
    found = sqlite.search(query)
    assert [hit.structure.pk for hit in found.hits] == [pk]
    assert [(v.value, v.count) for v in found.facets["cities"]] == [("Zanzibar", 1)]

    row = _fetch("SELECT * FROM search_structuresearchdocument WHERE structure_id = %s", [pk])[0]
    StructureSearchDocument.objects.filter(pk=pk).delete()
    assert sqlite.search(query).total == 0
    placeholders = ", ".join(["%s"] * len(row))
    _fetch(f"INSERT INTO search_structuresearchdocument VALUES ({placeholders})", row)
    assert sqlite.search(query).total == 1

    # The FTS5 index agrees with its content table, and the kept counts with a recount.
    _fetch("INSERT INTO search_document_fts (search_document_fts) VALUES ('integrity-check')")
    kept = _fetch("SELECT facet, value, documents FROM search_document_count WHERE documents > 0 ORDER BY 1, 2")
    assert kept == _recount()
    assert ("cities", "Zanzibar", 1) in kept
    assert ("cities", city, in_city - 1) in kept or in_city == 1
    # Every document's values are there, by id, for the facets' GROUP BY.
    assert (
        _fetch(
            "SELECT c.facet, c.value, count(*) FROM search_document_value v "
            "JOIN search_document_count c ON c.id = v.value_id GROUP BY 1, 2 ORDER BY 1, 2"
        )
        == kept
    )
    # And every document's two combinations of values (migration 0013), for the facets of large match sets.
    by_combination = Counter()
    for key_a, key_b in _fetch(
        "SELECT a.key, b.key FROM search_document_signatures s JOIN search_document_signature a ON a.id = s.a "
        "JOIN search_document_signature b ON b.id = s.b"
    ):
        by_combination.update(sqlite._signature_values(key_a) + sqlite._signature_values(key_b))
    assert sorted((facet, value, n) for (facet, value), n in by_combination.items()) == kept
    assert _fetch("SELECT count(*) FROM search_document_signatures") == [(StructureSearchDocument.objects.count(),)]


def _recount():
    """(facet, value, documents) counted in Python from the documents themselves."""
    counts = Counter()
    for document in StructureSearchDocument.objects.all():
        counts[("categories", document.category)] += 1
        if document.city:
            counts[("cities", document.city)] += 1
        for facet, slugs in (
            ("memberships", document.membership_slugs),
            ("skills", document.skill_slugs),
            ("sectors", document.sector_slugs),
        ):
            counts.update((facet, slug) for slug in set(slugs.strip("|").split("|")) if slug)
    return sorted((facet, value, n) for (facet, value), n in counts.items())


def test_without_the_fts5_table_portable_answers_and_the_reason_is_logged(directory, monkeypatch, caplog):
    monkeypatch.setattr(sqlite, "FTS", "search_document_fts_missing")
    monkeypatch.setattr(sqlite, "_ready", set())
    monkeypatch.setattr(sqlite, "_reported", set())
    query = SearchQuery(text="energie", categories=["collectif"], sort="name")

    with caplog.at_level(logging.WARNING, logger="search.database.sqlite"):
        answered = sqlite.search(query)

    assert _answer(answered) == _answer(portable.search(query))
    assert answered.total > 0
    assert "FTS5" in caplog.text and "portable" in caplog.text


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(SearchQuery(), id="blank"),
        pytest.param(SearchQuery(text="projet", per_page=5), id="most-documents"),
        pytest.param(
            SearchQuery(text="projet", categories=["collectif"], memberships=["reseau"], per_page=4), id="filters"
        ),
        pytest.param(SearchQuery(near=LILLE, sort="distance", per_page=3), id="geo"),
    ],
)
def test_one_sql_statement_finds_counts_and_pages_whatever_the_number_of_matches(seeded, query):
    from django.test.utils import CaptureQueriesContext

    from search.text import query_words

    sqlite.fts_ready()
    with CaptureQueriesContext(connection) as first:
        sqlite._run(query, query_words(query.text))
    with CaptureQueriesContext(connection) as queries:
        total, page, counts = sqlite._run(query, query_words(query.text))

    # The first search of a process (or after a new combination of facet values) also reads their names.
    assert len(first) <= 2
    assert len(queries) == 1
    assert total > query.per_page
    assert len(page) == query.per_page
    # Rows read into Python: the page, the totals, facet values each at most twice (counted, subtracted), the
    # combinations' ids in one text at most twice, and the combinations' token: never a row per match.
    rows = _fetch(queries[0]["sql"])
    kinds = Counter(kind for kind, *_ in rows)
    assert kinds["hit"] == query.per_page
    assert kinds["total"] <= 2
    assert kinds["combinations"] <= 2
    assert kinds["version"] == 1
    assert set(kinds) - {"hit", "total"} <= {*FACET_NAMES, "combinations", "version"}
    assert max(Counter((kind, value) for kind, value, *_ in rows if kind != "hit").values()) <= 2


def test_a_documents_table_remade_without_its_triggers_falls_back_to_portable(directory, monkeypatch, caplog):
    """Django remakes an SQLite table to alter a column, and the triggers go with it: the FTS5 index would go stale."""
    monkeypatch.setattr(sqlite, "_ready", set())
    monkeypatch.setattr(sqlite, "_reported", set())
    _fetch("DROP TRIGGER search_document_fts_update")  # rolled back with the test's transaction
    query = SearchQuery(text="menuiserie")

    with caplog.at_level(logging.WARNING, logger="search.database.sqlite"):
        answered = sqlite.search(query)

    assert sqlite.fts_ready() is False
    assert _answer(answered) == _answer(portable.search(query))
    assert answered.total == 2
    assert "search_document_fts_update" in caplog.text


@pytest.mark.parametrize("text", ["projet", "energie", "menuiserie lille", "panneaux solaires", "compost"])
def test_a_page_ranked_among_the_strong_matches_is_the_page_every_match_scored_gives(seeded, text):
    """Words alone, by relevance: the page comes from the strong matches when enough of them outscore every
    other match (``sqlite.weak_score_max``), from every match scored otherwise; both are ``portable``'s page."""
    from search.base import prepare
    from search.text import query_words

    query = prepare(SearchQuery(text=text))
    pairs = query_words(query.text)
    scores = [row.score for row in portable.matching_rows(query, pairs)]
    above = sum(score > sqlite.weak_score_max(pairs, query.town_words) for score in scores)
    assert len(scores) > 3, text
    assert above > 0, text
    # Pages the strong matches fill, and pages that reach the matches scoring no more than the weak ones.
    shapes = {(1, 1), (2, 1), (1, above + 1), (2, max(above // 2 + 1, 1))}
    if above:
        shapes.add((1, above))
    for page, per_page in sorted(shapes):
        paged = dataclasses.replace(query, page=page, per_page=per_page)
        assert _answer(sqlite.search(paged)) == _answer(portable.search(paged)), (text, page, per_page)


def _located(seeded_count):
    """The located documents, (id, latitude, longitude), and how many there are."""
    return _fetch(
        "SELECT structure_id, latitude, longitude FROM search_structuresearchdocument "
        "WHERE latitude IS NOT NULL AND longitude IS NOT NULL ORDER BY structure_id"
    )


@pytest.mark.parametrize(
    ("radius_km", "page", "per_page"),
    [(15, 1, 20), (15, 2, 7), (3, 1, 5), (40, 3, 4), (1000, 1, 30), (0.5, 1, 10)],
    ids=["15km", "15km-page-2", "3km", "40km-page-3", "1000km", "500m"],
)
def test_a_position_alone_by_distance_answers_as_the_haversine_does(seeded, radius_km, page, per_page):
    """By distance with no words nor filter, the circle is read from ``search_document_places`` (squared chords,
    smaller circles first for the page): totals, facets, page, order and distances are ``portable``'s, whose
    haversine runs in Python row by row."""
    hidden = tuple(row[0] for row in _located(seeded)[::9])
    for hidden_ids in ((), hidden):
        query = SearchQuery(
            near=GeoPoint(50.6292, 3.0573, radius_km), sort="distance", page=page, per_page=per_page,
            hidden_ids=hidden_ids,
        )  # fmt: skip
        expected = _answer(portable.search(query))
        assert _answer(sqlite.search(query)) == expected, (radius_km, hidden_ids)
        if radius_km >= 3:
            assert len(expected["hits"]) == per_page


def test_a_document_on_the_circle_is_found_as_the_haversine_finds_it(seeded):
    """A radius equal to a document's haversine distance, or a hair shorter or longer, puts it on the circle, where
    a squared chord could round either way: such rows are tested by the haversine itself."""
    from search.base import haversine_km

    point = (50.6292, 3.0573)
    on_circle = 0
    for structure_id, latitude, longitude in _located(seeded)[:12]:
        distance = haversine_km(*point, latitude, longitude)
        for radius in (distance, distance * (1 - 1e-12), distance * (1 + 1e-12)):
            if not 0 < radius <= 1000:
                continue
            query = SearchQuery(near=GeoPoint(*point, radius), sort="distance", per_page=5)
            expected = _answer(portable.search(query))
            assert _answer(sqlite.search(query)) == expected, (structure_id, radius)
            on_circle += radius == distance
    assert on_circle > 5


def test_places_follow_every_write_of_a_document(seeded):
    """``search_document_places`` (migration 0020) holds each located document once, with its position and
    combinations, after raw updates, deletes and inserts alike."""

    def places():
        return _fetch("SELECT structure_id, a, b, latitude, longitude FROM search_document_places ORDER BY 1")

    def expected():
        return _fetch(
            "SELECT d.structure_id, s.a, s.b, d.latitude, d.longitude FROM search_structuresearchdocument d "
            "JOIN search_document_signatures s ON s.structure_id = d.structure_id "
            "WHERE d.latitude IS NOT NULL AND d.longitude IS NOT NULL ORDER BY 1"
        )

    assert places() == expected()
    assert len(places()) > 100
    first, second, third = (row[0] for row in _located(seeded)[:3])
    _fetch(
        "UPDATE search_structuresearchdocument SET latitude = 48.85, longitude = 2.35 WHERE structure_id = %s", [first]
    )
    _fetch("UPDATE search_structuresearchdocument SET latitude = NULL WHERE structure_id = %s", [second])
    _fetch("UPDATE search_structuresearchdocument SET category = 'zz' WHERE structure_id = %s", [third])
    assert places() == expected()
    assert _fetch("SELECT latitude FROM search_document_places WHERE structure_id = %s", [first]) == [(48.85,)]
    assert _fetch("SELECT 1 FROM search_document_places WHERE structure_id = %s", [second]) == []
    paris = SearchQuery(near=GeoPoint(48.85, 2.35, 1), sort="distance")
    assert [(hit.structure.pk, hit.distance_km) for hit in sqlite.search(paris).hits] == [(first, 0.0)]

    row = _fetch("SELECT * FROM search_structuresearchdocument WHERE structure_id = %s", [first])[0]
    StructureSearchDocument.objects.filter(pk=first).delete()
    assert sqlite.search(paris).total == 0
    placeholders = ", ".join(["%s"] * len(row))
    _fetch(f"INSERT INTO search_structuresearchdocument VALUES ({placeholders})", row)
    assert places() == expected()
    assert sqlite.search(paris).total == 1


@pytest.mark.parametrize("text", ["projet", "compost"])
def test_a_word_most_documents_hold_counts_the_others_and_never_an_excluded_document(seeded, text):
    """When most documents hold the words exactly (« projet »), neither the matches are kept nor counted: the
    total and the facets are every document's less those not matching (``_ranked``'s ``unmatched``). An
    unpublished structure whose document the worker has not removed yet, and the service's hidden ids, are still
    never counted nor shown; a narrower word (« compost ») takes the other way to the same answers."""
    from search.base import prepare
    from search.text import query_words

    query = prepare(SearchQuery(text=text, per_page=50))
    pairs = query_words(query.text)
    documents = StructureSearchDocument.objects.count()
    exact = " AND ".join(sqlite._either(word, stem, exact=True) for word, stem in pairs)
    [(holding,)] = _fetch("SELECT count(*) FROM search_document_fts WHERE search_document_fts MATCH %s", [exact])
    assert (holding * 3 > documents * 2) is (text == "projet")

    matching = [row.pk for row in portable.matching_rows(query, pairs)]
    unpublished, hidden = matching[0], tuple(matching[1:4])
    # Unpublished behind the worker's back (its document stays), with a category no other document has.
    _fetch("UPDATE directory_structure SET live = 0 WHERE id = %s", [unpublished])
    _fetch(
        "UPDATE search_structuresearchdocument SET category = 'zz-hors-ligne' WHERE structure_id = %s", [unpublished]
    )
    for hidden_ids in ((), hidden):
        for page in (1, 2):
            paged = dataclasses.replace(query, hidden_ids=hidden_ids, page=page)
            answered, expected = _answer(sqlite.search(paged)), _answer(portable.search(paged))
            assert answered == expected, (text, hidden_ids, page)
            assert answered["total"] == len(matching) - 1 - len(hidden_ids)
            shown = {structure_id for structure_id, _, _ in answered["hits"]}
            assert not shown & {unpublished, *hidden_ids}
            assert "zz-hors-ligne" not in {value for value, _, _ in answered["facets"]["categories"]}
            assert sum(count for _, _, count in answered["facets"]["categories"]) == answered["total"]


def test_a_new_combination_of_facet_values_is_named_at_once_and_a_rolled_back_one_forgotten(seeded):
    """The combinations a search lists by id are named from a copy per process (``sqlite._combinations``), read
    again when the token of migration 0023 changes: on any write of a combination, and back to the earlier
    token (and rows) when that write is rolled back."""
    from django.db import transaction

    def token():
        return _fetch("SELECT token FROM search_document_signature_version")[0][0]

    words, near = SearchQuery(text="projet"), SearchQuery(near=LILLE, sort="distance")
    for query in (words, near):
        assert _answer(sqlite.search(query)) == _answer(portable.search(query))
    before = token()
    first = StructureSearchDocument.objects.filter(latitude__isnull=False).order_by("structure_id").first().pk

    with transaction.atomic():
        _fetch("UPDATE search_structuresearchdocument SET category = 'zz-nouvelle' WHERE structure_id = %s", [first])
        assert token() != before
        for query in (words, near, SearchQuery()):
            answered = _answer(sqlite.search(query))
            assert answered == _answer(portable.search(query))
        assert ("zz-nouvelle", "zz-nouvelle", 1) in _answer(sqlite.search(near))["facets"]["categories"]
        transaction.set_rollback(True)

    assert token() == before
    for query in (words, near):
        answered = _answer(sqlite.search(query))
        assert answered == _answer(portable.search(query))
        assert "zz-nouvelle" not in {value for value, _, _ in answered["facets"]["categories"]}
