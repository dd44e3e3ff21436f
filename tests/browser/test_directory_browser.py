"""The directory in headless Chromium: live search, facets, history, keyboard, no-JS, embed, a11y."""

import struct

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import chromium_missing_reason

pytestmark = [
    pytest.mark.browser,
    # Makes pytest-django create the test database even when this module runs alone;
    # the dataset itself is committed once by the package fixture (conftest).
    pytest.mark.django_db,
    pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or ""),
]

DEAD_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"  # port 9 (discard): tiles fail, fast, offline


@pytest.fixture(autouse=True)
def offline_tiles(settings):
    settings.MAP_TILES_URL = DEAD_TILES


def heading(page):
    return page.locator("#dir-results-title")


def test_typing_a_query_updates_results_and_address(page, site_url):
    page.goto(f"{site_url}/annuaire/")
    expect(heading(page)).to_have_text("24 structures trouvées, page 1 sur 2.")
    page.locator("#dir-q").press_sequentially("panneaux solaires", delay=20)
    expect(heading(page)).to_have_text("2 structures trouvées.")
    expect(page).to_have_url(f"{site_url}/annuaire/?q=panneaux+solaires")
    expect(page.locator("[data-dir-status]")).to_have_text("2 structures trouvées.")
    expect(page.locator(".dir-hit mark").first).to_be_visible()


def test_facet_toggle_changes_counts_and_address(page, site_url):
    page.goto(f"{site_url}/annuaire/")
    collectif = page.locator('label[for="f-categories-collectif"] .dir-count')
    expect(collectif).to_have_text("(20 structures)")
    page.locator('label[for="f-memberships-locataire"]').click()
    expect(heading(page)).to_have_text("3 structures trouvées.")
    expect(page).to_have_url(f"{site_url}/annuaire/?memberships=locataire")
    expect(collectif).to_have_text("(2 structures)")
    expect(page.locator("#f-memberships-locataire")).to_be_checked()


def test_back_button_restores_the_previous_search(page, site_url):
    page.goto(f"{site_url}/annuaire/")
    page.locator("#dir-q").press_sequentially("atelier", delay=20)
    expect(heading(page)).to_have_text("19 structures trouvées.")
    expect(page.locator("#dir-q-listbox")).to_be_visible()
    page.locator("#dir-q").press("Escape")  # close the suggestions, which cover the facets
    expect(page.locator("#dir-q-listbox")).to_be_hidden()
    page.locator('label[for="f-categories-collectif"]').click()
    expect(page).to_have_url(f"{site_url}/annuaire/?q=atelier&categories=collectif")
    expect(heading(page)).to_have_text("19 structures trouvées.")
    page.locator('label[for="f-cities-roubaix"]').click()
    expect(heading(page)).to_have_text("9 structures trouvées.")
    page.go_back()
    expect(page).to_have_url(f"{site_url}/annuaire/?q=atelier&categories=collectif")
    expect(heading(page)).to_have_text("19 structures trouvées.")
    expect(page.locator("#f-cities-roubaix")).not_to_be_checked()
    page.go_back()
    expect(page).to_have_url(f"{site_url}/annuaire/?q=atelier")
    expect(page.locator("#f-categories-collectif")).not_to_be_checked()
    page.go_back()
    expect(page).to_have_url(f"{site_url}/annuaire/")
    expect(page.locator("#dir-q")).to_have_value("")
    expect(heading(page)).to_have_text("24 structures trouvées, page 1 sur 2.")


def tab_until(page, predicate_js: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({predicate_js}); }})()"):
            return
    raise AssertionError(f"focus never reached: {predicate_js}")


def test_keyboard_only_search_suggestion_facet_and_result(page, site_url):
    page.goto(f"{site_url}/annuaire/")
    tab_until(page, "el.id === 'dir-q'")
    page.keyboard.type("compo", delay=30)
    option = page.locator("#dir-q-listbox [role=option]", has_text="Compostage")
    expect(option).to_be_visible()
    expect(page.locator("#dir-q")).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#dir-q")).to_have_attribute("aria-activedescendant", "dir-q-option-0")
    while page.locator("#dir-q-listbox [aria-selected=true]").inner_text().split("\n")[0].strip() != "Compostage":
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#dir-q")).to_have_value("Compostage")
    expect(page.locator("#dir-q")).to_have_attribute("aria-expanded", "false")
    expect(heading(page)).to_have_text("1 structure trouvée.")
    tab_until(page, "el.type === 'checkbox'")
    focused = page.evaluate("document.activeElement.id")
    page.keyboard.press("Space")
    expect(page.locator(f"#{focused}")).to_be_checked()
    expect(page).to_have_url(f"{site_url}/annuaire/?q=Compostage&categories=territoire")
    expect(page.locator(f"#{focused}")).to_be_focused()  # focus survives the live refresh
    tab_until(page, "el.matches('a[data-dir-hit]')")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site_url}/annuaire/structures/compost-roubaix/")


