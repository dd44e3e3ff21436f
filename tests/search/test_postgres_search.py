"""The database backend on PostgreSQL (``search.database.postgres``): typos, « vouliez-vous dire », its index kept
by the database itself, and totals, facets and order generated against ``portable`` on a seeded directory.

Run with ``DATABASE_URL=postgres://…``; on SQLite every test here is skipped with the reason printed.
"""

import itertools
import re

import pytest
from django.db import connection, transaction

from directory.models import Person, Sector, Skill, SkillDomain, Structure
from search.base import prepare
from search.database import portable, postgres
from search.documents import store_database_documents, structure_sources
from search.models import IndexOutbox, StructureSearchDocument
from search.text import query_words
from search.types import FACET_NAMES, GeoPoint, SearchQuery
from tests.search.search_dataset import LILLE, slugs

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL full-text search: run with DATABASE_URL=postgres://… (SQLite has its own backend)",
    ),
]


def vocabulary(*words: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT word, documents FROM search_vocabulary WHERE word = ANY(%s)", [list(words)])
        return dict(cursor.fetchall())


# --------------------------------------------------------------------------- typos, on the contract's dataset
@pytest.fixture
def pg_search(directory, settings):
    """search(text=..., **filters) on PostgreSQL through the service, no engine."""
    from search.service import search_structures

    settings.ELASTICSEARCH_URL = None

    def run(**kwargs):
        result = search_structures(SearchQuery(**kwargs))
        assert (result.engine, result.degraded) == ("database", False)
        return result

    return run


@pytest.mark.parametrize(
    "text, expected, suggestion",
    [
        pytest.param("comptabilté", ["compta-solidaire"], "comptabilite", id="one-letter-missing"),
        pytest.param("comptabilitée", ["compta-solidaire"], None, id="longer-word-is-a-prefix-match-not-a-typo"),
        pytest.param(
            "menuiserei lille",
            ["atelier-bois-roubaix", "menuiserie-lilloise"],
            "menuiserie lille",
            id="typo-beside-a-town-that-only-ranks",
        ),  # fmt: skip
        pytest.param("photovlotaique", ["photon-coop", "soleil-du-nord"], "photovoltaique", id="transposition"),
        pytest.param("photovltaiqe", ["photon-coop", "soleil-du-nord"], "photovoltaique", id="two-edits-from-9"),
        pytest.param("comptabliiteee", ["compta-solidaire"], "comptabilite", id="stem-corrected-shown-as-a-word"),
    ],
)
def test_a_typo_is_corrected_from_the_indexed_words(pg_search, text, expected, suggestion):
    result = pg_search(text=text)

    assert sorted(slugs(result)) == expected
    assert result.suggestion == suggestion


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("compta", id="right-word"),
        pytest.param("menuisiers", id="mere-plural"),
        pytest.param("rsx", id="short-word-never-corrected"),
        pytest.param("omptabilite", id="first-letters-never-a-typo"),
        pytest.param("comxxxbilite", id="too-many-edits"),
    ],
)
def test_no_correction_where_the_engine_makes_none(pg_search, text):
    result = pg_search(text=text)

    assert result.suggestion is None
    if text in ("compta", "menuisiers"):
        assert result.total >= 1
    else:
        assert result.total == 0


def test_a_correction_never_shows_an_unpublished_structure(pg_search):
    # « Brouillon Solaire » is not published: its words are not indexed at all.
    result = pg_search(text="brouillom")

    assert (result.total, result.suggestion) == (0, None)
    assert vocabulary("brouillon") == {}


def test_a_correction_keeps_the_filters(pg_search):
    result = pg_search(text="photovlotaique", city="Lens")

    assert slugs(result) == ["photon-coop"]
    assert [(f.value, f.count) for f in result.facets["cities"]] == [("Lens", 1), ("Lille", 1)]


def test_a_hidden_structure_is_not_found_through_a_correction(directory):
    hidden = directory["structures"]["compta-solidaire"].pk
    result = postgres.search(SearchQuery(text="comptabilté", hidden_ids=(hidden,)))

    assert (result.total, slugs(result)) == (0, [])


