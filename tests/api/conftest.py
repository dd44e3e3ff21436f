"""Fixtures for the GraphQL API tests: a tiny directory, images, keys, a client helper."""

import io
import json

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images.models import Image

from api.models import PartnerKey
from directory.models import Membership, Person, Sector, Skill, SkillDomain, Structure


@pytest.fixture(autouse=True)
def directory_search_on_database(request, settings):
    """The directory search answers from the database except in tests marked `engine`.

    Each test builds and rolls back its own structures; documents written to the shared
    engine index would outlive the rollback and skew totals and facet counts of later
    tests. Engine tests (test_engine.py) rebuild their own index from committed data.
    Wagtail's page search (WAGTAILSEARCH_BACKENDS) is not affected.
    """
    if request.node.get_closest_marker("engine") is None:
        settings.ELASTICSEARCH_URL = None


def expected_engine() -> str:
    """What `directorySearch { engine }` says in an engine test: the server's distribution."""
    if not settings.ELASTICSEARCH_URL:
        return "database"
    from lagrappe.engine_probe import engine_info

    return engine_info().product


@pytest.fixture(autouse=True)
def clear_cache():
    """Rate-limit windows and persisted queries must not leak between tests."""
    cache.clear()
    yield
    cache.clear()


def make_image(title="Logo", size=(64, 48)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (120, 40, 90)).save(buffer, format="PNG")
    return Image.objects.create(title=title, file=ImageFile(buffer, name=f"{title}.png"))


@pytest.fixture
def taxonomy(db):
    energy = SkillDomain.objects.create(name="Énergie & climat", slug="energie-climat", sort_order=1)
    food = SkillDomain.objects.create(name="Alimentation", slug="alimentation", sort_order=2)
    skills = {
        "photovoltaique": Skill.objects.create(
            name="Photovoltaïque", slug="photovoltaique", domain=energy, synonyms="panneaux solaires\nsolaire"
        ),
        "renovation": Skill.objects.create(name="Rénovation thermique", slug="renovation", domain=energy),
        "circuits-courts": Skill.objects.create(name="Circuits courts", slug="circuits-courts", domain=food),
    }
    sectors = {
        "energie": Sector.objects.create(name="Énergie", slug="energie"),
        "alimentation": Sector.objects.create(name="Alimentation", slug="alimentation"),
    }
    return {"domains": {"energie-climat": energy, "alimentation": food}, "skills": skills, "sectors": sectors}


def make_structure(
    slug,
    *,
    live=True,
    category="collectif",
    skills=(),
    sectors=(),
    memberships=("cluster",),
    people=(),
    logo=None,
    **fields,
):
    structure = Structure.objects.create(
        slug=slug,
        name=fields.pop("name", slug.replace("-", " ").title()),
        category=category,
        live=live,
        logo=logo,
        city=fields.pop("city", "Lille"),
        summary=fields.pop("summary", f"Résumé de {slug}"),
        **fields,
    )
    structure.skills.set(skills)
    structure.sectors.set(sectors)
    structure.memberships.set(Membership.objects.filter(slug__in=memberships))
    structure.save()  # ParentalManyToManyField values are written on save
    for index, (first, last, public) in enumerate(people):
        Person.objects.create(
            structure=structure,
            first_name=first,
            last_name=last,
            public=public,
            sort_order=index,
            email=f"{first.lower()}@{slug}.example",
            role="Coordination",
        )
    return structure


@pytest.fixture
def directory(taxonomy, django_capture_on_commit_callbacks):
    """Two published structures, one draft; a public and a private person each.

    After-commit callbacks run, so the search service's documents are up to date.
    """
    with django_capture_on_commit_callbacks(execute=True):
        return _build_directory(taxonomy)


@pytest.fixture
def directory_builder():
    """The builder itself, for tests that need committed rows (live_server) rather than the fixture."""
    return _build_directory


def _build_directory(taxonomy):
    skills, sectors = taxonomy["skills"], taxonomy["sectors"]
    soleil = make_structure(
        "soleil-coop",
        name="Soleil Coop",
        category="collectif",
        skills=[skills["photovoltaique"], skills["renovation"]],
        sectors=[sectors["energie"]],
        memberships=("cluster", "locataire"),
        people=[("Alice", "Martin", True), ("Bruno", "Secret", False)],
        logo=make_image("soleil"),
        latitude=50.63,
        longitude=3.06,
        founded=2012,
    )
    panier = make_structure(
        "panier-local",
        name="Panier Local",
        category="territoire",
        skills=[skills["circuits-courts"]],
        sectors=[sectors["alimentation"]],
        memberships=("partenaire",),
        people=[("Chloé", "Durand", True), ("Denis", "Cache", False)],
        city="Roubaix",
    )
    draft = make_structure(
        "brouillon-secret",
        name="Brouillon Secret",
        live=False,
        category="collectif",
        skills=[skills["photovoltaique"]],
        sectors=[sectors["energie"]],
        people=[("Eve", "Draft", True)],
    )
    return {"soleil": soleil, "panier": panier, "draft": draft, **taxonomy}


@pytest.fixture
def partner_key(db):
    key = PartnerKey(name="Métropole")
    raw = key.set_new_key()
    key.save()
    return key, raw


@pytest.fixture
def gql(client):
    """POST a query to /graphql/; returns (status, json)."""

    def run(query, variables=None, headers=None, method="post", **extra):
        payload = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        payload.update(extra)
        if method == "get":
            params = {k: (json.dumps(v) if isinstance(v, dict) else v) for k, v in payload.items()}
            response = client.get("/graphql/", params, **(headers or {}))
        else:
            response = client.post("/graphql/", json.dumps(payload), content_type="application/json", **(headers or {}))
        return response.status_code, (response.json() if response.content else None)

    run.client = client
    return run
