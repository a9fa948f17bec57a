"""A shopper browses the catalog in a real browser, on a phone and on a desktop."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.choices import Availability, ProductionMethod, StepDoneBy
from catalog.tests.factories import (
    CategoryFactory,
    CollectionFactory,
    CollectionPieceFactory,
    MaterialFactory,
    PersonalizationOptionFactory,
    PieceFactory,
    PieceImageFactory,
    PieceMaterialFactory,
    ProductionStepFactory,
)

from .conftest import serious_accessibility_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalog_rows():
    """Two makers' pieces made three ways, with photos, materials and steps."""
    rings, earrings = CategoryFactory(name="Rings", slug="rings"), CategoryFactory(name="Earrings", slug="earrings")
    silver = MaterialFactory(name="Sterling silver", slug="sterling-silver", colour="#b9bcc0")
    gold = MaterialFactory(name="Yellow gold", slug="yellow-gold", colour="#c9a227")
    forged = PieceFactory(
        title="Hammered Sterling Band",
        category=rings,
        featured=True,
        price=Decimal("240"),
        materials_cost=Decimal("40"),
        labor_cost=Decimal("120"),
        labor_hours=Decimal("5"),
        design_story="Drawn from the tide lines of the Douro.",
        lifetime_repairs=True,
    )
    PieceImageFactory(piece=forged, alt_text="A hammered silver band on linen")
    PieceMaterialFactory(piece=forged, material=silver, recycled=True)
    ProductionStepFactory(piece=forged, step="design", done=StepDoneBy.BY_HAND, position=0)
    ProductionStepFactory(piece=forged, step="fabrication", done=StepDoneBy.WITH_HAND_TOOLS, position=1)
    ProductionStepFactory(piece=forged, step="finishing", done=StepDoneBy.BY_HAND, position=2)
    PersonalizationOptionFactory(piece=forged)
    cast = PieceFactory(
        title="Gold Hoop Earrings",
        category=earrings,
        production_method=ProductionMethod.MASS_PRODUCED,
        availability=Availability.OPEN_STOCK,
        stock=40,
        price=Decimal("35"),
        made_by="production_partner",
        production_partner="Oro Casting, Vicenza",
    )
    PieceImageFactory(piece=cast, alt_text="Two gold hoops", image__colour=(200, 170, 60))
    PieceMaterialFactory(piece=cast, material=gold, construction="plated", purity="18k")
    collection = CollectionFactory(title="Made by hand in Porto", featured=True)
    CollectionPieceFactory(collection=collection, piece=forged)
    return {"forged": forged, "cast": cast}


def test_shopper_filters_opens_a_piece_and_reads_how_it_was_made(live_server, page, catalog_rows):
    page.goto(f"{live_server.url}/")
    assert "Jewelry that shows how it was made" in page.locator("h1").inner_text()
    assert serious_accessibility_violations(page) == []
    page.screenshot(path=f"/tmp/atelier-home-{page.viewport_name}.png", full_page=True)

    page.goto(f"{live_server.url}/pieces/")
    expect(page.locator(".card")).to_have_count(2)
    if page.viewport_name == "phone":
        page.get_by_role("button", name="Filters").click()
    page.locator("input[name=method][value=handcrafted]").check()
    if page.viewport_name == "phone":
        page.get_by_role("button", name="Show 1 piece").click()
    expect(page.locator(".card")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"method=handcrafted"))
    assert serious_accessibility_violations(page) == []
    page.screenshot(path=f"/tmp/atelier-listing-{page.viewport_name}.png", full_page=True)

    page.get_by_role("link", name="Hammered Sterling Band").click()
    expect(page.locator("h1")).to_have_text("Hammered Sterling Band")
    strip = page.get_by_label("Production steps")
    assert strip.locator("li").count() == 3
    assert "100%" in page.locator("#how-made").locator("..").inner_text()
    assert "Recycled" in page.locator("#materials").locator("..").inner_text()
    assert serious_accessibility_violations(page) == []
    page.screenshot(path=f"/tmp/atelier-piece-{page.viewport_name}.png", full_page=True)

    page.get_by_role("link", name=f"Meet {catalog_rows['forged'].artisan.name}").click()
    expect(page.locator("h1")).to_have_text(catalog_rows["forged"].artisan.name)
    assert serious_accessibility_violations(page) == []


