"""Issue 13 in Chromium, at phone (390×844) and desktop widths: the filter panel, chips,
clustered markers, the join form, GraphiQL offline, axe on every visitor page, screenshots."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import chromium_missing_reason
from .test_directory_browser import DEAD_TILES, png_size

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or ""),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(autouse=True)
def offline_tiles(settings):
    settings.MAP_TILES_URL = DEAD_TILES


@pytest.fixture(scope="module")
def principles(directory_data, django_db_blocker):
    """« Nos principes » with two child pages, committed for the live server's thread."""
    with django_db_blocker.unblock():
        from wagtail.models import Site

        from home.models import ContentPage

        home = Site.objects.get(is_default_site=True).root_page
        page = home.add_child(
            instance=ContentPage(title="Nos principes", slug="t-principes", introduction="Deux idées simples.")
        )
        for title, slug in (
            ("Coopération plutôt que concurrence", "cooperation"),
            ("Le droit à l’initiative", "initiative"),
        ):
            child = page.add_child(
                instance=ContentPage(title=title, slug=slug, search_description=f"{title}, en bref.")
            )
            child.save_revision().publish()
        page.save_revision().publish()
    yield page
    with django_db_blocker.unblock():
        page.delete()


def new_page(browser, viewport, **options):
    context = browser.new_context(viewport=viewport, device_scale_factor=1, locale="fr-FR", **options)
    return context, context.new_page()


def heading(page):
    return page.locator("#dir-results-title")


# --------------------------------------------------------------------------- directory on a phone


def test_phone_filters_open_full_height_and_the_button_counts_as_boxes_are_ticked(browser, site_url, artifacts_dir):
    context, page = new_page(browser, PHONE)
    page.goto(f"{site_url}/annuaire/")
    filters = page.locator("[data-dir-filters]")
    expect(filters).not_to_have_attribute("open", "")
    page.locator(".dir-filters-summary").click()
    box = filters.bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)  # the whole screen
    show = page.locator("[data-dir-show-results]")
    expect(show).to_be_visible()
    expect(show).to_have_text("Voir les 24 résultats")
    assert page.evaluate("getComputedStyle(document.documentElement).overflow") == "hidden"  # page behind stays put

    page.locator('label[for="f-memberships-locataire"]').click()
    expect(show).to_have_text("Voir les 3 résultats")  # from the server's fragment, panel still open
    expect(page.locator("#f-memberships-locataire")).to_be_checked()
    expect(page.locator("#f-memberships-locataire")).to_be_focused()
    page.locator('label[for="f-categories-collectif"]').click()
    expect(show).to_have_text("Voir les 2 résultats")
    # The button stays in reach at the bottom of the screen while the panel scrolls.
    page.locator("[data-dir-filters] .dir-facet").last.scroll_into_view_if_needed()
    show_box = show.bounding_box()
    assert show_box["y"] + show_box["height"] <= 844 and show_box["y"] > 700
    page.screenshot(path=str(artifacts_dir / "annuaire-filtres-telephone.png"))

    show.click()
    expect(filters).not_to_have_attribute("open", "")
    expect(heading(page)).to_be_focused()
    expect(heading(page)).to_have_text("2 structures trouvées.")
    expect(page).to_have_url(f"{site_url}/annuaire/?categories=collectif&memberships=locataire")
    assert page.evaluate("getComputedStyle(document.documentElement).overflow") != "hidden"
    page.screenshot(path=str(artifacts_dir / "annuaire-resultats-telephone.png"))
    context.close()


def test_escape_closes_the_phone_panel_onto_its_button(browser, site_url):
    context, page = new_page(browser, PHONE)
    page.goto(f"{site_url}/annuaire/")
    page.locator(".dir-filters-summary").click()
    page.locator("#f-categories-collectif").focus()
    page.keyboard.press("Escape")
    expect(page.locator("[data-dir-filters]")).not_to_have_attribute("open", "")
    expect(page.locator(".dir-filters-summary")).to_be_focused()
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_active_filters_are_chips_that_remove_themselves(browser, site_url, viewport):
    context, page = new_page(browser, viewport)
    page.goto(f"{site_url}/annuaire/?memberships=locataire&skills=photovoltaique")
    chips = page.locator(".dir-chip")
    expect(chips).to_have_count(2)
    expect(chips.first).to_be_visible()
    expect(chips).to_have_text(
        [
            "Retirer le filtre Appartenance : Locataire permanent de LaGrappe×",
            "Retirer le filtre Compétences : Photovoltaïque×",
        ]
    )
    expect(heading(page)).to_have_text("1 structure trouvée.")
    page.get_by_role("link", name="Retirer le filtre Compétences : Photovoltaïque").click()
    expect(page).to_have_url(f"{site_url}/annuaire/?memberships=locataire")
    expect(heading(page)).to_have_text("3 structures trouvées.")
    expect(chips).to_have_count(1)
    expect(page.locator("#f-skills-photovoltaique")).not_to_be_checked()
    context.close()


