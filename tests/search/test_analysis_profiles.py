"""The two analysis profiles of the directory index: what each asks of the engine, and the choice.

The request bodies and documents are checked as dicts; the engine tests
(``-m engine``) run the whole contract on whichever profile the engine gets.
"""

import datetime
import decimal
import json
import re
from io import StringIO

import opensearchpy
import pytest
from django.core.management import call_command

from directory import seed_data
from lagrappe.engine_probe import EngineInfo
from search.engine import get_backend
from search.engine.client import EngineClient, OpenSearchOrjsonSerializer
from search.engine.definition import (
    FULL,
    PLURAL_PATTERN,
    PLURAL_REPLACEMENT,
    PORTABLE,
    _glued_pairs,
    analysis,
    choose_profile,
    expand_synonyms,
    portable_document,
    synonym_groups,
)
from search.engine.indexer import bulk_body
from search.engine.query import search_body, spelling_body, suggest_body, text_query
from search.engine.results import _within_typo_distance
from search.text import PLURAL_RULES, analyze, document_text, folded_words
from search.types import SearchQuery

SOURCE = {
    "id": 7,
    "slug": "soleil-du-nord",
    "name": "Soleil du Nord",
    "summary": "Coopérative citoyenne d’énergie",
    "description": "L’énergie solaire pour les copropriétés.",
    "city": "Villeneuve-d'Ascq",
    "category": "collectif",
    "memberships": ["cluster"],
    "skills": ["photovoltaique"],
    "skill_names": ["Photovoltaïque"],
    "skill_domains": ["Énergie & climat"],
    "skill_synonyms": ["panneaux solaires"],
    "domain_synonyms": ["transition énergétique"],
    "sectors": ["energie"],
    "sector_names": ["Énergie"],
    "sector_synonyms": ["EnR"],
    "location": None,
    "joined": "2020-03-01",
}
RULES = ["Photovoltaïque, panneaux solaires", "Gouvernance coopérative, SCOP, coopérative"]


def _analyzers(body) -> set[str]:
    """Every analyzer or normalizer a request or index body names."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("analyzer", "search_analyzer", "normalizer") and isinstance(value, str):
                    found.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(body)
    return found


@pytest.mark.parametrize(
    "has_module, requested, expected",
    [
        (True, "auto", "full"),
        (False, "auto", "portable"),
        (True, "portable", "portable"),
        (False, "full", "full"),
    ],
)
def test_the_profile_follows_the_node_unless_forced(has_module, requested, expected):
    profile, reason = choose_profile(has_module, requested)

    assert profile.name == expected
    assert ("imposé" in reason) is (requested != "auto")


def test_the_portable_index_uses_only_built_in_analysis():
    body = PORTABLE.index_body(RULES)

    assert "analysis" not in body["settings"]
    assert _analyzers(body) == {"whitespace"}
    assert body["mappings"]["_meta"] == {"lagrappe_profile": "portable"}
    assert body["mappings"]["properties"]["all_prefix"]["index_prefixes"] == {"min_chars": 2, "max_chars": 15}
    full = FULL.index_body(RULES)
    assert full["mappings"]["_meta"] == {"lagrappe_profile": "full"}
    assert {"french_index", "french_search", "prefix_index"} <= _analyzers(full)


def test_the_portable_document_holds_the_french_analysis_of_the_text():
    """The database backend's analysis (``search.text``), whatever it becomes, word for word."""
    document = portable_document(SOURCE)

    for field in ("name", "summary", "description", "city"):
        assert document[field] == document_text(SOURCE[field]).strip()
    description = document["description"].split()
    assert {"energie", "solaire"} <= set(description)  # accents folded, « L’ » elided
    assert not {"l", "pour", "les", "énergie"} & set(description)  # no elision, stop word nor accent left
    assert "dascq" in document["city"].split()  # « d'Ascq » also as visitors type it
    assert document["skill_synonyms"] == [document_text("panneaux solaires").strip()]
    assert document["domain_synonyms"] == [document_text("transition énergétique").strip()]
    assert document["sector_synonyms"] == ["enr"]
    assert (document["city_name"], document["city_folded"]) == ("Villeneuve-d'Ascq", "villeneuve-d'ascq")
    assert (document["label"], document["name_sort"], document["name_words"]) == (
        "Soleil du Nord",
        "soleil du nord",
        "soleil nord",
    )
    assert "location" not in document  # a structure without coordinates
    assert set(document) <= set(PORTABLE.index_body([])["mappings"]["properties"])


def test_synonyms_expand_on_analysed_terms_both_ways():
    groups = synonym_groups(RULES)
    panels, pv, lille = analyze("panneaux solaires"), analyze("photovoltaïque"), analyze("Lille")

    assert expand_synonyms([*panels, *lille], groups) == [[*pv, *lille]]
    assert expand_synonyms(pv, groups) == [panels]
    assert expand_synonyms(analyze("coopérative"), groups) == [analyze("gouvernance coopérative"), analyze("SCOP")]
    assert expand_synonyms(analyze("menuisier"), groups) == []


