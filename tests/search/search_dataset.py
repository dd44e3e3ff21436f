"""A small hand-made directory, built once per module, searched by both backends.

Who is where (so expectations can be read off this file):

- « Soleil du Nord » — collectif, cluster, Lille, Photovoltaïque, secteur Énergie (synonym « EnR »),
  « L’énergie solaire pour les copropriétés », joined 2020.
- « Photon Coop » — territoire, réseau, Lens, Photovoltaïque (its text never says
  « panneaux » nor « solaire »: only the skill's synonyms can find it), joined 2021.
- « Atelier Bois Roubaix » — individuel, locataire, Roubaix, Menuiserie, secteur
  Bâtiment, « Menuisiers ébénistes », joined 2022.
- « Menuiserie Lilloise » — collectif, cluster + partenaire, Lille, Menuiserie, joined 2018.
- « Compta Solidaire » — territoire, réseau, Villeneuve-d’Ascq, Comptabilité + RSE (domain « Gestion »,
  synonym « ESS »), no join date.
- « Terres de Compost » — individuel, partenaire, Arras; a public person holds
  Compostage (synonym « zéro déchet »); a NON-public person « Zébulon Mystère » holds Cryptozoologie, joined 2023.
- « Brouillon Solaire » — unpublished (live=False), Lille, Photovoltaïque: never found.
"""

import datetime

from directory.models import Membership, Person, Sector, Skill, SkillDomain, Structure
from directory.models.structures import MEMBERSHIP_CHOICES

LILLE = (50.6292, 3.0573)

STRUCTURES = {
    "soleil-du-nord": dict(
        name="Soleil du Nord", category="collectif", city="Lille", latitude=50.6310, longitude=3.0600,
        summary="Coopérative citoyenne d’énergie", description="L’énergie solaire pour les copropriétés du Nord.",
        joined=datetime.date(2020, 3, 1), memberships=["cluster"], skills=["photovoltaique"], sectors=["energie"],
    ),
    "photon-coop": dict(
        name="Photon Coop", category="territoire", city="Lens", latitude=50.4320, longitude=2.8330,
        summary="Centrales citoyennes", description="Des toits qui produisent.",
        joined=datetime.date(2021, 6, 1), memberships=["reseau"], skills=["photovoltaique"], sectors=["energie"],
    ),
    "atelier-bois-roubaix": dict(
        name="Atelier Bois Roubaix", category="individuel", city="Roubaix", latitude=50.6942, longitude=3.1746,
        summary="Menuisiers ébénistes", description="Meubles sur mesure en bois local.",
        joined=datetime.date(2022, 1, 15), memberships=["locataire"], skills=["menuiserie"], sectors=["batiment"],
    ),
    "menuiserie-lilloise": dict(
        name="Menuiserie Lilloise", category="collectif", city="Lille", latitude=50.6300, longitude=3.0580,
        summary="Agencement intérieur", description="Portes, escaliers, cuisines.",
        joined=datetime.date(2018, 9, 1), memberships=["cluster", "partenaire"], skills=["menuiserie"], sectors=["batiment"],
    ),
    "compta-solidaire": dict(
        name="Compta Solidaire", category="territoire", city="Villeneuve-d'Ascq", latitude=50.6233, longitude=3.1450,
        summary="Comptabilité pour les associations", description="Tenue des comptes et démarche RSE.",
        joined=None, memberships=["reseau"], skills=["comptabilite", "rse"], sectors=[],
    ),
    "terres-de-compost": dict(
        name="Terres de Compost", category="individuel", city="Arras", latitude=50.2910, longitude=2.7775,
        summary="Collecte de biodéchets", description="Nous animons des sites de quartier.",
        joined=datetime.date(2023, 2, 1), memberships=["partenaire"], skills=[], sectors=["alimentation"],
    ),
    "brouillon-solaire": dict(
        name="Brouillon Solaire", category="collectif", city="Lille", latitude=50.6300, longitude=3.0600,
        summary="Panneaux solaires", description="Jamais publié.", live=False,
        joined=datetime.date(2024, 1, 1), memberships=["cluster"], skills=["photovoltaique"], sectors=["energie"],
    ),
}  # fmt: skip

