"""Issue 12's behaviours on both backends: optional words, compounds, trade nouns, the page's note.

Dataset: ``search_dataset.py`` (Menuiserie in Roubaix and Lille, Photovoltaïque in
Lille and Lens, Comptabilité in Villeneuve-d’Ascq…). The held-out relevance set
lives apart, in ``bench/relevance/`` (never used by these tests).
"""

import pytest

from lagrappe.typography import french_html as typeset

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


def test_a_town_without_the_topic_is_left_out_before_the_topic(search):
    # No accountant in Lens: the accountants elsewhere, rather than everything in Lens.
    result = search(text="comptabilité lens")

    assert result.ignored_words == ["lens"]
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


def test_the_page_says_which_words_were_left_out(client, directory, settings):
    settings.ELASTICSEARCH_URL = None
    html = client.get("/embed/annuaire/", {"q": "je cherche un menuisier à Roubaix"}).content.decode()

    assert typeset("Résultats sans “cherche”") in html
    assert "atelier-bois-roubaix" in html
