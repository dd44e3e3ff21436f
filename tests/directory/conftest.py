"""Directory fixtures: a small taxonomy and a builder for structures and people."""

import datetime as dt

import pytest
from django.utils import timezone

from directory.models import Membership, Person, Sector, Skill, SkillDomain, Structure


@pytest.fixture
def taxonomy(db):
    energy = SkillDomain.objects.create(name="Énergie & climat", slug="energie-climat")
    crafts = SkillDomain.objects.create(name="Artisanat & réemploi", slug="artisanat-reemploi")
    skills = {
        "pv": Skill.objects.create(
            name="Photovoltaïque", slug="photovoltaique", domain=energy, synonyms="panneaux solaires\nsolaire"
        ),
        "renov": Skill.objects.create(name="Rénovation énergétique", slug="renovation-energetique", domain=energy),
        "menuiserie": Skill.objects.create(
            name="Menuiserie", slug="menuiserie", domain=crafts, synonyms="menuisier\nébéniste"
        ),
    }
    sectors = {
        "energie": Sector.objects.create(name="Énergie", slug="energie"),
        "circulaire": Sector.objects.create(name="Économie circulaire", slug="economie-circulaire"),
    }
    return {"skills": skills, "sectors": sectors}


@pytest.fixture
def make_structure(taxonomy):
    """Build a saved structure; ``people`` is a list of (first, last, public) tuples."""

    def make(
        slug="soleil-du-nord",
        live=True,
        people=(),
        skills=("pv",),
        sectors=("energie",),
        memberships=("cluster",),
        **fields,
    ):
        values = {
            "name": "Soleil du Nord",
            "category": "collectif",
            "legal_form": "SCIC SAS",
            "summary": "Des toits solaires citoyens à Lille.",
            "description": "Une coopérative d’habitants.",
            "address": "12 rue Pierre Legrand",
            "postcode": "59800",
            "city": "Lille",
            "latitude": 50.631,
            "longitude": 3.084,
            "website": "https://soleil-du-nord.example",
            "email": "contact@soleil-du-nord.example",
            "phone": "03 20 00 00 01",
            "founded": 2016,
            "joined": dt.date(2017, 9, 15),
            **fields,
        }
        structure = Structure(slug=slug, live=live, **values)
        if live:
            structure.first_published_at = structure.last_published_at = timezone.now()
        structure.save()
        structure.skills.set([taxonomy["skills"][key] for key in skills])
        structure.sectors.set([taxonomy["sectors"][key] for key in sectors])
        structure.memberships.set(Membership.objects.filter(slug__in=memberships))
        structure.save()
        for order, (first, last, public) in enumerate(people):
            Person.objects.create(
                structure=structure,
                first_name=first,
                last_name=last,
                role="Chargée de projets",
                email=f"{first.lower()}.{last.lower()}@soleil-du-nord.example",
                phone=f"06 00 00 00 {order:02d}",
                public=public,
                sort_order=order,
            )
        return structure

    return make
