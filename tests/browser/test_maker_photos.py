"""
A maker's process photos at 390 and 1280 px, on the profile and the application: a photo added in
place (the page is not reloaded, the chosen file previewed with its alt text), moved up, a saved one
marked for removal and kept, another removed; then saved in the order shown. The same rows without
JavaScript. axe-core and the sideways scroll are checked on each state.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from artisans.choices import ArtisanStatus
from artisans.models import ProcessPhoto
from artisans.tests.factories import ArtisanFactory
from artisans.tests.uploads import encoded, upload

from .test_maker_journey import assert_accessible
from .test_piece_form import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path("/tmp/helpers/processphotos")


def checked(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_name}.png"), full_page=True)
    assert_accessible(page, name)


def maker_with_photos(status):
    maker = ArtisanFactory(
        name="Oficina Ferro", status=status, statement="I forge every band.", labor_practices="I work alone."
    )
    for position, alt_text in enumerate(["The bench with saw and files", "Hands at the anvil"]):
        ProcessPhoto.objects.create(
            artisan=maker,
            image=upload(encoded("JPEG", size=(300, 300), colour=(90 + 60 * position, 70, 50)), "bench.jpg"),
            alt_text=alt_text,
            position=position,
        )
    return maker


def photo_order(page):
    return page.locator("[data-formset=photos] .formset__row input[name$='-alt_text']").evaluate_all(
        "els => els.map(e => e.value)"
    )


@pytest.mark.parametrize("where", ["profile", "apply"])
def test_a_maker_changes_process_photos_in_place_and_saves_them_in_order(live_server, page, tmp_path, where):
    status = ArtisanStatus.APPROVED if where == "profile" else ArtisanStatus.PENDING
    maker = maker_with_photos(status)
    sign_in(page, live_server, maker.user)
    url = f"{live_server.url}/studio/profile/" if where == "profile" else f"{live_server.url}/sell/apply/"
    page.goto(url)
    expect(page.locator("[data-formset=photos] img").first).to_have_attribute("alt", "The bench with saw and files")
    expect(page.locator("main")).not_to_contain_text("Position")
    expect(page.locator("main")).not_to_contain_text("Delete")
    checked(page, f"{where}-photos")
    page.evaluate("window.notReloaded = true")

    # A new photo, added in place, its file previewed with what it shows, then moved up to be first.
    new = tmp_path / "tools.jpg"
    new.write_bytes(encoded("JPEG", size=(300, 300), colour=(40, 120, 160)))
    page.get_by_role("button", name="Add a photo").click()
    expect(page.locator("input[name=photos-2-image]")).to_be_focused()
    page.fill("input[name=photos-2-alt_text]", "Files and gravers on the bench")
    page.set_input_files("input[name=photos-2-image]", str(new))
    page.get_by_role("button", name="Move photo 3 up").click()
    expect(page.get_by_role("button", name="Move photo 2 up")).to_be_focused()
    page.get_by_role("button", name="Move photo 2 up").click()
    expect(page.get_by_role("button", name="Move photo 1 down")).to_be_focused()
    assert photo_order(page) == ["Files and gravers on the bench", "The bench with saw and files", "Hands at the anvil"]
    assert page.locator("input[name=photos-2-image]").evaluate("input => input.files.length") == 1
    expect(page.locator("[data-formset=photos] .formset__row").first.locator("img")).to_have_attribute(
        "alt", "Files and gravers on the bench"
    )

    # A saved photo marked for removal, kept after all, and another removed.
    page.get_by_role("button", name="Remove photo 2").click()
    expect(page.locator(".formset__removed")).to_contain_text(
        "Photo “The bench with saw and files” will be removed when you save."
    )
    expect(page.get_by_role("button", name="Keep it")).to_be_focused()
    page.get_by_role("button", name="Keep it").click()
    expect(page.locator(".formset__removed")).to_have_count(0)
    expect(page.get_by_role("button", name="Remove photo 2")).to_be_focused()
    page.get_by_role("button", name="Remove photo 3").click()
    expect(page.locator(".formset__removed")).to_contain_text("Photo “Hands at the anvil” will be removed")
    assert page.evaluate("window.notReloaded") is True
    checked(page, f"{where}-photos-changed")
    assert ProcessPhoto.objects.filter(artisan=maker).count() == 2  # nothing saved yet

    page.get_by_role("button", name="Save my profile" if where == "profile" else "Send my application").click()
    expect(page.locator(".messages")).to_be_visible()
    saved = list(ProcessPhoto.objects.filter(artisan=maker).values_list("alt_text", flat=True))
    assert saved == ["Files and gravers on the bench", "The bench with saw and files"]


def test_the_process_photo_rows_work_without_javascript(live_server, no_javascript_page):
    page = no_javascript_page
    page.viewport_name = "nojs"
    maker = maker_with_photos(ArtisanStatus.APPROVED)
    sign_in(page, live_server, maker.user)
    page.goto(f"{live_server.url}/studio/profile/")
    page.fill("input[name=region]", "Braga")
    page.get_by_role("button", name="Move photo 2 up").click()
    # The page came back with the photos swapped, what was typed kept, nothing saved.
    expect(page.locator("input[name=region]")).to_have_value("Braga")
    assert photo_order(page) == ["Hands at the anvil", "The bench with saw and files"]
    page.get_by_role("button", name="Remove photo 2").click()
    expect(page.locator(".formset__removed")).to_contain_text("will be removed when you save")
    page.screenshot(path=str(SHOTS / "profile-photos-nojs.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.locator(".messages")).to_contain_text("Your profile is saved")
    maker.refresh_from_db()
    assert maker.region == "Braga"
    assert list(ProcessPhoto.objects.filter(artisan=maker).values_list("alt_text", flat=True)) == ["Hands at the anvil"]