def test_the_portable_query_sends_analysed_terms_and_names_no_analyzer():
    groups = synonym_groups(RULES)
    body = search_body(SearchQuery(text="Panneaux solaires d'Arras"), PORTABLE, groups)
    main = body["query"]["bool"]["must"][0]["bool"]["must"][0]["bool"]["should"]
    literal, synonym, per_word = main[0]["multi_match"], main[1]["multi_match"], main[2]["bool"]["must"]

    assert _analyzers(body) == set()
    assert (literal["query"], literal["boost"]) == (" ".join(analyze("panneaux solaires arras")), 3)
    assert (synonym["query"], synonym["boost"]) == (" ".join(analyze("photovoltaïque arras")), 0.5)
    assert per_word[0]["bool"]["should"][1] == {"prefix": {"all_prefix": {"value": "panneaux"}}}
    assert per_word[0]["bool"]["should"][0]["multi_match"]["fuzziness"] == "AUTO:5,9"
    assert "highlight" not in body  # marked on the displayed text by LaGrappe
    assert spelling_body(SearchQuery(text="Panneaux solaires d'Arras"))["suggest"]["text"] == "panneaux solaires arras"
    assert body["sort"][-2:] == [{"name_sort": {"order": "asc"}}, {"slug": {"order": "asc"}}]


def test_the_portable_profile_filters_and_counts_on_its_own_fields():
    body = search_body(SearchQuery(city="Villeneuve-d’Ascq", sort="name"), PORTABLE)

    assert body["post_filter"] == {"bool": {"filter": [{"term": {"city_folded": "villeneuve-d'ascq"}}]}}
    assert body["aggs"]["cities"]["aggs"]["values"]["terms"]["field"] == "city_name"
    assert text_query("CETTE", PORTABLE) == {"match_none": {}}
    assert text_query("*", PORTABLE) is None


def test_the_portable_autocomplete_wants_every_word_as_a_prefix():
    body = suggest_body("Menui lil", 5, profile=PORTABLE)

    assert body["query"] == {
        "bool": {
            "must": [{"prefix": {"name_prefix": {"value": "menui"}}}, {"prefix": {"name_prefix": {"value": "lil"}}}]
        }
    }
    assert body["_source"] == ["label", "slug"]


@pytest.mark.parametrize(
    "typed, shown, marked",
    [
        ("comptabilte", "comptabilite", True),  # one letter missing, 11 letters: up to two edits
        ("vitrail", "vitrial", True),  # a transposition is one edit
        ("compost", "compote", False),  # two edits, 7 letters: one allowed
        ("rse", "rsa", False),  # under five letters: exact only
        ("lille", "llile", False),  # the first two letters are never a typo
    ],
)
def test_typo_distance_is_the_engines(typed, shown, marked):
    assert _within_typo_distance(typed, shown) is marked


@pytest.mark.engine
@pytest.mark.django_db
def test_status_names_the_engine_version_and_profile(settings):
    from lagrappe.engine_probe import engine_info
    from search.engine import get_backend

    get_backend().rebuild(progress=False)
    out = StringIO()
    call_command("search_index", "status", stdout=out)
    info = engine_info(settings.ELASTICSEARCH_URL)
    expected, _ = choose_profile(info.analysis_common, settings.SEARCH_ANALYSIS_PROFILE)

    assert f"Moteur : {info.product} {info.version} à {settings.ELASTICSEARCH_URL}" in out.getvalue()
    assert f"Profil d’analyse : {expected.name} — {expected.label}" in out.getvalue()
    assert "Index construit avec le profil" not in out.getvalue()
    assert get_backend().index_profile() == expected.name
    get_backend().drop_all()


def test_both_profiles_index_prefixes_of_every_text_but_the_description():
    """A description's words match whole, stemmed or with a typo: their prefixes tripled the indexing time (issue 10)."""
    source = {
        **SOURCE,
        "description": "Copropriétés solaires et graphistes.",
        "skill_synonyms": ["panneaux solaires"] * 3,
    }
    portable = portable_document(source)["all_prefix"].split()
    full_document = FULL.document(source)
    full = FULL.index_body(RULES)["mappings"]["properties"]
    analysis = FULL.index_body(RULES)["settings"]["analysis"]

    assert "graphistes" not in portable and {"soleil", "cooperative", "villeneuve", "photovoltaique"} <= set(portable)
    # The same words in both profiles, each once (a synonym list repeats words), no stop word (« du »).
    assert full_document["all_prefix"].split() == portable
    assert len(portable) == len(set(portable)) and "du" not in portable and portable.count("panneaux") == 1
    # Sent by LaGrappe, not copied by the engine from every text.
    assert not any("all_prefix" in definition.get("copy_to", []) for definition in full.values())
    assert analysis["analyzer"][full["all_prefix"]["analyzer"]]["tokenizer"] == "whitespace"
    edge = analysis["filter"]["word_start_edge"]
    assert (edge["min_gram"], edge["max_gram"]) == (2, 15)  # one letter is never a prefix (MIN_PREFIX_LENGTH)
    assert analysis["filter"]["word_start_cut"]["length"] == 15  # a longer typed word still meets its words
    assert full["all_prefix"]["search_analyzer"] == "word_start_search"


