"""
The header's search box as a shopper uses it, on a phone (390 px) and a desktop
(1280 px): typing "sap" shows suggestions, announced by number; ArrowDown and
Enter land on the listing filtered by sapphire; Escape closes the list; a click
follows a maker; without JavaScript the box is a plain search of the listing.
axe finds nothing serious with the list open, and nothing scrolls sideways.
Screenshots go to /tmp/helpers/suggest/.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from artisans.tests.factories import ArtisanFactory
from catalog.choices import MaterialKind
from catalog.tests.factories import MaterialFactory, PieceFactory, PieceMaterialFactory

from .conftest import serious_accessibility_violations

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/helpers/suggest")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_name}.png"))


def sideways(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.fixture
def shop():
    """Two sapphire pieces by Oficina Ferro, a garnet one by another maker."""
    sapphire = MaterialFactory(name="Sapphire", slug="sapphire", kind=MaterialKind.GEMSTONE)
    garnet = MaterialFactory(name="Garnet", slug="garnet", kind=MaterialKind.GEMSTONE)
    ferro = ArtisanFactory(name="Oficina Ferro", slug="oficina-ferro")
    for title in ("Blue Sapphire Band", "Sapphire Drop Earrings"):
        PieceMaterialFactory(piece=PieceFactory(title=title, artisan=ferro), material=sapphire)
    PieceMaterialFactory(piece=PieceFactory(title="Garnet Signet"), material=garnet)
    return ferro


def combobox(page):
    return page.locator("#site-q")


def test_typing_arrowing_down_and_enter_land_on_the_filtered_listing(live_server, page, shop):
    page.goto(live_server.url + "/")
    box = combobox(page)
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_attribute("aria-autocomplete", "list")
    expect(box).to_have_attribute("aria-controls", "site-search-suggestions")

    box.press_sequentially("sap", delay=40)
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    first = listbox.get_by_role("option").first
    expect(first).to_have_accessible_name("Sapphire, gemstone, 2 pieces")
    count = listbox.get_by_role("option").count()
    expect(page.locator("#site-search-status")).to_have_text("1 suggestion" if count == 1 else f"{count} suggestions")

    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "site-search-suggestion-1")
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_be_focused()
    assert sideways(page) == 0
    shot(page, "open")
    assert serious_accessibility_violations(page) == []

    box.press("ArrowUp")  # from the first option, round to the last
    expect(box).to_have_attribute("aria-activedescendant", f"site-search-suggestion-{count}")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "site-search-suggestion-1")
    box.press("Enter")
    page.wait_for_url("**/pieces/?gemstone=sapphire")
    expect(page.locator("#result-count")).to_have_text("2 pieces")


def test_escape_closes_the_list_and_a_click_follows_a_maker(live_server, page, shop):
    page.goto(live_server.url + "/pieces/")
    box = combobox(page)
    box.press_sequentially("ferr", delay=40)
    maker = page.get_by_role("option", name="Oficina Ferro, maker, 2 pieces")
    expect(maker).to_be_visible()
    box.press("Escape")
    expect(page.get_by_role("listbox", name="Suggestions")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).not_to_have_attribute("aria-activedescendant", "site-search-suggestion-1")

    box.press("ArrowDown")  # the list comes back, its first option active
    expect(maker).to_be_visible()
    maker.click()
    page.wait_for_url("**/artisans/oficina-ferro/")


def test_enter_with_no_option_chosen_searches_the_words_typed(live_server, page, shop):
    page.goto(live_server.url + "/guide/")
    box = combobox(page)
    box.press_sequentially("garnet", delay=30)
    expect(page.get_by_role("listbox", name="Suggestions")).to_be_visible()
    box.press("Enter")
    # The listing reads the words (it may turn them into filters, catalog.listing.reading).
    page.wait_for_url(re.compile(r"/pieces/\?(.+&)?(q|words)=garnet"))


def test_a_text_with_nothing_to_suggest_keeps_the_list_closed_and_says_so(live_server, page, shop):
    page.goto(live_server.url + "/")
    box = combobox(page)
    box.press_sequentially("<zq>", delay=30)
    expect(page.locator("#site-search-status")).to_have_text("0 suggestions")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("listbox", name="Suggestions")).to_be_hidden()


def test_the_header_fits_and_searches_without_javascript(live_server, browser, shop):
    for name, viewport in {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}.items():
        context = browser.new_context(viewport=viewport, java_script_enabled=False)
        page = context.new_page()
        page.viewport_name = f"{name}-nojs"
        page.goto(live_server.url + "/")
        box = page.get_by_role("searchbox", name="Search pieces, makers and materials")
        expect(box).to_be_visible()
        assert box.get_attribute("role") is None  # no combobox without the script that makes it one
        assert sideways(page) == 0
        shot(page, "header")
        box.fill("sapphire")
        page.get_by_role("button", name="Search", exact=True).click()
        page.wait_for_url(re.compile(r"/pieces/\?(.+&)?(q|words)=sapphire"))
        context.close()
