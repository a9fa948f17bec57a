"""A shopper browses the catalog in a real browser, on a phone and on a desktop."""

from decimal import Decimal

import pytest

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
        variation_note="Hammer marks vary from ring to ring.",
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
    assert page.locator(".card").count() == 2
    page.get_by_label("Handcrafted").check()
    page.get_by_role("button", name="Show pieces").click()
    assert page.locator(".card").count() == 1
    assert "method=handcrafted" in page.url
    assert serious_accessibility_violations(page) == []
    page.screenshot(path=f"/tmp/atelier-listing-{page.viewport_name}.png", full_page=True)

    page.get_by_role("link", name="Hammered Sterling Band").click()
    assert page.locator("h1").inner_text() == "Hammered Sterling Band"
    strip = page.get_by_label("Production steps")
    assert strip.locator("li").count() == 3
    assert "100%" in page.locator("#how-made").locator("..").inner_text()
    assert "Recycled" in page.locator("#materials").locator("..").inner_text()
    assert serious_accessibility_violations(page) == []
    page.screenshot(path=f"/tmp/atelier-piece-{page.viewport_name}.png", full_page=True)

    page.get_by_role("link", name=f"Meet {catalog_rows['forged'].artisan.name}").click()
    assert page.locator("h1").inner_text() == catalog_rows["forged"].artisan.name
    assert serious_accessibility_violations(page) == []


def test_pages_do_not_scroll_sideways(live_server, page, catalog_rows):
    for path in ["/", "/pieces/", catalog_rows["forged"].get_absolute_url(), catalog_rows["cast"].get_absolute_url()]:
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {page.viewport_name}"


def test_filters_work_without_javascript(live_server, no_javascript_page, catalog_rows):
    page = no_javascript_page
    page.goto(f"{live_server.url}/pieces/")
    page.get_by_label("Earrings").check()
    page.get_by_role("button", name="Show pieces").click()
    assert "category=earrings" in page.url
    assert page.locator(".card h3").all_inner_texts() == ["Gold Hoop Earrings"]