PUBLISHED = sorted(slug for slug, data in STRUCTURES.items() if data.get("live", True))


def build_directory() -> dict:
    """Create the dataset through the ORM (signals on, like the admin) and return it by slug."""
    energy = SkillDomain.objects.create(name="Énergie & climat", slug="energie-climat")
    trades = SkillDomain.objects.create(name="Métiers du bâtiment", slug="metiers-batiment")
    management = SkillDomain.objects.create(name="Gestion", slug="gestion", synonyms="ESS")
    circular = SkillDomain.objects.create(name="Économie circulaire", slug="economie-circulaire")
    skills = {
        s.slug: s
        for s in [
            Skill.objects.create(
                name="Photovoltaïque", slug="photovoltaique", domain=energy, synonyms="panneaux solaires"
            ),
            Skill.objects.create(name="Menuiserie", slug="menuiserie", domain=trades, synonyms="menuisier\nébéniste"),
            Skill.objects.create(
                name="Comptabilité", slug="comptabilite", domain=management, synonyms="expert-comptable"
            ),
            Skill.objects.create(name="RSE", slug="rse", domain=management, synonyms="responsabilité sociétale"),
            Skill.objects.create(name="Compostage", slug="compostage", domain=circular, synonyms="zéro déchet"),
            Skill.objects.create(name="Cryptozoologie", slug="cryptozoologie", synonyms="yéti"),
        ]
    }
    sectors = {
        s.slug: s
        for s in [
            Sector.objects.create(name="Énergie", slug="energie", synonyms="EnR"),
            Sector.objects.create(name="Bâtiment", slug="batiment"),
            Sector.objects.create(name="Alimentation", slug="alimentation"),
        ]
    }
    # Rows of a data migration: gone if a transactional test flushed the database before us.
    for slug, name in MEMBERSHIP_CHOICES:
        Membership.objects.get_or_create(slug=slug, defaults={"name": name})
    memberships = {m.slug: m for m in Membership.objects.all()}
    structures = {}
    for slug, data in STRUCTURES.items():
        data = dict(data)
        m, sk, se = data.pop("memberships"), data.pop("skills"), data.pop("sectors")
        live = data.pop("live", True)
        structure = Structure(slug=slug, live=live, **data)
        structure.memberships = [memberships[x] for x in m]
        structure.skills = [skills[x] for x in sk]
        structure.sectors = [sectors[x] for x in se]
        structure.save()
        structures[slug] = structure
    compost = structures["terres-de-compost"]
    public = Person(
        structure=compost, first_name="Camille", last_name="Terreau", role="Maître composteuse", public=True
    )
    public.save()
    public.skills.set([skills["compostage"]])
    public.save()
    secret = Person(structure=compost, first_name="Zébulon", last_name="Mystère", public=False)
    secret.save()
    secret.skills.set([skills["cryptozoologie"]])
    secret.save()
    return {"structures": structures, "skills": skills, "sectors": sectors}


def slugs(result) -> list[str]:
    return [hit.structure.slug for hit in result.hits]


def structure_publish_form(structure: Structure, summary: str) -> dict:
    """The admin edit form of ``structure`` with a new summary, posted with « Publier »."""
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    data = nested_form_data(
        {
            "name": structure.name,
            "slug": structure.slug,
            "category": structure.category,
            "memberships": ["reseau"],
            "summary": summary,
            "description": structure.description,
            "city": structure.city,
            "latitude": structure.latitude,
            "longitude": structure.longitude,
            "skills": [s.pk for s in structure.skills.all()],
            "people": inline_formset([]),
        }
    )
    data["action-publish"] = "action-publish"
    return data