# --------------------------------------------------------------------------- kept by the database itself
def _document(pk: int, words: str) -> StructureSearchDocument:
    return StructureSearchDocument(
        structure_id=pk, name_sort="x", name_text=f" {words} ", skills_text=" ", summary_text=" ",
        search_text=f" {words} ", category="collectif",
    )  # fmt: skip


def test_the_vector_and_vocabulary_follow_every_writer(directory):
    pk = directory["structures"]["photon-coop"].pk
    with transaction.atomic():
        StructureSearchDocument.objects.filter(pk=pk).delete()
        assert vocabulary("centrale") == {}
        # bulk_create, as the rebuild writes
        StructureSearchDocument.objects.bulk_create([_document(pk, "zorglub zorglub photon")])
        assert vocabulary("zorglub") == {"zorglub": 1}
        assert slugs(postgres.search(SearchQuery(text="zorglu"))) == ["photon-coop"]
        # a raw UPDATE, as a hand-written fix or COPY-based loader would
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {postgres.DOCUMENTS} SET search_text = ' bidulon ', name_text = ' bidulon ' "
                "WHERE structure_id = %s",
                [pk],
            )
        assert vocabulary("zorglub", "bidulon") == {"bidulon": 1}
        assert slugs(postgres.search(SearchQuery(text="bidulon"))) == ["photon-coop"]
        assert postgres.search(SearchQuery(text="zorglub")).total == 0
        transaction.set_rollback(True)


def _kept_and_recounted(cursor) -> tuple[list, list]:
    cursor.execute("SELECT key, documents FROM search_facet_counts ORDER BY key")
    kept = cursor.fetchall() + [("words", None)]
    cursor.execute("SELECT word, documents FROM search_vocabulary ORDER BY word")
    kept += cursor.fetchall()
    cursor.execute(
        f"SELECT key, count(*) FROM {postgres.DOCUMENTS}, unnest(facet_keys) AS key GROUP BY key ORDER BY key"
    )
    recounted = cursor.fetchall() + [("words", None)]
    cursor.execute(
        f"SELECT word, count(*) FROM {postgres.DOCUMENTS}, unnest(tsvector_to_array(search_vector)) AS word "
        "GROUP BY word ORDER BY word"
    )
    return kept, recounted + cursor.fetchall()


def test_an_upsert_of_many_documents_changes_the_counts_by_their_net_difference(directory):
    """One statement (the worker's batch) where words and facet keys come, go, and move between documents."""
    ids = sorted(Structure.objects.public().values_list("pk", flat=True))
    sources = structure_sources(ids)
    first, second, *others = sources
    with transaction.atomic():
        store_database_documents(ids, sources)
        before = vocabulary("zorglub", "bidulon", "photon")
        # « zorglub » comes to two documents, « bidulon » to one and leaves the other; the first one's
        # skills (facet keys) all go, the second takes the first's: keys gone to zero, keys moved.
        edited = [
            {**first, "summary": "zorglub bidulon", "skills": [], "skill_names": [], "skill_synonyms": []},
            {**second, "summary": "zorglub", "skills": first["skills"], "skill_names": first["skill_names"]},
            *others,
        ]
        store_database_documents(ids, edited)
        assert vocabulary("zorglub", "bidulon") == {"zorglub": 2, "bidulon": 1}
        with connection.cursor() as cursor:
            kept, recounted = _kept_and_recounted(cursor)
        assert kept == recounted
        store_database_documents(ids, sources)
        assert vocabulary("zorglub", "bidulon", "photon") == before
        with connection.cursor() as cursor:
            kept, recounted = _kept_and_recounted(cursor)
        assert kept == recounted
        transaction.set_rollback(True)