def test_guide_and_makers_directory_read_well(live_server, page, catalog_rows):
    page.goto(f"{live_server.url}/guide/")
    expect(page.locator("h1")).to_have_text("Handcrafted and mass-produced, by the numbers")
    expect(page.locator("svg.bars").first).to_be_visible()
    assert serious_accessibility_violations(page) == []
    page.screenshot(path=f"/tmp/atelier-guide-{page.viewport_name}.png", full_page=True)
    page.goto(f"{live_server.url}/artisans/")
    expect(page.locator(".maker-card--listed")).to_have_count(2)
    assert serious_accessibility_violations(page) == []


def test_pages_do_not_scroll_sideways(live_server, page, catalog_rows):
    pages = [
        "/",
        "/pieces/",
        "/artisans/",
        "/guide/",
        catalog_rows["forged"].get_absolute_url(),
        f"/compare/?pieces={catalog_rows['forged'].slug},{catalog_rows['cast'].slug}",
    ]
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {page.viewport_name}"


def test_filters_work_without_javascript(live_server, no_javascript_page, catalog_rows):
    page = no_javascript_page
    page.goto(f"{live_server.url}/pieces/")
    page.locator("input[name=category][value=earrings]").check()
    page.get_by_role("button", name="Show the matching pieces").click()
    expect(page).to_have_url(re.compile("category=earrings"))
    expect(page.locator(".card h3")).to_have_text(["Gold Hoop Earrings"])


def test_with_javascript_a_filter_updates_results_and_counts_without_a_reload(live_server, page, catalog_rows):
    page.goto(f"{live_server.url}/pieces/")
    page.evaluate("window.stillTheSamePage = true")
    if page.viewport_name == "phone":
        page.get_by_role("button", name="Filters").click()
    page.locator("input[name=category][value=earrings]").check()
    expect(page.locator(".card h3")).to_have_text(["Gold Hoop Earrings"])
    expect(page).to_have_url(f"{live_server.url}/pieces/?category=earrings")
    assert page.evaluate("window.stillTheSamePage") is True
    # The category's own counts still show the other option; the method counts follow the result.
    expect(page.locator("label:has(input[name=category][value=rings]) .facet__count")).to_have_text("1")
    expect(page.locator("label:has(input[name=method][value=handcrafted]) .facet__count")).to_have_text("0")
    if page.viewport_name == "phone":
        page.get_by_role("button", name="Show 1 piece").click()
    page.get_by_role("link", name="Remove filter: Earrings").click()
    expect(page.locator(".card")).to_have_count(2)
    assert serious_accessibility_violations(page) == []


def test_shopper_compares_three_pieces_side_by_side(live_server, page, catalog_rows):
    third = PieceFactory(title="Lost-Wax Signet", category=catalog_rows["forged"].category, price=Decimal("610"))
    PieceImageFactory(piece=third, alt_text="A cast signet ring")
    for piece in (catalog_rows["forged"], catalog_rows["cast"], third):
        page.goto(f"{live_server.url}{piece.get_absolute_url()}")
        page.locator(".wall-label").get_by_role("button", name=re.compile("Add to compare")).click()
        expect(page.locator(".wall-label").get_by_role("button", name=re.compile("In comparison"))).to_be_visible()
    page.get_by_role("link", name=re.compile(r"See the comparison \(3\)")).click()
    table = page.locator("table.compare")
    expect(table.locator("thead th")).to_have_count(3)
    expect(page.locator(".compare__note").first).to_be_visible()
    # C has no metal recorded: it is neither plated nor solid.
    assert "B is plated: the finish wears with use; A is solid." in table.inner_text()
    assert serious_accessibility_violations(page) == []
    page.screenshot(path=f"/tmp/atelier-compare-{page.viewport_name}.png", full_page=True)
