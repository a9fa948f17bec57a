"""
The listing and compare on a phone (390 px) and a desktop (1280 px), with and without JavaScript.

On a phone the facet column is a dialog that "Filters" opens and "Show N pieces"
closes at the results; on a desktop it is the sidebar. After htmx swaps the
results, focus and a live message go to the result count. The price range is at
the top of the column, long option lists are folded, and compare can remove one
piece or clear the tray. Screenshots go to /tmp/helpers/listing/.
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from catalog.choices import Construction, ProductionMethod
from catalog.tests.factories import (
    CategoryFactory,
    MaterialFactory,
    PieceFactory,
    PieceImageFactory,
    PieceMaterialFactory,
    TechniqueFactory,
    piece_with_details,
)

from .conftest import VIEWPORTS, serious_accessibility_violations

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/helpers/listing")
TECHNIQUES = 14  # more than the column shows at once: 6 shown, 8 folded


def shot(page, name, full_page=True):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_name}.png"), full_page=full_page)


def sideways(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def active_id(page):
    return page.evaluate("document.activeElement && document.activeElement.id")


@pytest.fixture
def shop():
    """Fourteen techniques, a ring made with the last of them, earrings, and a plated mass-produced chain."""
    earrings = CategoryFactory(name="Earrings", slug="earrings")
    techniques = [TechniqueFactory(name=f"Technique {n:02}", slug=f"technique-{n:02}") for n in range(TECHNIQUES)]
    gold = MaterialFactory(name="Yellow gold", slug="yellow-gold")
    ring = piece_with_details(title="Hammered Sterling Band", price=Decimal("240"))
    ring.techniques.add(techniques[-1])
    studs = PieceFactory(title="Granulated Gold Studs", category=earrings, price=Decimal("410"))
    PieceImageFactory(piece=studs, alt_text="Two gold studs")
    PieceMaterialFactory(piece=studs, material=gold, construction=Construction.SOLID, purity="18k")
    chain = PieceFactory(
        title="A Cast Curb Chain With A Rather Long Name For A Phone",
        production_method=ProductionMethod.MASS_PRODUCED,
        availability="open_stock",
        stock=40,
        price=Decimal("35"),
    )
    PieceImageFactory(piece=chain, alt_text="A gold-plated chain")
    PieceMaterialFactory(piece=chain, material=gold, construction=Construction.PLATED, purity="18k")
    return {"ring": ring, "studs": studs, "chain": chain}


def _page(browser, viewport, javascript=True):
    context = browser.new_context(viewport=VIEWPORTS[viewport], java_script_enabled=javascript)
    page = context.new_page()
    page.viewport_name = viewport if javascript else f"{viewport}-nojs"
    return context, page


@pytest.fixture
def phone(browser):
    context, page = _page(browser, "phone")
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context, page = _page(browser, "desktop")
    yield page
    context.close()


@pytest.fixture
def phone_without_javascript(browser):
    context, page = _page(browser, "phone", javascript=False)
    yield page
    context.close()


# --- The Filters dialog, "Show N pieces", focus and the live message ------------------------------------


def test_filters_open_as_a_dialog_on_a_phone_and_show_n_pieces_lands_at_the_results(live_server, phone, shop):
    page = phone
    page.goto(f"{live_server.url}/pieces/")
    dialog = page.locator("dialog#filters")
    expect(page.locator(".listing__count")).to_have_text("3 pieces")
    expect(dialog).to_be_hidden()
    # The button is at the top, above the first card.
    button = page.get_by_role("button", name="Filters")
    assert button.bounding_box()["y"] < page.locator(".card").first.bounding_box()["y"]
    assert sideways(page) <= 0
    shot(page, "listing-closed")

    button.click()
    expect(dialog).to_be_visible()
    assert page.evaluate("document.querySelector('dialog#filters').matches(':modal')")
    # The price range is the first thing in the column after search and sort, on the first screen.
    price = page.get_by_label("From")
    expect(price).to_be_in_viewport()
    assert serious_accessibility_violations(page) == []
    shot(page, "listing-dialog", full_page=False)

    earrings = dialog.locator("input[name=category][value=earrings]")
    earrings.check()
    show = dialog.get_by_role("button", name="Show 1 piece")
    expect(show).to_be_visible()
    # The dialog stayed open over the new results, with focus on the option just ticked, and the count said.
    expect(dialog).to_be_visible()
    assert page.evaluate("document.activeElement.name + '=' + document.activeElement.value") == "category=earrings"
    expect(page.locator("#filters-status")).to_have_text("1 piece")
    assert page.evaluate("document.querySelector('dialog#filters').matches(':modal')")
    expect(page).to_have_url(f"{live_server.url}/pieces/?category=earrings")

    show.click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".card h3")).to_have_text(["Granulated Gold Studs"])
    page.wait_for_function("document.activeElement && document.activeElement.id === 'result-count'")
    expect(page.locator("#result-count")).to_be_in_viewport()
    expect(page.locator(".card").first).to_be_in_viewport()
    assert sideways(page) <= 0
    assert serious_accessibility_violations(page) == []
    shot(page, "listing-after-show")

    # Close and Escape close it too, and focus comes back to the button.
    page.get_by_role("button", name=re.compile("^Filters")).click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("link", name="Close").click()
    expect(dialog).to_be_hidden()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'filters-open'")
    page.get_by_role("button", name=re.compile("^Filters")).click()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_the_column_is_a_sidebar_on_a_desktop_and_focus_goes_to_the_count(live_server, desktop, shop):
    page = desktop
    page.goto(f"{live_server.url}/pieces/")
    column = page.locator("dialog#filters")
    expect(column).to_be_visible()
    expect(page.locator("#filters-open")).to_be_hidden()
    assert not page.evaluate("document.querySelector('dialog#filters').matches(':modal')")
    # Beside the results, on the left.
    assert column.bounding_box()["x"] + column.bounding_box()["width"] <= page.locator("#results").bounding_box()["x"]
    expect(page.get_by_label("From")).to_be_in_viewport()

    page.locator("input[name=category][value=earrings]").check()
    expect(page.locator(".card h3")).to_have_text(["Granulated Gold Studs"])
    page.wait_for_function("document.activeElement && document.activeElement.id === 'result-count'")
    expect(page.locator("#listing-status")).to_have_text("1 piece")
    expect(page.locator("#result-count")).to_have_text("1 piece")
    assert serious_accessibility_violations(page) == []
    shot(page, "listing-filtered")

    # Enter in the search field shows the results: focus lands on the count.
    page.get_by_label("Search", exact=True).fill("granulated")
    page.get_by_label("Search", exact=True).press("Enter")
    # Searched as words, or read as the technique it names (catalog.listing.reading): the shopper's words stay.
    expect(page).to_have_url(re.compile(r"(q|words)=granulated"))
    page.wait_for_function("document.activeElement && document.activeElement.id === 'result-count'")

    # Back: htmx asks for the page again, and gets the whole page, not the listing alone.
    page.go_back()
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/pieces/")
    expect(page.locator(".site-header")).to_be_visible()
    # The URL changes at once; the page htmx fetches for it may take seconds on a loaded machine.
    expect(page.locator(".card")).to_have_count(3, timeout=15_000)
    assert page.locator("h1").count() == 1


def test_after_every_change_focus_and_the_live_message_follow_the_count(live_server, page, shop):
    page.goto(f"{live_server.url}/pieces/")
    if page.viewport_name == "phone":
        page.get_by_role("button", name="Filters").click()
    dialog = page.locator("dialog#filters")
    dialog.locator("input[name=method][value=mass_produced]").check()
    expect(dialog.get_by_role("button", name="Show 1 piece")).to_be_visible()
    if page.viewport_name == "desktop":
        expect(page.locator("#listing-status")).to_have_text("1 piece")
        assert active_id(page) == "result-count"
        page.evaluate("document.querySelector('#listing-status').textContent = ''")
    # A list changed from the keyboard one step at a time keeps focus; the count is still said.
    dialog.get_by_label("Sort by").focus()
    page.keyboard.press("ArrowDown")
    expect(page).to_have_url(re.compile(r"sort=price"))
    expect(page.locator("#listing-status" if page.viewport_name == "desktop" else "#filters-status")).to_have_text(
        "1 piece"
    )
    assert active_id(page) == "f-sort"
    dialog.locator("input[name=method][value=mass_produced]").uncheck()
    expect(dialog.get_by_role("button", name="Show 3 pieces")).to_be_visible()
    expect(page.locator(".card h3").first).to_have_text(shop["chain"].title)
    if page.viewport_name == "phone":
        expect(page.locator("#filters-status")).to_have_text("3 pieces")
        assert page.evaluate("document.activeElement.name") == "method"
    else:
        expect(page.locator("#listing-status")).to_have_text("3 pieces")
        assert active_id(page) == "result-count"


# --- The column: price first, long lists folded ---------------------------------------------------------


def test_price_is_near_the_top_and_long_lists_fold_without_hiding_a_ticked_option(live_server, page, shop):
    page.goto(f"{live_server.url}/pieces/")
    if page.viewport_name == "phone":
        page.get_by_role("button", name="Filters").click()
    dialog = page.locator("dialog#filters")
    first_group = dialog.locator("details.facet-group").first
    expect(first_group.locator("summary")).to_have_text("Price and delivery")
    price_top = dialog.get_by_label("From").bounding_box()["y"]
    column_top = dialog.bounding_box()["y"]
    assert price_top - column_top < 400, f"the price range is {price_top - column_top:.0f} px down the column"

    techniques = dialog.locator("fieldset:has(legend:text-is('Technique'))")
    expect(techniques.locator("> label.facet__option")).to_have_count(6)
    fold = techniques.locator("details.facet__more")
    expect(fold.locator("summary")).to_have_text("8 more in Technique")
    last = techniques.locator("input[value=technique-13]")
    expect(last).to_be_hidden()
    fold.locator("summary").click()
    expect(last).to_be_visible()
    last.check()
    expect(page.locator(".card h3")).to_have_text([shop["ring"].title])
    # After the swap the fold is still open, the ticked option shown and ticked.
    expect(last).to_be_visible()
    expect(last).to_be_checked()
    assert serious_accessibility_violations(page) == []
    shot(page, "listing-fold-open", full_page=page.viewport_name == "desktop")

    # Loaded afresh (a shared address), the fold holding the ticked option is drawn open.
    page.goto(f"{live_server.url}/pieces/?technique=technique-13")
    if page.viewport_name == "phone":
        page.get_by_role("button", name=re.compile("^Filters")).click()
    expect(page.locator("dialog#filters input[value=technique-13]")).to_be_visible()


# --- Compare: remove one, clear, stacked on a phone -----------------------------------------------------


def test_compare_removes_one_piece_clears_the_tray_and_stacks_on_a_phone(live_server, page, shop):
    page.goto(f"{live_server.url}/pieces/")
    for title in (shop["ring"].title, shop["studs"].title, shop["chain"].title):
        page.get_by_role("button", name=re.compile(f"Add to compare.*{re.escape(title)}")).click()
    page.get_by_role("link", name="Compare (3)").click()
    table = page.locator("table.compare")
    expect(table.locator("thead th")).to_have_count(3)
    # Every plain-language line is read in full: inside the page, not cut at its edge.
    notes = page.locator(".compare__note-text")
    assert notes.count() >= 2
    width = VIEWPORTS[page.viewport_name]["width"]
    for index in range(notes.count()):
        box = notes.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, notes.nth(index).inner_text()
        assert notes.nth(index).evaluate("e => e.scrollWidth <= e.clientWidth")
    assert sideways(page) <= 0
    region = page.get_by_role("region", name="Comparison table")
    if page.viewport_name == "phone":
        # Stacked: the region does not scroll, each value carries its piece's letter.
        assert region.evaluate("e => e.scrollWidth <= e.clientWidth")
        expect(table.locator("tbody td .compare__cell-letter").first).to_be_visible()
        heads = table.locator("thead th")
        assert heads.nth(1).bounding_box()["y"] > heads.nth(0).bounding_box()["y"]
    assert serious_accessibility_violations(page) == []
    shot(page, "compare-three")

    page.get_by_role("button", name=f"Remove {shop['studs'].title} from the comparison").click()
    expect(table.locator("thead th")).to_have_count(2)
    expect(page.get_by_role("link", name="Compare (2)")).to_be_visible()
    assert shop["studs"].title not in table.inner_text()
    page.get_by_role("button", name="Clear the comparison").click()
    expect(page.get_by_text("Nothing to compare yet")).to_be_visible()
    expect(page.get_by_text("Your comparison is cleared.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"Compare \("))).to_have_count(0)
    assert serious_accessibility_violations(page) == []


# --- Tables and sideways scroll -------------------------------------------------------------------------


def test_every_public_table_is_readable(live_server, page, shop):
    slugs = ",".join(piece.slug for piece in shop.values())
    for path in (shop["ring"].get_absolute_url(), "/guide/", f"/compare/?pieces={slugs}"):
        page.goto(f"{live_server.url}{path}")
        assert sideways(page) <= 0, path
        for table in page.locator("main table").all():
            # Either it fits the page, or it scrolls inside a labelled, focusable region that shows it can.
            if table.evaluate("t => t.getBoundingClientRect().right <= document.documentElement.clientWidth"):
                continue
            region = table.locator("xpath=ancestor::*[@role='region'][1]")
            assert region.get_attribute("tabindex") == "0", path
            assert region.get_attribute("aria-labelledby") or region.get_attribute("aria-label"), path
            assert region.evaluate("r => getComputedStyle(r).overflowX") == "auto", path
        assert serious_accessibility_violations(page) == [], path
    page.goto(f"{live_server.url}{shop['ring'].get_absolute_url()}")
    materials = page.locator("table.facts--reflow")
    assert materials.evaluate("t => t.getBoundingClientRect().right <= document.documentElement.clientWidth")
    if page.viewport_name == "phone":
        # Reflowed: each value under its column's name, the certification column in sight.
        provenance = materials.locator("td[data-label=Provenance]").first
        label = provenance.evaluate("td => getComputedStyle(td, '::before').content")
        assert label == '"Provenance: "'
        certified = materials.locator("td[data-label=Certified]").first.bounding_box()
        assert certified["x"] + certified["width"] <= VIEWPORTS["phone"]["width"]
    shot(page, "piece")


def test_listing_with_the_dialog_open_and_compare_do_not_scroll_sideways(live_server, page, shop):
    page.goto(f"{live_server.url}/pieces/?technique=technique-13&category=rings")
    assert sideways(page) <= 0
    if page.viewport_name == "phone":
        page.get_by_role("button", name=re.compile("^Filters")).click()
        assert sideways(page) <= 0
        assert page.locator("dialog#filters").evaluate("d => d.scrollWidth <= d.clientWidth")
    slugs = ",".join(piece.slug for piece in shop.values())
    page.goto(f"{live_server.url}/compare/?pieces={slugs}")
    assert sideways(page) <= 0


# --- Without JavaScript ---------------------------------------------------------------------------------


def test_without_javascript_the_filters_link_shows_the_column_and_the_form_lands_at_the_results(
    live_server, phone_without_javascript, shop
):
    page = phone_without_javascript
    page.goto(f"{live_server.url}/pieces/")
    dialog = page.locator("dialog#filters")
    expect(dialog).to_be_hidden()
    page.get_by_role("link", name="Filters").click()
    expect(dialog).to_be_visible()
    expect(page.get_by_label("From")).to_be_in_viewport()
    assert sideways(page) <= 0
    shot(page, "listing-dialog", full_page=False)
    dialog.locator("input[name=category][value=earrings]").check()
    dialog.get_by_role("button", name="Show the matching pieces", exact=True).click()
    expect(page).to_have_url(re.compile(r"/pieces/\?.*category=earrings.*#results$"))
    expect(dialog).to_be_hidden()
    expect(page.locator(".card h3")).to_have_text(["Granulated Gold Studs"])
    expect(page.locator("#results")).to_be_in_viewport()
    # "Close" goes back to the results.
    page.get_by_role("link", name=re.compile("^Filters")).click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("link", name="Close").click()
    expect(dialog).to_be_hidden()


def test_without_javascript_the_folded_list_opens_and_the_desktop_column_is_a_sidebar(
    live_server, no_javascript_page, shop
):
    page = no_javascript_page
    page.goto(f"{live_server.url}/pieces/")
    expect(page.locator("dialog#filters")).to_be_visible()
    fold = page.locator("details[data-fold=technique]")
    fold.locator("summary").click()
    fold.locator("input[value=technique-13]").check()
    page.get_by_role("button", name="Show the matching pieces", exact=True).click()
    expect(page.locator(".card h3")).to_have_text([shop["ring"].title])
    expect(page.locator("details[data-fold=technique] input[value=technique-13]")).to_be_visible()


def test_without_javascript_compare_removes_and_clears(live_server, no_javascript_page, shop):
    page = no_javascript_page
    page.goto(f"{live_server.url}/pieces/")
    for title in (shop["ring"].title, shop["studs"].title, shop["chain"].title):
        page.get_by_role("button", name=re.compile(f"Add to compare.*{re.escape(title)}")).click()
    page.goto(f"{live_server.url}/compare/")
    expect(page.locator("table.compare thead th")).to_have_count(3)
    page.get_by_role("button", name=f"Remove {shop['ring'].title} from the comparison").click()
    expect(page.locator("table.compare thead th")).to_have_count(2)
    page.get_by_role("button", name="Clear the comparison").click()
    expect(page.get_by_text("Nothing to compare yet")).to_be_visible()