def test_counts_and_vocabulary_survive_the_upserts_of_the_sync(directory):
    from search.documents import refresh_database_documents

    compost = directory["structures"]["terres-de-compost"]
    with transaction.atomic():
        # INSERT … ON CONFLICT DO UPDATE (the sync's upsert) fires the update triggers, a delete the delete ones.
        refresh_database_documents(list(Structure.objects.values_list("pk", flat=True)))
        Structure.objects.filter(pk=compost.pk).update(live=False)
        refresh_database_documents([compost.pk])
        with connection.cursor() as cursor:
            kept, recounted = _kept_and_recounted(cursor)
        assert kept == recounted
        assert ("t:", 5) in kept and vocabulary("biodechet") == {}
        transaction.set_rollback(True)


def _sets_unlike_keys(cursor) -> list:
    """Documents whose two facet sets (migration 0014) do not hold exactly their ``facet_keys``."""
    cursor.execute(
        f"""SELECT d.structure_id FROM {postgres.DOCUMENTS} d
        LEFT JOIN {postgres.FACET_SETS} a ON a.id = d.attribute_set LEFT JOIN {postgres.FACET_SETS} s ON s.id = d.skill_set
        WHERE a.id IS NULL OR s.id IS NULL
            OR ARRAY(SELECT unnest(a.keys || s.keys) ORDER BY 1) <> ARRAY(SELECT unnest(d.facet_keys) ORDER BY 1)"""
    )
    return cursor.fetchall()


def test_the_facet_sets_follow_every_writer(directory):
    from search.database_rebuild import rebuild_database_documents
    from search.documents import refresh_database_documents

    photon, compost = directory["structures"]["photon-coop"], directory["structures"]["terres-de-compost"]
    with transaction.atomic(), connection.cursor() as cursor:
        # the ORM's insert
        StructureSearchDocument.objects.filter(pk=photon.pk).delete()
        StructureSearchDocument.objects.bulk_create([_document(photon.pk, "photon")])
        # a raw UPDATE of the facet values, the skills and their words among them
        cursor.execute(
            f"UPDATE {postgres.DOCUMENTS} SET category = 'entreprise', skill_slugs = '|zorglub|', "
            "membership_slugs = '|', skills_text = ' zorglub ', search_text = search_text || ' zorglub ' "
            "WHERE structure_id = %s",
            [compost.pk],
        )
        assert _sets_unlike_keys(cursor) == []
        # the skill's words are read from its set: a skill word scores 10, as in portable
        zorglub = SearchQuery(text="zorglub")
        assert [(h.structure.pk, h.score) for h in postgres.search(zorglub).hits] == [
            (h.structure.pk, h.score) for h in portable.search(zorglub).hits
        ]
        assert [h.score for h in postgres.search(zorglub).hits] == [10]
        for query in (
            SearchQuery(text="compost"),
            SearchQuery(categories=["entreprise"]),
            SearchQuery(skills=["zorglub"]),
        ):
            assert _facets(postgres.search(query)) == _facets(portable.search(query)), query
        zorglub = postgres.search(SearchQuery(skills=["zorglub"]))
        assert (zorglub.total, slugs(zorglub), ("zorglub", 1) in _facets(zorglub)["skills"]) == (
            1, ["terres-de-compost"], True,
        )  # fmt: skip
        # the sync's upsert, then the rebuild's COPY
        refresh_database_documents([photon.pk, compost.pk])
        assert _sets_unlike_keys(cursor) == []
        rebuild_database_documents()
        assert _sets_unlike_keys(cursor) == []
        cursor.execute(f"SELECT count(*) FROM {postgres.DOCUMENTS}")
        assert cursor.fetchone()[0] == Structure.objects.filter(live=True).count() > 2
        transaction.set_rollback(True)


