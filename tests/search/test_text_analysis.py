"""The French analysis both backends share (``search.text``): stems, plurals, stop words, elisions.

The database backend analyses with ``search.text``; the engine with its own
filters (``search.engine.definition``). The engine test feeds the same words to
the real index's ``french_index`` analyzer and expects the same terms.
"""

import pytest

from search.text import STOP_WORDS, analyse_part, analyze, edit_distance, fold, max_typos, query_terms, stem

IRREGULAR_PLURALS = [
    ("matériau", "matériaux"),
    ("travail", "travaux"),
    ("tuyau", "tuyaux"),
    ("vitrail", "vitraux"),
    ("journal", "journaux"),
    ("local", "locaux"),
    ("panneau", "panneaux"),
    ("bateau", "bateaux"),
    ("menuisier", "menuisiers"),
    ("ruche", "ruches"),
    ("composteur", "composteurs"),
    ("gaz", "gaz"),
]


@pytest.mark.parametrize(("singular", "plural"), IRREGULAR_PLURALS)
def test_singular_and_plural_share_a_stem(singular, plural):
    assert analyze(singular) == analyze(plural)
    assert len(analyze(singular)) == 1


def test_distinct_words_keep_distinct_stems():
    # Light stemming: plurals and feminines meet, different words do not.
    assert stem("compost") != stem("comptes")
    assert stem("materiel") != stem(fold("matériau"))
    assert stem("eau") == "eau" and stem("eaux") == "eaux" or stem("eaux") == "eau"


def test_actor_nouns_meet_in_the_masculine_and_the_feminine():
    assert analyze("apiculteur") == analyze("apicultrice")
    assert analyze("facilitateur") == analyze("facilitatrice")
    assert analyze("maraîcher") == analyze("maraichère") or analyze("maraîchers") == analyze("maraîcher")


def test_stop_words_are_the_engines_french_list_folded():
    # Accented entries of _french_ count folded (« à », « même » are dropped); « été » is a noun there.
    for word in ("à", "même", "étaient", "les", "nous", "avons", "eûmes", "cette"):
        assert fold(word) in STOP_WORDS
        assert analyze(word) == []
    # Not in the list: content words and the filler a visitor types stay words.
    for word in ("menuisier", "cherche", "lille", "bois", "été", "son", "est"):
        assert fold(word) not in STOP_WORDS


def test_elisions_capitals_and_apostrophes_change_nothing():
    expected = analyze("eau")
    assert analyze("l'eau") == analyze("L’EAU") == analyze("l‘eau") == expected
    assert query_terms("Gestion de l’eau") == query_terms("gestion de l'eau") == query_terms("GESTION EAU")


@pytest.mark.parametrize(
    ("text", "folded", "terms"),
    [
        (
            "Villeneuve-d’Ascq",
            "villeneuve-d'ascq",
            ("vileneuv", "ascq", "dascq", "villeneuve", "vileneuveascq"),
        ),
        # An elision only where a word starts: after a lone accent (not a letter), not inside « al'eau ».
        ("x\u0301l’eau", "xl'eau", ("x", "eau", "xeau")),
        ("al'eau L'EAU", "al'eau l'eau", ("al", "eau", "eau", "leau", "aleau", "eaueau")),
        ("ſ'eau", "s'eau", ("eau", "seau")),  # the long s is an « s » to the elision, as to ``re.IGNORECASE``
        ("Jusqu’à l`atelier qu'il", "jusqu'a l`atelier qu'il", ("ateli", "jusqua", "lateli", "quil", "atelier")),
        # Characters met for the first time are learnt as they are folded.
        ("Ǆ ǅ ﬁn Œuvre", "dz dz fin oeuvre", ("dz", "dz", "fin", "oeuvr", "oeuvre", "dzdz", "dzfin", "finoeuvr")),
        # Hyphenated words glued from where a word starts, never from inside one (« abc » is not a compound here).
        (
            "porte-à-faux xab-c--d -e f-",
            "porte-a-faux xab-c--d -e f-",
            ("port", "fau", "xab", "e", "f", "porte", "faux", "portea", "afau", "xabc"),
        ),
    ],
    ids=["city", "lone-accent", "inside-a-word", "long-s", "jusqu", "new-characters", "hyphens"],
)
def test_folding_elisions_and_hyphens_give_the_terms_they_always_gave(text, folded, terms):
    """``fold`` learns characters as ``translate`` meets them and the elision and hyphen patterns only try
    where a word starts (both for speed): the terms are those the earlier patterns gave, on these edge cases
    as on every text of a 200,000-structure directory."""
    assert fold(text) == folded
    assert analyse_part(text) == terms


# --------------------------------------------------------------------------- the engine's own analysis

WORDS = (
    "matériau matériaux travail travaux tuyau tuyaux menuisier menuisiers menuiserie apiculteur apicultrice "
    "apiculture facilitatrice facilitateur facilitation composteur composteurs compostage photovoltaïque panneaux "
    "solaires rénovation énergétique comptabilité céramiste couturière maraîchère architecte biodiversité réemploi "
    "gouvernance coopérative insertion économique développement informatique reconditionnés sobriété lombricompostage "
    "éoliennes géothermie urbanisme transitoire concertation assainissement vélo cyclologistique autopartage "
    "les à été même nous étaient une des"
)


@pytest.mark.engine
def test_the_engine_analyses_words_as_search_text_does(engine_index):
    if "french_index" not in str(engine_index.request("GET", f"/{engine_index.alias}/_settings")):
        pytest.skip("l’index du moteur n’a pas d’analyseur french_index (profil portable : search.text l’analyse)")
    tokens = engine_index.request(
        "POST", f"/{engine_index.alias}/_analyze", body={"analyzer": "french_index", "text": WORDS}
    )["tokens"]
    assert [t["token"] for t in tokens] == analyze(WORDS)


@pytest.mark.parametrize(
    ("typed", "known", "distance"),
    [
        pytest.param("menuiseir", "menuisier", 1, id="swapped-letters"),
        pytest.param("photovoltaque", "photovoltaique", 1, id="missing-letter"),
        pytest.param("ceramik", "ceramiq", 1, id="wrong-letter"),
        pytest.param("compostge", "compostage", 1, id="dropped-letter"),
        pytest.param("kitten", "sitting", 3, id="three-edits"),
    ],
)
def test_edit_distance_counts_a_swap_as_one_edit(typed, known, distance):
    assert edit_distance(typed, known, limit=3) == distance


def test_edit_distance_stops_beyond_its_limit():
    assert edit_distance("menuiserie", "comptabilite", limit=2) == 3


@pytest.mark.parametrize(("word", "typos"), [("velo", 0), ("ruche", 1), ("menuisier", 2), ("photovoltaique", 2)])
def test_words_carry_as_many_typos_as_the_engine_allows(word, typos):
    # The engine's fuzziness AUTO:5,9: none under 5 letters, one from 5, two from 9.
    assert max_typos(word) == typos