@pytest.mark.parametrize(
    "word",
    ["materiau", "materiaux", "tuyau", "travail", "travaux", "vitrail", "bail", "rail", "ail", "eau", "bateau",
     "preau", "boyau", "landau", "au", "detail", "portail", "email", "maille", "aulx"],
)  # fmt: skip
def test_the_engines_single_plural_pattern_folds_like_the_rules_in_turn(word):
    """One ``pattern_replace`` for PLURAL_RULES, as the database's analysis applies them one after another."""
    one = re.sub(PLURAL_PATTERN, PLURAL_REPLACEMENT.replace("$", "\\"), word)
    in_turn = word
    for pattern, replacement in PLURAL_RULES:
        in_turn = re.sub(pattern, replacement, in_turn)

    assert one == in_turn
    assert FULL.index_body(RULES)["settings"]["analysis"]["filter"]["plural_fold"]["pattern"] == PLURAL_PATTERN


def test_elided_words_are_glued_in_the_prefix_words_not_by_every_analyzer():
    """« villeneuve dascq » finds « Villeneuve-d’Ascq » through ``all_prefix``; the French fields index « ascq » alone.

    A multiplexer writing both forms of every token of every text was a third of the engine's indexing CPU (issue 10).
    """
    document = FULL.document(SOURCE)
    analysis = FULL.index_body(RULES)["settings"]["analysis"]
    prefix_words = document["all_prefix"].split()

    assert {"ascq", "dascq", "energie", "denergie"} <= set(prefix_words)
    assert prefix_words.index("ascq") < prefix_words.index("dascq")
    assert analysis["analyzer"]["french_index"]["filter"][0] == "french_elision"
    assert "elision_variants" not in analysis["analyzer"]["french_index"]["filter"]
    assert portable_document(SOURCE)["all_prefix"] == document["all_prefix"]


def _phrase_fields(node, found, phrase=False):
    """Fields a request body may run a phrase on: phrase clauses, the synonym graph's multi-word rules, highlights."""
    if isinstance(node, dict):
        phrase = phrase or node.get("type") == "phrase" or node.get("analyzer") == "french_search"
        for key, value in node.items():
            if key == "fields" and isinstance(value, list) and phrase:
                found.update(field.split("^")[0] for field in value)
            elif key == "fields" and isinstance(value, dict):  # highlight
                found.update(value)
            elif key in ("match_phrase", "match_phrase_prefix"):
                found.update(value)
            _phrase_fields(value, found, phrase)
    elif isinstance(node, list):
        for item in node:
            _phrase_fields(item, found, phrase)
    return found


def test_fields_indexed_without_positions_are_never_asked_for_a_phrase():
    """``index_options: freqs`` where no query reads positions; a phrase on such a field would fail the search."""
    properties = FULL.index_body(RULES)["mappings"]["properties"]
    mapped = {
        **{name: definition for name, definition in properties.items()},
        **{
            f"{name}.{sub}": definition
            for name, parent in properties.items()
            for sub, definition in parent.get("fields", {}).items()
        },
    }
    without_positions = {name for name, definition in mapped.items() if definition.get("index_options") == "freqs"}
    body = search_body(SearchQuery(text="panneaux solaires villeneuve d'ascq"))
    phrased = _phrase_fields(body, set())

    assert without_positions == {
        "all_prefix", "glued", "spell", "name.exact", "skill_names.exact", "name.autocomplete"
    }  # fmt: skip
    assert phrased and phrased <= set(mapped)
    assert not phrased & without_positions