def test_a_facet_set_is_found_by_its_index_even_when_the_statistics_say_no_sets(directory):
    """Structural guard of migration 0015: the lookup never scans every set (a first rebuild was quadratic)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE search_facet_sets")
        cursor.execute("ANALYZE search_facet_sets")  # « no rows »: the planner's own choice is a sequential scan
        cursor.execute("EXPLAIN SELECT id FROM search_facet_sets WHERE digest = 'x'")
        assert "Seq Scan" in cursor.fetchone()[0]
        # The function runs with its own settings: the same lookup under them goes by the unique index.
        cursor.execute("SELECT proconfig FROM pg_proc WHERE proname = 'search_facet_set'")
        [settings] = cursor.fetchone()
        assert settings == ["enable_seqscan=off"]
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM search_facet_sets WHERE digest = 'x'")
        assert "search_facet_sets_digest_key" in cursor.fetchone()[0]
        # And the sets it adds from there are those the documents' keys call for.
        cursor.execute("SELECT search_facet_set(ARRAY['t:', 'c:collectif'], NULL), search_facet_set(ARRAY['t:'], NULL)")
        first, second = cursor.fetchone()
        cursor.execute("SELECT search_facet_set(ARRAY['t:', 'c:collectif'], NULL)")
        assert cursor.fetchone()[0] == first != second
        transaction.set_rollback(True)


def test_a_weight_says_which_field_holds_the_word(directory):
    pk = directory["structures"]["photon-coop"].pk
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT search_vector @@ %s::tsquery, search_vector @@ %s::tsquery, search_vector @@ %s::tsquery "
            f"FROM {postgres.DOCUMENTS} WHERE structure_id = %s",
            ["'photovoltaiqu':*A", "'photon':B", "'centrale':*C", pk],
        )
        assert cursor.fetchone() == (True, True, True)
        cursor.execute(
            f"SELECT search_vector @@ %s::tsquery FROM {postgres.DOCUMENTS} WHERE structure_id = %s",
            ["'photon':A", pk],
        )
        assert cursor.fetchone() == (False,)


# --------------------------------------------------------------------------- generated comparison with portable
@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """300 generated structures (the demo generator), their documents built, committed for the module."""
    from directory.seed import seed_directory
    from search.documents import refresh_database_documents

    with django_db_blocker.unblock():
        seed_directory(300, progress=False)
        refresh_database_documents(list(Structure.objects.values_list("pk", flat=True)))
        IndexOutbox.objects.all().delete()
        yield
        Person.objects.all().delete()
        Structure.objects.all().delete()
        Skill.objects.all().delete()
        SkillDomain.objects.all().delete()
        Sector.objects.all().delete()
        StructureSearchDocument.objects.all().delete()
        IndexOutbox.objects.all().delete()


def _cases():
    texts = ["", "energie", "compost", "menuiserie lille", "conseil", "atelier", "projet solidaire", "ro", "lille"]
    return texts


def _filters(listing) -> list[dict]:
    """Filter combinations from the blank listing's own facet values: one, two and three facets at once."""
    first = {name: [v.value for v in listing.facets[name][:2]] for name in FACET_NAMES}
    single = [
        {"categories": first["categories"][:1]},
        {"memberships": first["memberships"][:2]},
        {"skills": first["skills"][:1]},
        {"sectors": first["sectors"][:2]},
        {"city": first["cities"][0]},
    ]
    combined = [{**a, **b} for a, b in itertools.combinations(single, 2)]
    return [{}, *single, *combined, {**single[0], **single[2], **single[4]}]


def _facets(result) -> dict:
    return {name: [(v.value, v.count) for v in values] for name, values in result.facets.items()}


def _ranked(result) -> list[tuple[int, int]]:
    # Whole points are the tiers both backends share; PostgreSQL's fraction (ts_rank_cd) only breaks their ties.
    return sorted((-int(hit.score), hit.structure.pk) for hit in result.hits)


def test_totals_facets_and_order_agree_with_portable(seeded):
    listing = portable.search(SearchQuery(per_page=1))
    compared = 0
    for text in _cases():
        for filters in _filters(listing):
            for sort in ("relevance", "name", "newest"):
                query = SearchQuery(text=text, sort=sort, per_page=100, **filters)
                expected, got = portable.search(query), postgres.search(query)
                label = f"{text!r} {filters} {sort}"
                assert got.total == expected.total, label
                assert _facets(got) == _facets(expected), label
                if sort == "relevance" and text:
                    assert _ranked(got) == _ranked(expected), label
                else:
                    assert slugs(got) == slugs(expected), label
                compared += 1
    assert compared == len(_cases()) * 17 * 3
    assert listing.total == Structure.objects.filter(live=True).count()


