"""Directory part of the demo: the visitors' directory pages and their menu links.

The structures themselves come from ``directory.demo``; this module only places
« L’annuaire » and its pre-filtered « Locataires permanents » page in the tree
and in the navigation, idempotently (found by slug, links added once).
"""

from wagtail.models import Site

from directory.models import Membership
from home.demo import PageBuilder, nav_link
from home.models import HomePage, NavigationSettings

from .models import DirectorySearchPage


def _has_link(stream, page) -> bool:
    return any(
        block.block_type == "link" and (block.value.get("page") or None) and block.value["page"].pk == page.pk
        for block in stream
    )


def load_directory_pages(log=print) -> dict:
    builder = PageBuilder(log)
    home = HomePage.objects.first()
    directory, _ = builder.ensure(
        home,
        DirectorySearchPage,
        "annuaire",
        title="L’annuaire",
        seo_title="L’annuaire du réseau initiativesETcité",
        search_description="Qui sait faire quoi, où, et dans quelle structure : cherchez parmi les compétences du réseau.",
        intro="<p>Cherchez une compétence, un métier, une structure ou une ville : le réseau "
        "initiativesETcité rassemble des projets individuels, des projets collectifs et des projets de "
        "territoire qui coopèrent.</p>",
        show_in_menus=True,
    )
    tenants_page = directory.get_children().filter(slug="locataires-permanents").first()
    if tenants_page is None:
        tenants_page = DirectorySearchPage(
            slug="locataires-permanents",
            title="Les locataires permanents",
            search_description="Les structures installées à l’année à LaGrappe.",
            intro="<p>Les structures installées à l’année à LaGrappe, et ce qu’elles savent faire.</p>",
        )
        directory.add_child(instance=tenants_page)
        tenants_page.prefilter_memberships.set([Membership.objects.get(slug="locataire")])
        tenants_page.save_revision().publish()
        log(f"  page créée : {tenants_page.title} ({tenants_page.url_path})")
    else:
        tenants_page = tenants_page.specific

    site = Site.objects.get(is_default_site=True)
    navigation = NavigationSettings.for_site(site)
    changed = False
    if not _has_link(navigation.main_menu, directory):
        navigation.main_menu.append(("link", {"link_text": "L’annuaire", "page": directory, "url": ""}))
        changed = True
    if not any(block.value.get("url") == "/annuaire/rejoindre/" for block in navigation.footer_links):
        navigation.footer_links.append(
            ("link", {"link_text": "Rejoindre l’annuaire", "page": None, "url": "/annuaire/rejoindre/"})
        )
        changed = True
    if changed:
        navigation.save()
        log("  navigation : liens vers l’annuaire")
    return {"directory": directory, "tenants": tenants_page}


__all__ = ["load_directory_pages", "nav_link"]
