"""
A maker edits a piece in the studio at 390 and 1280 px: adds a material and a production step and
moves the step, all in place without saving (the page is not reloaded, a chosen photo stays
chosen); then changes the price and presses "Save and publish", and the published piece has the
new price. The same journey with JavaScript off: each row button reloads the form with the row
changed, keeping what was typed. axe-core and the sideways scroll are checked on each state.
"""

from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from artisans.tests.factories import ArtisanFactory
from artisans.tests.uploads import encoded
from catalog.choices import PieceStatus
from catalog.models import Piece
from catalog.tests.factories import (
    CategoryFactory,
    MaterialFactory,
    PieceFactory,
    PieceImageFactory,
    PieceMaterialFactory,
    ProductionStepFactory,
)

from .conftest import VIEWPORTS
from .test_maker_journey import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path("/tmp/helpers/pieceform")


def sign_in(page, live_server, user):
    """Give the page's browser context a session for `user` (signing in through the form is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    host = live_server.url.split("//")[1].split(":")[0]
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )


def checked(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{getattr(page, 'viewport_name', 'nojs')}.png"), full_page=True)
    assert_accessible(page, name)


@pytest.fixture
def draft():
    maker = ArtisanFactory(name="Oficina Ferro")
    MaterialFactory(name="Garnet", slug="garnet", kind="gemstone")
    piece = PieceFactory(
        artisan=maker,
        title="Douro ring",
        category=CategoryFactory(name="Rings", slug="rings"),
        status=PieceStatus.DRAFT,
        published_at=None,
    )
    ProductionStepFactory(piece=piece, step="design", done="by_hand", position=0)
    ProductionStepFactory(piece=piece, step="finishing", done="with_hand_tools", position=1)
    PieceMaterialFactory(piece=piece)
    PieceImageFactory(piece=piece, alt_text="The ring on a linen cloth")
    return piece


def step_order(page):
    return page.locator("[data-formset=steps] select[name$='-step']").evaluate_all("els => els.map(e => e.value)")


def test_a_maker_adds_and_moves_rows_in_place_and_publish_keeps_the_new_price(live_server, page, draft, tmp_path):
    sign_in(page, live_server, draft.artisan.user)
    page.goto(f"{live_server.url}/studio/pieces/{draft.pk}/")
    expect(page.locator(".publish-needs")).to_contain_text("Done: At least one material")
    checked(page, "piece-form")
    page.evaluate("window.notReloaded = true")

    # A material, added in place: the new row's first field has the focus.
    page.get_by_role("button", name="Add a material").click()
    expect(page.locator("select[name=materials-1-material]")).to_be_focused()
    page.select_option("select[name=materials-1-material]", label="Garnet")
    expect(page.locator("select[name=materials-1-material] option").first).to_have_text("Choose a material")

    # A photo chosen in a new row stays chosen while other rows come and go, previewed with its description.
    photo = tmp_path / "bench.jpg"
    photo.write_bytes(encoded("JPEG", size=(300, 300)))
    page.get_by_role("button", name="Add a photo").click()
    page.set_input_files("input[name=photos-1-image]", str(photo))
    page.fill("input[name=photos-1-alt_text]", "The bench with the ring")
    page.check("input[name=photos-1-is_process_photo]")
    page.get_by_role("button", name="Move photo 2 up").click()
    expect(page.locator("[data-formset=photos] legend").first).to_have_text("Photo 1")
    assert page.locator("input[name=photos-1-image]").evaluate("input => input.files.length") == 1
    expect(page.locator("[data-formset=photos] .formset__row").first.locator("img")).to_have_attribute(
        "alt", "The bench with the ring"
    )

    # A step, added and moved up between the two; the maker share follows.
    page.get_by_role("button", name="Add a step").click()
    expect(page.locator("select[name=steps-2-step]")).to_be_focused()
    page.select_option("select[name=steps-2-step]", "casting")
    page.select_option("select[name=steps-2-done]", "by_machine")
    expect(page.locator("[data-maker-share-value]")).to_have_text("67%")
    page.get_by_role("button", name="Move step 3 up").click()
    expect(page.get_by_role("button", name="Move step 2 up")).to_be_focused()
    assert step_order(page) == ["design", "casting", "finishing"]
    assert page.evaluate("window.notReloaded") is True
    checked(page, "piece-form-rows-added")
    assert Piece.objects.get(pk=draft.pk).materials.count() == 1  # nothing saved yet

    # The price changed on the page, then Publish: the published piece has it.
    page.fill("input[name=price]", "245")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator(".messages")).to_contain_text("“Douro ring” is published")
    piece = Piece.objects.get(pk=draft.pk)
    assert (piece.status, piece.price) == (PieceStatus.PUBLISHED, 245)
    assert [m.material.name for m in piece.materials.all()] == ["Silver", "Garnet"]
    assert list(piece.production_steps.values_list("step", flat=True)) == ["design", "casting", "finishing"]
    # The photos in the order the maker set, the new one (a process photo) saved with its file.
    assert [photo.alt_text for photo in piece.images.all()] == ["The bench with the ring", "The ring on a linen cloth"]
    assert piece.cover.alt_text == "The ring on a linen cloth"
    checked(page, "piece-form-published")


def test_the_rows_work_without_javascript(live_server, browser, draft):
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    page.viewport_name = "nojs"
    sign_in(page, live_server, draft.artisan.user)
    page.goto(f"{live_server.url}/studio/pieces/{draft.pk}/")
    page.fill("input[name=title]", "Douro ring, typed")
    page.get_by_role("button", name="Add a step").click()
    # The page came back with one more row, what was typed kept, and the new row focused.
    expect(page.locator("input[name=title]")).to_have_value("Douro ring, typed")
    expect(page.locator("select[name=steps-2-step]")).to_be_focused()
    page.select_option("select[name=steps-2-step]", "casting")
    page.select_option("select[name=steps-2-done]", "by_hand")
    page.get_by_role("button", name="Move step 3 up").click()
    # Without JavaScript the page comes back whole: wait for it before reading the order.
    expect(page.locator("[data-formset=steps] select[name$='-step']").nth(1)).to_have_value("casting")
    assert step_order(page) == ["design", "casting", "finishing"]
    page.get_by_role("button", name="Remove step 1").click()
    expect(page.locator(".formset__removed")).to_contain_text("will be removed when you save")
    # axe needs JavaScript: the same markup is checked with it on above; here the picture and the width.
    page.screenshot(path=str(SHOTS / "piece-form-nojs.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert Piece.objects.get(pk=draft.pk).title == "Douro ring"  # nothing saved yet
    page.fill("input[name=price]", "245")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator(".messages")).to_contain_text("is published")
    piece = Piece.objects.get(pk=draft.pk)
    assert (piece.title, piece.price, piece.status) == ("Douro ring, typed", 245, PieceStatus.PUBLISHED)
    assert list(piece.production_steps.values_list("step", flat=True)) == ["casting", "finishing"]
    context.close()