@pytest.mark.parametrize("page", [1, 2, 7])
def test_pages_and_distances_agree_with_portable(seeded, page):
    near = GeoPoint(*LILLE, radius_km=25)
    for query in (
        SearchQuery(near=near, sort="distance", page=page, per_page=7),
        SearchQuery(text="energie", near=near, sort="name", page=page, per_page=3),
    ):
        expected, got = portable.search(query), postgres.search(query)
        assert (got.total, slugs(got)) == (expected.total, slugs(expected))
        assert [h.distance_km for h in got.hits] == pytest.approx([h.distance_km for h in expected.hits], abs=1e-3)
        assert _facets(got) == _facets(expected)


def test_structures_at_the_same_distance_are_paged_by_name(seeded):
    """By distance, a page is cut from the rows within its last distance, ordered by name there (``search_sql``):
    structures sharing a spot, across pages, come as ``portable`` orders every document."""
    near = GeoPoint(*LILLE, radius_km=25)
    spots = [(LILLE[0], LILLE[1]), (LILLE[0] + 0.01, LILLE[1]), (LILLE[0], LILLE[1] + 0.02)]
    moved = list(StructureSearchDocument.objects.order_by("-name_sort").values_list("structure_id", flat=True)[:12])
    for number, pk in enumerate(moved):
        latitude, longitude = spots[number % 3]
        StructureSearchDocument.objects.filter(structure_id=pk).update(latitude=latitude, longitude=longitude)
    expected = portable.search(SearchQuery(near=near, sort="distance", per_page=20))

    got = [postgres.search(SearchQuery(near=near, sort="distance", page=page, per_page=3)) for page in (1, 2, 3, 4)]

    assert [h.distance_km for h in expected.hits[:4]] == [0.0] * 4, "four structures at the point, first"
    assert [(r.total, _facets(r)) for r in got] == [(expected.total, _facets(expected))] * 4
    assert [(h.structure.pk, h.distance_km) for r in got for h in r.hits] == [
        (h.structure.pk, pytest.approx(h.distance_km, abs=1e-9)) for h in expected.hits[:12]
    ]


@pytest.mark.parametrize("text", ["", "energie", "projet solidaire"])
def test_pages_by_distance_with_words_and_filters_agree_with_portable(seeded, text):
    """By distance, the page's rows come with their exact scores and the filters' facets (``search_sql``'s distance
    page), page after page, as ``portable`` computes them for every document."""
    near = GeoPoint(*LILLE, radius_km=40)
    listing = portable.search(SearchQuery(per_page=1))
    compared = 0
    for filters in _filters(listing)[:6]:
        expected = portable.search(SearchQuery(text=text, near=near, sort="distance", per_page=100, **filters))
        for page in (1, 2):
            got = postgres.search(SearchQuery(text=text, near=near, sort="distance", page=page, per_page=4, **filters))
            label = f"{text!r} {filters} page {page}"
            assert (got.total, _facets(got)) == (expected.total, _facets(expected)), label
            assert [(h.structure.pk, h.score, h.distance_km) for h in got.hits] == [
                (h.structure.pk, h.score, pytest.approx(h.distance_km, abs=1e-9))
                for h in expected.hits[(page - 1) * 4 : page * 4]
            ], label
            compared += len(got.hits)
    assert compared >= 12, "the seeded directory no longer fits this test"


