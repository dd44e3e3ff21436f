"""Issue 12's behaviours on both backends: optional words, compounds, trade nouns, the page's note.

Dataset: ``search_dataset.py`` (Menuiserie in Roubaix and Lille, Photovoltaïque in
Lille and Lens, Comptabilité in Villeneuve-d’Ascq…). The held-out relevance set
lives apart, in ``bench/relevance/`` (never used by these tests).
"""

import pytest

from directory.models import Structure
from lagrappe.typography import french_html as typeset
from search.engine import get_backend

pytestmark = pytest.mark.django_db


def slugs(result):
    return [hit.structure.slug for hit in result.hits]


def test_a_word_matching_nothing_is_left_out_and_named(search):
    result = search(text="je cherche un menuisier à Roubaix")

    assert result.ignored_words == ["cherche"]
    assert slugs(result)[0] == "atelier-bois-roubaix"
    assert set(slugs(result)) == set(slugs(search(text="menuisier roubaix")))


def test_filler_never_sinks_a_query(search):
    result = search(text="besoin d'aide en comptabilité")

    assert slugs(result) == ["compta-solidaire"]
    assert set(result.ignored_words) == {"besoin", "aide"}


def test_the_last_of_two_unmatched_words_goes_first(search):
    # Both « zorglub » and « bidule » match nothing: the last typed is left out first, then the other.
    result = search(text="zorglub bidule photovoltaïque")

    assert result.ignored_words == ["bidule", "zorglub"]
    assert set(slugs(result)) == {"soleil-du-nord", "photon-coop"}


def test_a_town_without_the_topic_lists_the_topic_elsewhere(search):
    # No accountant in Lens: the accountants elsewhere, rather than everything in Lens.
    result = search(text="comptabilité lens")

    assert result.ignored_words == []
    assert slugs(result) == ["compta-solidaire"]


def test_nothing_is_left_out_when_every_word_matches(search):
    result = search(text="menuiserie lille")

    assert result.ignored_words == []
    assert result.total >= 1


def test_a_single_unknown_word_still_finds_nothing(search):
    result = search(text="zorglub")

    assert (result.total, result.ignored_words) == (0, [])


@pytest.mark.parametrize("text", ["photo voltaïque", "photovoltaique", "Photo-voltaïque"])
def test_words_run_together_or_apart_are_the_same_query(search, text):
    assert set(slugs(search(text=text))) == {"soleil-du-nord", "photon-coop"}


@pytest.mark.parametrize(("singular", "plural"), [("menuisier", "menuisiers"), ("comptable", "comptables")])
def test_singular_and_plural_find_the_same(search, singular, plural):
    assert slugs(search(text=singular)) == slugs(search(text=plural))


def test_the_page_says_what_was_searched_instead_of_a_typo(client, directory, settings):
    settings.ELASTICSEARCH_URL = None
    html = client.get("/embed/annuaire/", {"q": "comptabilté"}).content.decode()

    assert typeset("résultats pour “comptabilité”") in html
    assert "compta-solidaire" in html


def test_the_page_says_which_words_were_left_out(client, directory, settings):
    settings.ELASTICSEARCH_URL = None
    html = client.get("/embed/annuaire/", {"q": "je cherche un menuisier à Roubaix"}).content.decode()

    assert typeset("Résultats sans “cherche”") in html
    assert "atelier-bois-roubaix" in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("ESS", ["compta-solidaire"], id="domain-acronym"),
        pytest.param("gestion", ["compta-solidaire"], id="domain-name"),
        pytest.param("EnR", ["photon-coop", "soleil-du-nord"], id="sector-acronym"),
        pytest.param("bâtiment", ["atelier-bois-roubaix", "menuiserie-lilloise"], id="sector-name"),
    ],
)
def test_a_sector_or_domain_finds_its_structures_by_name_or_synonym(search, text, expected):
    assert sorted(slugs(search(text=text))) == expected


@pytest.mark.parametrize("text", ["zéro déchet", "zero-dechet", "zerodechet", "Zéro-Déchet"])
def test_a_compound_written_together_apart_or_hyphenated_is_one_query(search, text):
    result = search(text=text)

    assert slugs(result) == ["terres-de-compost"]


@pytest.mark.parametrize("text", ["expert-comptable", "expert comptable", "expertcomptable"])
def test_a_hyphenated_synonym_is_found_glued_or_apart(search, text):
    assert slugs(search(text=text)) == ["compta-solidaire"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("photovoltaque", ["photon-coop", "soleil-du-nord"], id="missing-letter"),
        pytest.param("menuiseir", ["atelier-bois-roubaix", "menuiserie-lilloise"], id="swapped-letters"),
        pytest.param("comptabilté roubaix", ["compta-solidaire"], id="with-a-town"),
    ],
)
def test_a_typo_finds_the_word_on_every_backend(search, text, expected):
    assert sorted(slugs(search(text=text))) == expected


def test_a_word_with_no_close_known_word_is_not_corrected(search):
    assert search(text="xylophone").total == 0


@pytest.fixture
def one_skill_named_twice(directory, django_capture_on_commit_callbacks):
    """A structure with Comptabilité only, but « comptabilité » and « RSE » both in its name."""
    with django_capture_on_commit_callbacks(execute=True):
        structure = Structure(slug="comptabilite-rse-conseil", name="Comptabilité RSE Conseil", category="collectif",
                              city="Lens", live=True)  # fmt: skip
        structure.skills = [directory["skills"]["comptabilite"]]
        structure.save()
    backend = get_backend()
    if backend is not None:
        backend.refresh()
    yield structure
    with django_capture_on_commit_callbacks(execute=True):
        structure.delete()
    if backend is not None:
        backend.refresh()


def test_several_matching_skills_outrank_one_even_named(search, one_skill_named_twice):
    # « Compta Solidaire » holds Comptabilité and RSE; the other holds one but has both words in its name.
    result = search(text="comptabilité rse")

    assert slugs(result) == ["compta-solidaire", "comptabilite-rse-conseil"]
