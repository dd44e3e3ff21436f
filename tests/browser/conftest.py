"""Directory front end: a small published dataset, built once, and Chromium settings.

The dataset is written outside any test transaction (committed), because the
live server answers from another thread; it is removed when the package's tests
are done so the rest of the suite never sees it.
"""

import os
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

LILLE = (50.6292, 3.0573)
ROUBAIX = (50.6942, 3.1746)
VILLENEUVE = (50.6233, 3.1450)
ARRAS = (50.2910, 2.7775)


def chromium_missing_reason() -> str | None:
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return None
    return f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium); CI installs it"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Map tiles would reach the internet: tests point MAP_TILES_URL at a dead local port instead.
    return {**browser_context_args, "locale": "fr-FR", "viewport": {"width": 1280, "height": 800}}


@pytest.fixture(scope="session")
def artifacts_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def build_dataset():
    """24 published structures around Lille (enough for two pages), one draft, a directory page."""
    from wagtail.models import Page, Site

    from directory.models import Membership, Sector, Skill, SkillDomain, Structure
    from directory_pages.models import DirectorySearchPage
    from home.models import HomePage

    created = {"structures": [], "skills": [], "domains": [], "sectors": [], "pages": []}
    energy = SkillDomain.objects.create(name="Énergie & climat", slug="t-energie", sort_order=1)
    circular = SkillDomain.objects.create(name="Économie circulaire", slug="t-circulaire", sort_order=2)
    digital = SkillDomain.objects.create(name="Numérique responsable", slug="t-numerique", sort_order=3)
    created["domains"] = [energy, circular, digital]
    skills = {}
    for name, slug, domain, synonyms in [
        ("Photovoltaïque", "photovoltaique", energy, "panneaux solaires\nsolaire"),
        ("Rénovation énergétique", "renovation-energetique", energy, "isolation"),
        ("Compostage", "compostage", circular, "compost\nbiodéchets"),
        ("Réemploi", "reemploi", circular, "seconde main"),
        ("Développement web", "developpement-web", digital, "site internet"),
        ("Accessibilité numérique", "accessibilite-numerique", digital, "RGAA"),
    ]:
        skills[slug] = Skill.objects.create(name=name, slug=slug, domain=domain, synonyms=synonyms)
    created["skills"] = list(skills.values())
    sectors = {
        slug: Sector.objects.create(name=name, slug=slug)
        for name, slug in [
            ("Bâtiment", "t-batiment"),
            ("Alimentation", "t-alimentation"),
            ("Services numériques", "t-numerique"),
        ]
    }
    created["sectors"] = list(sectors.values())
    # Rows of a data migration: gone if a transactional test flushed the database before us.
    from directory.models.structures import MEMBERSHIP_CHOICES

    for slug, name in MEMBERSHIP_CHOICES:
        Membership.objects.get_or_create(slug=slug, defaults={"name": name})
    memberships = {m.pk: m for m in Membership.objects.all()}

    def structure(name, slug, category, city, point, skill_slugs, sector_slugs, member_slugs, summary, live=True):
        s = Structure(
            name=name,
            slug=slug,
            category=category,
            city=city,
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
            summary=summary,
            live=live,
        )
        s.save()
        s.skills.set([skills[k] for k in skill_slugs])
        s.sectors.set([sectors[k] for k in sector_slugs])
        s.memberships.set([memberships[k] for k in member_slugs])
        s.save()
        created["structures"].append(s)
        return s

    structure(
        "Soleil du Nord",
        "soleil-du-nord",
        "collectif",
        "Lille",
        LILLE,
        ["photovoltaique"],
        ["t-batiment"],
        ["cluster", "locataire"],
        "Coopérative d’installation de panneaux photovoltaïques sur les toits lillois.",
    )
    structure(
        "Compost’Roubaix",
        "compost-roubaix",
        "territoire",
        "Roubaix",
        ROUBAIX,
        ["compostage"],
        ["t-alimentation"],
        ["partenaire"],
        "Compostage de quartier et collecte des biodéchets des restaurants.",
    )
    structure(
        "Isolaine",
        "isolaine",
        "individuel",
        "Villeneuve-d’Ascq",
        VILLENEUVE,
        ["renovation-energetique"],
        ["t-batiment"],
        ["cluster"],
        "Isolation en laine de mouton et conseil en rénovation énergétique.",
    )
    structure(
        "Recyclerie des Flandres",
        "recyclerie-des-flandres",
        "collectif",
        "Lille",
        LILLE,
        ["reemploi"],
        ["t-alimentation"],
        ["locataire"],
        "Réemploi d’objets et ateliers de réparation.",
    )
    structure(
        "Accessiweb Lille",
        "accessiweb-lille",
        "individuel",
        "Lille",
        LILLE,
        ["accessibilite-numerique", "developpement-web"],
        ["t-numerique"],
        ["locataire", "cluster"],
        "Audits RGAA et développement de sites accessibles.",
    )
    structure(
        "Artois Énergies",
        "artois-energies",
        "territoire",
        "Arras",
        ARRAS,
        ["photovoltaique", "renovation-energetique"],
        ["t-batiment"],
        ["reseau"],
        "Accompagnement des communes vers la sobriété énergétique.",
    )
    for index in range(1, 19):
        structure(
            f"Atelier coopératif {index:02d}",
            f"atelier-cooperatif-{index:02d}",
            "collectif",
            "Roubaix" if index % 2 else "Lille",
            ROUBAIX if index % 2 else LILLE,
            ["reemploi"],
            ["t-alimentation"],
            ["partenaire"],
            f"Atelier partagé numéro {index} : réparation, couture et menuiserie.",
        )
    structure(
        "Projet Secret Brouillon",
        "projet-secret-brouillon",
        "collectif",
        "Lille",
        LILLE,
        ["photovoltaique"],
        ["t-batiment"],
        ["locataire"],
        "Brouillon qui ne doit jamais apparaître.",
        live=False,
    )

    root = Page.get_first_root_node()
    site = Site.objects.get(is_default_site=True)
    previous_site_root = site.root_page_id
    home = HomePage.objects.first()
    if home is None:
        home = root.add_child(instance=HomePage(title="Accueil", slug="t-accueil", hero_title="Bienvenue à LaGrappe"))
        created["pages"].append(home)
    site.root_page = home
    site.save()
    directory = home.add_child(
        instance=DirectorySearchPage(title="L’annuaire", slug="annuaire", intro="<p>Trouvez qui peut vous aider.</p>")
    )
    tenants = home.add_child(instance=DirectorySearchPage(title="Locataires permanents", slug="locataires"))
    tenants.prefilter_memberships.set([memberships["locataire"]])
    tenants.save_revision().publish()
    created["pages"] = [tenants, directory, *created["pages"]]
    created["site"] = (site, previous_site_root)
    return created