def test_focus_is_visible_on_the_search_box(page, site_url):
    page.goto(f"{site_url}/annuaire/")
    tab_until(page, "el.id === 'dir-q'")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_without_javascript_the_form_still_searches_and_filters(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}/annuaire/")
    page.locator("#dir-q").fill("solaire")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(heading(page)).to_have_text("2 structures trouvées.")
    assert "q=solaire" in page.url
    expect(page.locator("#dir-sort")).to_have_value("relevance")  # not the name order of the empty search
    page.locator("#f-memberships-cluster").check()
    page.get_by_role("button", name="Appliquer les filtres").click()
    expect(heading(page)).to_have_text("1 structure trouvée.")
    assert "memberships=cluster" in page.url
    expect(page.locator(".dir-hit-title")).to_have_text(["Soleil du Nord"])
    context.close()


def test_map_view_places_markers_even_when_tiles_fail(page, site_url):
    page.goto(f"{site_url}/annuaire/?memberships=locataire")
    page.get_by_role("link", name="Carte").click()
    expect(page).to_have_url(f"{site_url}/annuaire/?memberships=locataire&view=map")
    # The three tenants share Lille's centre: one numbered cluster, which opens into three markers.
    cluster = page.locator(".leaflet-marker-icon.marker-cluster")
    expect(cluster).to_have_count(1)
    expect(cluster).to_have_text("3 structures ici : zoomer")
    expect(page.locator("[data-dir-map-message]")).to_contain_text("Le fond de carte ne s’affiche pas")
    expect(page.locator(".dir-hit-title")).to_have_count(3)  # the list stays next to the map
    cluster.click()
    expect(page.locator(".leaflet-marker-icon:not(.marker-cluster)")).to_have_count(3)


def write_parent(folder, embed_url):
    (folder / "index.html").write_text(
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Partenaire</title></head>'
        f'<body><h1>Site partenaire</h1><iframe title="Annuaire LaGrappe" src="{embed_url}" width="900" height="700"></iframe>'
        "</body></html>",
        encoding="utf-8",
    )


def test_embed_loads_in_an_allowed_partner_and_is_refused_elsewhere(page, site_url, parent_sites, settings):
    allowed_folder, allowed_origin = parent_sites["allowed"]
    refused_folder, refused_origin = parent_sites["refused"]
    settings.EMBED_ALLOWED_ORIGINS = [allowed_origin]
    embed_url = f"{site_url}/embed/annuaire/?categories=collectif&memberships=locataire"
    write_parent(allowed_folder, embed_url)
    write_parent(refused_folder, embed_url)

    page.goto(f"{allowed_origin}/index.html")
    frame = page.frame_locator("iframe")
    expect(frame.locator("#dir-results-title")).to_have_text("2 structures trouvées.")

    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "frame-ancestors" in message.text else None)
    page.goto(f"{refused_origin}/index.html")
    page.wait_for_load_state("load")
    expect(page.locator("h1")).to_have_text("Site partenaire")
    child = page.frames[1]
    assert child.url.startswith("chrome-error://") or child.locator("#dir-results-title").count() == 0
    assert child.locator("#dir-results-title").count() == 0
    assert len(blocked) == 1


@pytest.fixture
def axe_page(browser):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(
    "path",
    ["/annuaire/", "/annuaire/?q=zzzzzz", "/annuaire/structures/soleil-du-nord/", "/"],
    ids=["directory", "directory-no-result", "profile", "home"],
)
def test_no_serious_or_critical_accessibility_violation(axe_page, site_url, path):
    axe_page.goto(f"{site_url}{path}")
    results = Axe().run(axe_page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def png_size(path) -> tuple[int, int]:
    with open(path, "rb") as handle:
        header = handle.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize(
    "name, viewport",
    [("desktop", {"width": 1280, "height": 800}), ("mobile", {"width": 390, "height": 844})],
    ids=["desktop", "mobile"],
)
def test_directory_screenshots(browser, site_url, artifacts_dir, name, viewport):
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    page = context.new_page()
    page.goto(f"{site_url}/annuaire/?q=solaire")
    expect(heading(page)).to_have_text("2 structures trouvées.")
    path = artifacts_dir / f"annuaire-{name}.png"
    page.screenshot(path=str(path))
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    filters_open = page.evaluate("document.querySelector('[data-dir-filters]').open")
    context.close()
    assert png_size(path) == (viewport["width"], viewport["height"])
    assert scroll_width == viewport["width"]  # no horizontal scrolling, even at phone width (WCAG 1.4.10)
    assert filters_open is (name == "desktop")  # phones see results first, filters one tap away
