"""seed_directory: deterministic, additive, and written with bulk queries."""

import pytest
from django.core.management import call_command

from directory.models import Person, Sector, Skill, SkillDomain, Structure
from directory.seed import generate_structures, seed_directory


def dump_directory():
    """Everything seeded, without database ids and timestamps."""
    rows = []
    for s in Structure.objects.order_by("slug").prefetch_related("memberships", "skills", "sectors", "people__skills"):
        rows.append(
            (
                s.slug,
                s.name,
                s.category,
                s.legal_form,
                s.summary,
                s.description,
                s.address,
                s.postcode,
                s.city,
                s.latitude,
                s.longitude,
                s.website,
                s.email,
                s.phone,
                s.founded,
                s.joined,
                s.live,
                sorted(m.slug for m in s.memberships.all()),
                sorted(k.slug for k in s.skills.all()),
                sorted(k.slug for k in s.sectors.all()),
                sorted(
                    (
                        p.first_name,
                        p.last_name,
                        p.role,
                        p.email,
                        p.phone,
                        p.public,
                        tuple(sorted(k.slug for k in p.skills.all())),
                    )
                    for p in s.people.all()
                ),
            )
        )
    return rows


def test_generation_is_pure_and_prefix_stable():
    first = list(generate_structures(60, seed=7))
    again = list(generate_structures(60, seed=7))
    longer = list(generate_structures(90, seed=7))
    other = list(generate_structures(60, seed=8))

    assert first == again
    assert longer[:60] == first
    assert [r.slug for r in other] != [r.slug for r in first]
    assert len({r.slug for r in longer}) == 90


@pytest.mark.django_db
def test_same_count_and_seed_give_identical_data():
    seed_directory(40, seed=7, batch_size=15, progress=False)
    first = dump_directory()
    Structure.objects.all().delete()

    seed_directory(40, seed=7, batch_size=40, progress=False)

    assert dump_directory() == first
    assert len(first) == 40


@pytest.mark.django_db
def test_seeding_twice_adds_nothing():
    totals = seed_directory(25, seed=3, progress=False)
    people = Person.objects.count()

    again = seed_directory(25, seed=3, progress=False)

    assert totals["structures"] == 25
    assert again == {"structures": 0, "people": 0, "skipped": 25}
    assert Structure.objects.count() == 25
    assert Person.objects.count() == people


@pytest.mark.django_db
def test_seeded_data_is_valid_and_mixed(django_assert_max_num_queries):
    seed_directory(0, progress=False)  # the taxonomy alone

    # 3 taxonomy checks, 2 look-ups, then 7 bulk inserts per batch; SQLite splits the wide
    # structure insert by its 999-variable limit (5 statements for 120 rows), PostgreSQL does not.
    with django_assert_max_num_queries(22):
        seed_directory(120, seed=11, batch_size=200, progress=False)

    structures = list(Structure.objects.prefetch_related("people", "skills", "memberships"))
    for structure in structures:
        structure.full_clean(exclude=["memberships", "skills", "sectors"])
        for person in structure.people.all():
            person.full_clean(exclude=["structure"])
    live = sum(s.live for s in structures)
    public_people = Person.objects.filter(public=True).count()
    assert 0 < 120 - live < 20  # a few drafts
    assert 0 < public_people < Person.objects.count()  # mixed consent
    assert all(s.skills.all() for s in structures)
    assert all(s.memberships.all() for s in structures)


@pytest.mark.django_db
def test_taxonomy_has_domains_and_synonyms():
    seed_directory(0, progress=False)

    photovoltaique = Skill.objects.get(slug="photovoltaique")
    assert photovoltaique.domain.name == "Énergie & climat"
    # Trade nouns and acronyms are part of the taxonomy (issue 12): « installateur », « EnR ».
    assert photovoltaique.synonym_list == [
        "panneaux solaires",
        "solaire",
        "PV",
        "installateur photovoltaïque",
        "solaire photovoltaïque",
        "énergie renouvelable",
        "EnR",
    ]
    assert Skill.objects.get(slug="rse").synonym_list[0] == "responsabilité sociétale des entreprises"
    assert SkillDomain.objects.count() == 8
    # Domains and sectors carry theirs: « ESS » names the whole social-economy domain, not three of its skills.
    assert SkillDomain.objects.get(slug="economie-sociale").synonym_list[0] == "ESS"
    assert Sector.objects.get(slug="economie-circulaire").synonym_list[0] == "zéro déchet"
    assert [skill.slug for skill in Skill.objects.all() if "ESS" in skill.synonym_list] == []


@pytest.mark.django_db
def test_command_reports_counts(capsys):
    call_command("seed_directory", "--count", "5", "--seed", "1", verbosity=0)

    assert Structure.objects.count() == 5
    assert "5 structures et" in capsys.readouterr().out