def remove_dataset(created):
    from directory.models import Structure
    from search.models import SearchClickLog, SearchQueryLog

    site, previous_root = created["site"]
    site.root_page_id = previous_root
    site.save()
    for page in created["pages"]:
        page.delete()
    Structure.objects.filter(pk__in=[s.pk for s in created["structures"]]).delete()
    for key in ("skills", "sectors", "domains"):
        for obj in created[key]:
            obj.delete()
    SearchClickLog.objects.all().delete()
    SearchQueryLog.objects.all().delete()


@pytest.fixture(scope="package")
def directory_data(django_db_setup, django_db_blocker):
    # The database stays open for the package: the site server's thread reads it.
    with django_db_blocker.unblock():
        from django.db import connection

        name = str(connection.settings_dict["NAME"])
        if "memorydb" not in name and not Path(name).name.startswith("test_"):
            pytest.fail(f"refusing to write the browser dataset outside a test database ({name})")
        created = build_dataset()
        yield created
        remove_dataset(created)


@pytest.fixture(scope="package")
def site_url(directory_data):
    """One live server for every browser test, on ``localhost`` (the embed's parents use 127.0.0.1).

    Not pytest-django's ``live_server``: it forces ``transactional_db``, which
    flushes the database after each test (dataset and migration rows included).
    """
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.db import connections
    from django.test.testcases import LiveServerThread

    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    for connection in shared.values():
        connection.inc_thread_sharing()
    thread = LiveServerThread("localhost", StaticFilesHandler, connections_override=shared, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()
    for connection in shared.values():
        connection.dec_thread_sharing()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="package")
def parent_sites(tmp_path_factory):
    """Two tiny partner sites on other origins (127.0.0.1 on two ports) that frame the embed."""
    servers = []
    for name in ("allowed", "refused"):
        folder = tmp_path_factory.mktemp(f"parent-{name}")
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append((name, folder, server))
    yield {name: (folder, f"http://127.0.0.1:{server.server_address[1]}") for name, folder, server in servers}
    for _name, _folder, server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def database_search_backend(request, settings):
    """Counts in these tests are the database fallback's; the engine has its own marked test."""
    if request.node.get_closest_marker("engine") is None:
        settings.ELASTICSEARCH_URL = None