# --------------------------------------------------------------------------- broad queries: pages of the full ranking
def _all_pages(search, text: str, per_page: int) -> tuple[int, list]:
    """(total, every hit in page order) of ``text``, page after page, read as the service reads it (``prepare``)."""
    first = search(prepare(SearchQuery(text=text, per_page=per_page)))
    hits = list(first.hits)
    for page in range(2, -(-first.total // per_page) + 1):
        hits += search(prepare(SearchQuery(text=text, page=page, per_page=per_page))).hits
    return first.total, hits


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("projet", id="one-word-most-documents"),
        pytest.param("energie", id="one-word-in-skills-and-names"),
        pytest.param("projet solidaire", id="two-words-side-by-side-bonus"),
        pytest.param("economie circulaire", id="two-words-a-sector"),
        pytest.param("menuiserie lille", id="a-word-and-a-town-that-ranks"),
        pytest.param("économie sociale solidaire", id="three-words"),
    ],
)
def test_every_page_is_a_slice_of_the_full_ranking(seeded, text):
    """Only the candidates that can reach a page are scored whole (``search_sql``): the pages, one after the
    other, are still the full ranking, ties by name, as ``portable`` scores and sorts every document."""
    total, expected = _all_pages(portable.search, text, per_page=100)
    got_total, got = _all_pages(postgres.search, text, per_page=7)

    assert total > 7, "the seeded directory no longer fits this test (two pages at least)"
    assert got_total == total == len(got)
    assert [(hit.structure.pk, hit.score) for hit in got] == [(hit.structure.pk, hit.score) for hit in expected]


@pytest.mark.parametrize(
    "filters",
    [
        pytest.param({"skills": ["menuiserie%"]}, id="percent-is-no-wildcard"),
        pytest.param({"skills": ["menuiseri_"]}, id="underscore-is-no-wildcard"),
        pytest.param({"sectors": ["|"]}, id="the-delimiter-is-no-value"),
        pytest.param({"memberships": [""]}, id="empty"),
    ],
)
def test_a_filter_value_matches_only_itself(seeded, filters):
    query = SearchQuery(text="atelier", **filters)

    got, expected = postgres.search(query), portable.search(query)

    assert (got.total, slugs(got)) == (expected.total, []) == (0, [])
    assert _facets(got) == _facets(expected)


# --------------------------------------------------------------------------- parallel workers
# At 200,000 documents, parallel workers read and score a broad query's matched rows (``postgres.PLANNER_SETTINGS``);
# 300 seeded structures are far below the size that starts them, so these settings start them whatever the size.
ALWAYS_PARALLEL = (
    "; SET LOCAL min_parallel_table_scan_size = 0; SET LOCAL min_parallel_index_scan_size = 0;"
    " SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0"
)


def test_parallel_workers_find_what_one_process_finds(seeded, monkeypatch):
    queries = [
        SearchQuery(text=text, sort=sort, page=page, per_page=7, **filters)
        for text in ("projet", "energie", "projet solidaire", "menuiserie lille")
        for filters in ({}, _filters(portable.search(SearchQuery(per_page=1)))[6])
        for sort in ("relevance", "name")
        for page in (1, 3)
    ] + [
        SearchQuery(near=GeoPoint(*LILLE, radius_km=25), sort="distance", page=2, per_page=7),
        SearchQuery(text="energie", near=GeoPoint(*LILLE, radius_km=25), sort="name", per_page=3),
    ]
    one_process = [postgres.search(query) for query in queries]
    monkeypatch.setattr(postgres, "PLANNER_SETTINGS", postgres.PLANNER_SETTINGS + ALWAYS_PARALLEL)
    sql, params = postgres.search_sql(queries[0], query_words(queries[0].text))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {postgres.DOCUMENTS}")  # a table never analysed is planned as a few rows
        cursor.execute(postgres.PLANNER_SETTINGS)
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    # The documents read by workers (a parallel bitmap heap scan, or on so few rows a parallel index scan).
    assert re.search(rf"Parallel [A-Za-z ]*Scan (using \S+ )?on {postgres.DOCUMENTS} d\b", plan), plan

    assert all(result.hits for result in one_process[:4]), "the seeded directory no longer fits this test"
    for query, expected in zip(queries, one_process, strict=True):
        got = postgres.search(query)
        assert got.total == expected.total, query
        assert _facets(got) == _facets(expected), query
        assert [(h.structure.pk, h.score, h.distance_km) for h in got.hits] == [
            (h.structure.pk, h.score, h.distance_km) for h in expected.hits
        ], query


