"""What a visitor gets for real French queries, on both backends (found with ``bench/search_quality.py``).

A small hand-made directory of its own (it overrides the ``directory`` fixture
of ``conftest.py`` for this module), built so that each case has a right answer:

- « Copeaux & Cie » — Roubaix, Menuiserie (synonym « menuisier »).
- « Menuiserie du Vieux-Lille » — Lille, Menuiserie.
- « Roubaix Couture » — Roubaix, Couture: Roubaix but not a menuisier.
- « Les Amis du Vieux-Lille » — Villeneuve-d’Ascq, RSE (synonym « responsabilité
  sociétale des entreprises »); a NON-public person « Victor Villard ».
- « Conseil Durable » — Lille, RSE.
- « Coopérative Lumière » — Marcq-en-Barœul, named after the word, no skill.
- « Atelier Partagé » — Arras, Gouvernance coopérative (synonyms « SCOP », « coopérative »),
  « Maîtrise d’œuvre » in its summary.
- « Vitrail d’Art » — Lens, the word « vitrail » once, in its name.
- « Vitrial » — Lens, the misspelling « vitrial » in its name, summary and description.
"""

import pytest
from django.db import transaction

from directory.models import Person, Sector, Skill, SkillDomain, Structure
from search.service import suggest

pytestmark = pytest.mark.django_db

STRUCTURES = {
    "copeaux": dict(name="Copeaux & Cie", city="Roubaix", summary="Meubles sur mesure", skills=["menuiserie"]),
    "menuiserie-vieux-lille": dict(
        name="Menuiserie du Vieux-Lille", city="Lille", summary="Portes et escaliers", skills=["menuiserie"]
    ),
    "roubaix-couture": dict(name="Roubaix Couture", city="Roubaix", summary="Retouches", skills=["couture"]),
    "amis-vieux-lille": dict(
        name="Les Amis du Vieux-Lille", city="Villeneuve-d’Ascq", summary="Accompagnement des PME", skills=["rse"]
    ),
    "conseil-durable": dict(name="Conseil Durable", city="Lille", summary="Rapports extra-financiers", skills=["rse"]),
    "cooperative-lumiere": dict(
        name="Coopérative Lumière", city="Marcq-en-Barœul", summary="Éclairage public sobre", skills=[]
    ),
    "atelier-partage": dict(
        name="Atelier Partagé", city="Arras", summary="Maîtrise d’œuvre des chantiers", skills=["gouvernance"]
    ),
    "vitrail-art": dict(name="Vitrail d’Art", city="Lens", summary="Restauration", skills=[]),
    "vitrial": dict(
        name="Vitrial", city="Lens", summary="Vitrial, vitrial et vitrial", description="Vitrial encore.", skills=[]
    ),
}
ALL = sorted(STRUCTURES)


@pytest.fixture(scope="module")
def directory(django_db_setup, django_db_blocker):
    """This module's directory, committed (documents built on commit) and removed afterwards."""
    from search.models import IndexOutbox, StructureSearchDocument

    with django_db_blocker.unblock():
        with transaction.atomic():
            crafts = SkillDomain.objects.create(name="Artisanat", slug="artisanat")
            management = SkillDomain.objects.create(name="Gestion", slug="gestion")
            skills = {
                "menuiserie": Skill.objects.create(
                    name="Menuiserie", slug="menuiserie", domain=crafts, synonyms="menuisier"
                ),
                "couture": Skill.objects.create(name="Couture", slug="couture", domain=crafts),
                "rse": Skill.objects.create(
                    name="RSE", slug="rse", domain=management, synonyms="responsabilité sociétale des entreprises"
                ),
                "gouvernance": Skill.objects.create(
                    name="Gouvernance coopérative", slug="gouvernance", domain=management, synonyms="SCOP\ncoopérative"
                ),
            }
            for slug, data in STRUCTURES.items():
                data = dict(data)
                chosen = data.pop("skills")
                structure = Structure(slug=slug, category="collectif", live=True, **data)
                structure.skills = [skills[s] for s in chosen]
                structure.save()
            Person.objects.create(
                structure=Structure.objects.get(slug="amis-vieux-lille"),
                first_name="Victor",
                last_name="Villard",
                public=False,
            )
        # Rows the engine could not take before ``engine_index`` builds it go now, committed
        # (deleted inside a test’s transaction they would come back at its rollback).
        IndexOutbox.objects.filter(database_done=True).delete()
        yield
        Person.objects.all().delete()
        Structure.objects.all().delete()
        Skill.objects.all().delete()
        SkillDomain.objects.all().delete()
        Sector.objects.all().delete()
        StructureSearchDocument.objects.all().delete()
        IndexOutbox.objects.all().delete()


def slugs(result) -> list[str]:
    return [hit.structure.slug for hit in result.hits]


def highlight(hit, field):
    return next((h.fragments for h in hit.highlights if h.field == field), None)


def test_a_city_word_puts_that_city_first_without_hiding_the_others(search):
    # « Roubaix Couture » is in Roubaix but no menuisier: the town ranks, the topic filters.
    result = search(text="menuisier roubaix")

    assert slugs(result) == ["copeaux", "menuiserie-vieux-lille"]
    assert result.ignored_words == []