def test_chips_work_without_javascript(browser, site_url):
    context, page = new_page(browser, PHONE, java_script_enabled=False)
    page.goto(f"{site_url}/annuaire/?categories=collectif&city=Roubaix")
    expect(heading(page)).to_have_text("9 structures trouvées.")
    page.get_by_role("link", name="Retirer le filtre Ville : Roubaix").click()
    expect(heading(page)).to_have_text("20 structures trouvées.")
    expect(page.locator("[data-dir-show-results]")).to_be_hidden()  # a JavaScript-only control
    context.close()


# --------------------------------------------------------------------------------------- the map


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_map_clusters_markers_with_counts_and_follows_the_list(browser, site_url, viewport, artifacts_dir):
    context, page = new_page(browser, viewport)
    page.goto(f"{site_url}/annuaire/?view=map")
    clusters = page.locator(".leaflet-marker-icon.marker-cluster")
    expect(clusters.first).to_be_visible()
    counts = sorted(int(text.split()[0]) for text in clusters.all_inner_texts())
    singles = page.locator(".leaflet-marker-icon:not(.marker-cluster)").count()
    assert sum(counts) + singles == 24  # every listed structure is on the map, once
    assert max(counts) >= 10  # Lille's and Roubaix's pins are grouped, not stacked
    expect(page.locator(".dir-hit-title")).to_have_count(24)

    # « Situer sur la carte » opens the structure's popup, wherever its cluster was.
    page.locator('.dir-hit:has-text("Soleil du Nord") [data-dir-locate]').click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Soleil du Nord")
    if viewport is DESKTOP:
        page.screenshot(path=str(artifacts_dir / "annuaire-carte-bureau.png"))

    # A filter redraws the map from the same fragment as the list.
    page.goto(f"{site_url}/annuaire/?view=map")
    page.locator('label[for="f-cities-arras"]').click() if viewport is DESKTOP else page.goto(
        f"{site_url}/annuaire/?view=map&city=Arras"
    )
    expect(heading(page)).to_have_text("1 structure trouvée.")
    expect(page.locator(".leaflet-marker-icon:not(.marker-cluster)")).to_have_count(1)
    expect(page.locator(".leaflet-marker-icon.marker-cluster")).to_have_count(0)
    context.close()


def test_cluster_is_a_named_keyboard_button(browser, site_url):
    context, page = new_page(browser, DESKTOP)
    page.goto(f"{site_url}/annuaire/?view=map&memberships=locataire")
    cluster = page.locator(".leaflet-marker-icon.marker-cluster")
    expect(cluster).to_have_attribute("role", "button")
    expect(cluster).to_have_attribute("tabindex", "0")
    expect(page.get_by_role("button", name="3 structures ici : zoomer")).to_have_count(1)
    context.close()


# --------------------------------------------------------------------------------- the join form


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_join_form_combobox_ticks_skills_and_the_address_says_where_it_will_be(
    browser, site_url, viewport, artifacts_dir
):
    context, page = new_page(browser, viewport)
    page.goto(f"{site_url}/annuaire/rejoindre/")
    combo = page.get_by_role("combobox", name="Rechercher une compétence")
    combo.fill("renov")  # accents ignored
    expect(combo).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("option", name="Rénovation énergétique")).to_have_count(1)
    expect(page.get_by_role("option", name="Photovoltaïque")).to_have_count(0)
    for _ in range(10):  # the keyboard alone: arrows to the option, Enter ticks it
        if page.locator(".skills__option.is-active").inner_text().startswith("Rénovation énergétique"):
            break
        combo.press("ArrowDown")
    combo.press("Enter")
    expect(page.locator("input[name=skills]:checked")).to_have_count(1)
    expect(page.get_by_role("button", name="Retirer Rénovation énergétique")).to_be_visible()
    expect(
        page.locator("[data-skills-group]", has_text="Énergie & climat").locator("[data-skills-count]")
    ).to_have_text("(1 choisie)")
    assert page.url.endswith("/annuaire/rejoindre/")  # Enter in the filter never submits the form

    status = page.locator("[data-geocode-status]")
    page.locator("#id_postcode").fill("59000")
    expect(status).to_have_attribute("data-state", "incomplete")
    page.locator("#id_city").fill("Lille")
    expect(status).to_contain_text("placée au centre de Lille (position approximative)")
    page.locator("#id_address").fill("2 quai de l’Ouest")
    expect(status).to_have_attribute("data-state", "ready")
    expect(status).to_contain_text("Adresse complète")
    if viewport is DESKTOP:
        page.screenshot(path=str(artifacts_dir / "rejoindre-formulaire.png"), full_page=True)

    page.get_by_role("button", name="Retirer Rénovation énergétique").click()
    expect(page.locator("input[name=skills]:checked")).to_have_count(0)
    context.close()