def test_documents_are_serialised_by_orjson_as_the_standard_json_would():
    """Both clients send ``orjson``'s JSON (issue 10): the same values as ``json``, dates and accents included."""
    document = {
        **FULL.document(SOURCE),
        "updated_at": datetime.datetime(2026, 12, 6, 5, 40, 1, 12, tzinfo=datetime.UTC),
        "joined": datetime.date(2020, 3, 1),
        "score": decimal.Decimal("1.5"),
    }
    sent = OpenSearchOrjsonSerializer().dumps(document)

    assert isinstance(sent, str) and "Énergie" in sent
    assert json.loads(sent) == json.loads(opensearchpy.JSONSerializer().dumps(document))
    assert OpenSearchOrjsonSerializer().loads('{"a": [1, "é"]}') == {"a": [1, "é"]}
    with pytest.raises(opensearchpy.exceptions.SerializationError):
        OpenSearchOrjsonSerializer().dumps({"x": object()})
    for product, version in (("opensearch", "3.8.0"), ("elasticsearch", "9.2.0")):
        client = EngineClient("http://127.0.0.1:1", "unused", info=EngineInfo(product, version, True)).client
        serializer = getattr(client.transport, "serializer", None) or client.transport.serializers.get_serializer(
            "application/json"
        )
        assert serializer.dumps(document) in (sent, sent.encode())
    # A rebuild serialises its bulk bodies itself: the same document, after its action line.
    assert bulk_body([(7, document)]).split(b"\n") == [b'{"index":{"_id":"7"}}', sent.encode(), b""]


def _seed_texts() -> list[str]:
    """The short texts a seeded directory is made of: skills, synonyms, domains, sectors, towns, name parts."""
    texts = set(seed_data.SECTORS) | set(seed_data.NAME_HEADS) | set(seed_data.NAME_CORES)
    texts |= {city[0] if isinstance(city, tuple) else city for city in seed_data.CITIES}
    for domain, skills in seed_data.TAXONOMY:
        texts.add(domain)
        for name, synonyms, _ in skills:
            texts |= {name, *synonyms.split(";")}
    for synonyms in [*seed_data.DOMAIN_SYNONYMS.values(), *seed_data.SECTOR_SYNONYMS.values()]:
        texts |= set(synonyms.split(";"))
    tricky = ["la maison verte", "maison de", "de", "Un", "l’atelier d’Ascq", "Tiers-lieu", "café à vélo de la ville",
              "Les Ateliers 2024 n°3", "L’ÉCO-LIEU", "C'est l'été", "Mobil’Idées", "aujourd'hui", "3,5 km", "A_B"]  # fmt: skip
    return sorted({text.strip() for text in texts if text.strip()} | set(tricky))


@pytest.mark.engine
@pytest.mark.django_db
def test_lagrappe_splits_and_glues_words_as_the_engines_analysis_did():
    """``spell`` and ``glued`` come split from LaGrappe (issue 10): the same terms as the engine's own chains made.

    The engine's chains run inline in ``_analyze`` (the standard tokenizer, the elision, the folding, the stop
    words and a two-word shingle with an empty filler, then the plural rules and the stemmer), beside the index's
    ``glued_index`` (spaces, plural rules, stemmer) on LaGrappe's pairs. A word the tokenizer keeps whole (an
    apostrophe inside it, « 3,5 », « a_b ») is split by LaGrappe as a visitor's query is split.
    """
    backend = get_backend()
    if not backend.info.analysis_common:
        pytest.skip("the engine has no analysis-common module (elision, folding, shingles): nothing to compare with")
    filters = analysis(RULES)["filter"]
    folding = ["lowercase", "asciifolding"]
    spelled = {"tokenizer": "standard", "filter": [filters["french_elision"], *folding]}
    shingle = {"type": "shingle", "min_shingle_size": 2, "max_shingle_size": 2, "output_unigrams": False,
               "token_separator": "", "filler_token": ""}  # fmt: skip
    stemmed = [filters["plural_fold"], filters["french_stemmer"]]
    engine_glued = {**spelled, "filter": [*spelled["filter"], filters["french_stop"], shingle, *stemmed]}
    lagrappe_glued = {"tokenizer": "whitespace", "filter": stemmed}
    assert analysis(RULES)["analyzer"]["glued_index"] == {
        "tokenizer": "whitespace",
        "filter": ["plural_fold", "french_stemmer"],
    }

    def tokens(chain, text):
        if not text:
            return []
        answer = backend.request("POST", "/_analyze", body={**chain, "text": text})
        return [token["token"] for token in answer["tokens"]]

    compared = split = 0
    for text in _seed_texts():
        engine_words = tokens(spelled, text)
        # The spelling dictionary: the engine's words, those it keeps whole split as a query's are.
        assert folded_words(text) == [w for token in engine_words for w in re.findall("[0-9a-z]+", token)], text
        glued = tokens(lagrappe_glued, " ".join(_glued_pairs(text)))
        if all(re.fullmatch("[0-9a-z]+", token) for token in engine_words):
            assert glued == tokens(engine_glued, text), text
            compared += 1
        else:
            split += 1
    assert split == 4 and compared > 300  # « Mobil’Idées », « aujourd'hui », « 3,5 km », « A_B »
    assert _glued_pairs("maison de la culture") == ["maison", "culture"]
    assert _glued_pairs("la maison verte") == ["maison", "maisonverte"]
    assert _glued_pairs("Boulangerie") == []