# --------------------------------------------------------------------------- broad searches (``broad_sql``)
def _answer(result) -> tuple:
    return result.total, _facets(result), [(h.structure.pk, h.score, h.distance_km) for h in result.hits]


def test_a_broad_search_answers_as_the_direct_statement(seeded, monkeypatch):
    """Counted by their complement and paged from the best candidates by ``upper``, a broad search gives the very
    totals, facet counts, hits and scores of ``search_sql`` — with unpublished structures that still have their
    documents (a writer bypassing the signals) and structures waiting to be indexed (hidden) left out of both,
    page after page, in one process or in parallel workers; and ``search_sql`` answers when the candidates
    cannot tell the page."""
    matching = list(
        StructureSearchDocument.objects.filter(search_text__contains=" projet")
        .order_by("name_sort")
        .values_list("structure_id", flat=True)
    )
    assert len(matching) > 40, "the seeded directory no longer fits this test"
    unpublished, hidden = matching[:3] + matching[-2:], tuple(matching[3:6])
    Structure.objects.filter(pk__in=unpublished).update(live=False)  # their documents stay
    queries = [
        prepare(SearchQuery(text=text, page=page, per_page=per_page, hidden_ids=hide))
        for text in ("projet", "energie", "projet solidaire", "atelier", "menuiserie lille", "zzzz")
        for page, per_page in ((1, 20), (2, 7), (5, 3))
        for hide in ((), hidden)
    ]
    answered = []
    broad = postgres._broad

    def recorded(cursor, query, pairs):
        result = broad(cursor, query, pairs)
        answered.append(result is not None)
        return result

    monkeypatch.setattr(postgres, "_broad", recorded)
    monkeypatch.setattr(postgres, "BROAD_SHARE", float("inf"))  # never broad: ``search_sql``
    direct = [_answer(postgres.search(query)) for query in queries]
    assert not answered
    monkeypatch.setattr(postgres, "BROAD_SHARE", 0)  # broad whenever every word is an indexed one's start
    for planner in (postgres.PLANNER_SETTINGS, postgres.PLANNER_SETTINGS + ALWAYS_PARALLEL):
        monkeypatch.setattr(postgres, "PLANNER_SETTINGS", planner)
        for query, expected in zip(queries, direct, strict=True):
            assert _answer(postgres.search(query)) == expected, query

    assert True in answered and False in answered, "both the broad answer and its fallback were exercised"
    listed = {h.structure.pk for query in queries if query.text == "projet" for h in postgres.search(query).hits}
    assert listed and not listed & {*unpublished, *hidden}


def test_a_broad_page_is_refused_when_a_document_outside_the_candidates_may_reach_it():
    query = SearchQuery(text="projet", page=1, per_page=2)
    # (structure id, exact score, upper, name): the third candidate bounds every other document.
    kept = [(1, 9.0, 9, "b"), (2, 8.0, 8, "a"), (3, 7.0, 7, "c")]
    assert postgres.broad_page(kept, query) == [(1, 9.0, None), (2, 8.0, None)]
    # The second best scores 6 but the last candidate's bound is 7: an unseen document may score 7.
    assert postgres.broad_page([(1, 9.0, 9, "b"), (2, 6.0, 8, "a"), (3, 5.0, 7, "c")], query) is None
    # Ties on the score go by name, then id, as ``ORDER_BY``.
    assert postgres.broad_page([(5, 7.0, 7, "a"), (4, 7.0, 7, "a"), (3, 7.0, 7, "b")], query) == [
        (4, 7.0, None),
        (5, 7.0, None),
    ]
    # Fewer candidates than the page reaches: they are every listed document.
    assert postgres.broad_page([(1, 3.0, 4, "a")], SearchQuery(text="projet", page=1, per_page=2)) == [(1, 3.0, None)]