def test_a_city_word_puts_structures_located_there_first(search):
    # « Les Amis du Vieux-Lille » has « Lille » in its name but is in Villeneuve-d'Ascq.
    result = search(text="rse lille")

    assert slugs(result)[0] == "conseil-durable"
    assert sorted(slugs(result)) == ["amis-vieux-lille", "conseil-durable"]


@pytest.mark.parametrize(
    "text",
    ["Villeneuve d'Ascq", "villeneuve d’ascq", "villeneuve dascq", "VILLENEUVE-D'ASCQ", "villeneuve"],
)
def test_apostrophes_and_hyphens_fold_both_ways(search, text):
    assert slugs(search(text=text)) == ["amis-vieux-lille"]


@pytest.mark.parametrize("text", ["marcq en baroeul", "Marcq-en-Barœul", "MARCQ EN BARŒUL", "baroeul"])
def test_ligatures_and_accents_fold_both_ways(search, text):
    assert slugs(search(text=text)) == ["cooperative-lumiere"]


@pytest.mark.parametrize("text", ["Œuvre", "oeuvre", "maitrise d'oeuvre", "MAÎTRISE D’ŒUVRE", "doeuvre"])
def test_oe_ligature_and_elision_in_summaries(search, text):
    assert slugs(search(text=text)) == ["atelier-partage"]


@pytest.mark.parametrize("text", ["À", "les", "de la", "CETTE"])
def test_only_stop_words_find_nothing(search, text):
    result = search(text=text)

    assert (result.total, sorted(slugs(result))) == (0, [])


def test_a_lone_elision_is_punctuation_and_lists_everything(search):
    # « l' » has no word left once the elision is removed: like « * », it lists the whole directory.
    result = search(text="l'")

    assert (result.total, sorted(slugs(result))) == (len(ALL), ALL)


def test_punctuation_only_lists_everything(search):
    assert search(text="*").total == len(ALL)


@pytest.mark.parametrize("text", ["a:b*", "b", "v", "c*"])
def test_a_single_letter_is_not_a_prefix(search, text):
    # « b » as a prefix would match « Boucle »…, « v » « Vitrail », « Vieux-Lille »…
    assert search(text=text).total == 0


def test_two_letters_are_a_prefix(search):
    assert sorted(slugs(search(text="vi"))) == ["amis-vieux-lille", "menuiserie-vieux-lille", "vitrail-art", "vitrial"]


def test_acronym_and_its_synonym_find_the_skill_and_mark_it(search):
    by_acronym = search(text="rse")
    by_synonym = search(text="responsabilité sociétale")

    assert sorted(slugs(by_acronym)) == ["amis-vieux-lille", "conseil-durable"]
    assert sorted(slugs(by_synonym)) == ["amis-vieux-lille", "conseil-durable"]
    for hit in by_synonym.hits:
        assert highlight(hit, "skills") == ["<mark>RSE</mark>"]


def test_a_skill_domain_match_marks_no_skill(search):
    # « Gestion » is the domain of RSE: the structures are found, but « RSE » is not marked.
    result = search(text="gestion")

    assert sorted(slugs(result)) == ["amis-vieux-lille", "atelier-partage", "conseil-durable"]
    assert [highlight(hit, "skills") for hit in result.hits] == [None, None, None]


def test_a_skill_outranks_the_same_word_in_a_name(search):
    # « coopérative » is a synonym of « Gouvernance coopérative » (which also contains it);
    # « Coopérative Lumière » is only named after the word (issue 12: « ruches » and « La Ruche … »).
    result = search(text="coopérative")

    assert slugs(result) == ["atelier-partage", "cooperative-lumiere"]


def test_a_typo_never_outranks_the_exact_word(search, backend):
    # « Vitrial » repeats the misspelling everywhere; « Vitrail d'Art » has the word once.
    result = search(text="vitrail")

    assert slugs(result) == (["vitrail-art", "vitrial"] if backend == "engine" else ["vitrail-art"])


def test_a_plural_finds_the_singular(search):
    assert sorted(slugs(search(text="menuisiers"))) == ["copeaux", "menuiserie-vieux-lille"]


def test_no_spelling_suggestion_for_a_mere_plural(search, typo_tolerant):
    if not typo_tolerant:
        pytest.skip("the database backend on SQLite makes no spelling suggestion: this check could not fail there")
    assert search(text="menuisiers").suggestion is None


@pytest.mark.parametrize(
    "prefix, expected",
    [
        ("menu", [("skill", "menuiserie"), ("structure", "menuiserie-vieux-lille")]),
        ("coop", [("skill", "gouvernance"), ("structure", "cooperative-lumiere")]),
        ("vi", [("structure", "amis-vieux-lille"), ("structure", "menuiserie-vieux-lille"),
                ("structure", "vitrail-art"), ("structure", "vitrial")]),
        ("vil", []),  # « Victor Villard » is not public; cities are not suggested
        ("vict", []),
    ],
)  # fmt: skip
def test_suggest_names_and_skills_never_a_private_person(backend, prefix, expected):
    assert [(s.kind, s.slug) for s in suggest(prefix)] == expected