def test_join_form_errors_are_red_announced_and_linked(browser, site_url, artifacts_dir):
    context, page = new_page(browser, PHONE)
    page.goto(f"{site_url}/annuaire/rejoindre/")
    page.locator("#id_postcode").fill("ABC")
    page.get_by_role("button", name="Envoyer ma demande").click()
    summary = page.locator("#join-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Code postal")
    postcode = page.locator("#id_postcode")
    expect(postcode).to_have_attribute("aria-invalid", "true")
    assert (
        page.evaluate("getComputedStyle(document.getElementById('id_postcode')).borderTopColor") == "rgb(161, 26, 26)"
    )
    described = postcode.get_attribute("aria-describedby").split()
    assert "id_postcode_error" in described
    expect(page.locator("#id_postcode_error")).to_contain_text("5 chiffres")
    summary.get_by_role("link", name="Code postal").click()
    expect(postcode).to_be_focused()
    page.screenshot(path=str(artifacts_dir / "rejoindre-erreurs-telephone.png"))
    context.close()


# ------------------------------------------------------------------------------ profile, GraphiQL


def test_profile_screenshot_shows_the_two_columns_and_the_map(browser, site_url, artifacts_dir):
    context, page = new_page(browser, DESKTOP)
    page.goto(f"{site_url}/annuaire/structures/soleil-du-nord/")
    main = page.locator(".profile-main").bounding_box()
    aside = page.locator(".profile-aside").bounding_box()
    assert aside["x"] > main["x"] + main["width"] - 1  # side by side: the width is used
    expect(page.locator("[data-profile-map].profile-map--ready .leaflet-marker-icon")).to_have_count(1)
    expect(page.get_by_role("link", name="Photovoltaïque")).to_have_attribute(
        "href", "/annuaire/?skills=photovoltaique"
    )
    expect(page.locator("#proches")).to_have_text("Structures proches")
    page.screenshot(path=str(artifacts_dir / "profil-bureau.png"), full_page=True)
    context.close()
    context, page = new_page(browser, PHONE)
    page.goto(f"{site_url}/annuaire/structures/soleil-du-nord/")
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    page.screenshot(path=str(artifacts_dir / "profil-telephone.png"), full_page=True)
    context.close()


def test_graphiql_renders_offline(browser, site_url, settings):
    settings.ROOT_URLCONF = "tests.browser.graphiql_urls"
    context, page = new_page(browser, DESKTOP)
    outside = []

    def only_local(route):
        if route.request.url.startswith(site_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{site_url}/graphiql/")
    expect(page.locator(".graphiql-container")).to_be_visible()
    expect(page.locator(".graphiql-query-editor")).to_be_visible()
    assert outside == []
    context.close()


# ------------------------------------------------------------------------------------------- axe


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/annuaire/?memberships=locataire",
        "/annuaire/?view=map",
        "/annuaire/structures/soleil-du-nord/",
        "/annuaire/rejoindre/",
        "/t-principes/",
    ],
    ids=["home", "directory-list", "directory-map", "profile", "join-form", "principles"],
)
def test_no_serious_or_critical_violation_on_visitor_pages(browser, site_url, principles, path, viewport):
    context, page = new_page(browser, viewport, bypass_csp=True)
    page.goto(f"{site_url}{path}")
    if "view=map" in path:
        expect(page.locator(".leaflet-marker-icon").first).to_be_visible()
    if viewport is PHONE and path.startswith("/annuaire/?"):
        page.locator(".dir-filters-summary").click()  # the open panel is what a phone visitor reads
    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    context.close()
    assert serious == []


def test_join_form_with_errors_has_no_serious_violation(browser, site_url):
    context, page = new_page(browser, DESKTOP, bypass_csp=True)
    page.goto(f"{site_url}/annuaire/rejoindre/")
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.locator("#join-errors")).to_be_visible()
    results = Axe().run(page)
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    context.close()
    assert serious == []


def test_principles_page_links_its_children(browser, site_url, principles):
    context, page = new_page(browser, PHONE)
    page.goto(f"{site_url}/t-principes/")
    links = page.locator(".child-pages .card__title a")
    expect(links).to_have_text(["Coopération plutôt que concurrence", "Le droit à l’initiative"])
    assert png_size  # shared helper imported for the screenshot tests
    context.close()
