"""
The photo storage is down: a maker who sends their profile with a new process photo
sees the form again with the message, and staff uploading a portrait in the admin see
the friendly page; both axe-clean, neither scrolls sideways at 390 px.
"""

import pytest
from playwright.sync_api import expect

from artisans.tests.factories import ArtisanFactory, StaffFactory
from artisans.tests.uploads import encoded
from tests.test_storage_outage_units import MESSAGE, s3_storage

from .test_maker_journey import assert_accessible
from .test_piece_form import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def storage_down(settings):
    from marketplace.storage import ResilientS3Storage

    settings.STORAGES = {**settings.STORAGES, "default": s3_storage("http://127.0.0.1:1")}
    ResilientS3Storage.breaker.forget()
    yield
    ResilientS3Storage.breaker.forget()


@pytest.fixture
def bench_photo(tmp_path):
    path = tmp_path / "bench.jpg"
    path.write_bytes(encoded("JPEG", size=(600, 750)))
    return str(path)


def test_a_maker_whose_photo_cannot_be_stored_sees_the_form_again_with_the_message(
    live_server, page, storage_down, bench_photo
):
    maker = ArtisanFactory(name="Oficina Velha", statement="Silver, forged.", labor_practices="I work alone.")
    sign_in(page, live_server, maker.user)
    page.goto(f"{live_server.url}/studio/profile/")
    page.get_by_label("Name shoppers will see").fill("Oficina Nova")
    page.locator("input[name=photos-0-image]").set_input_files(bench_photo)
    page.locator("input[name=photos-0-alt_text]").fill("My bench")
    page.locator("main form button[type=submit]").last.click()
    expect(page.get_by_text(MESSAGE)).to_be_visible()
    page.screenshot(path=f"/tmp/helpers/deps/profile-refused-{page.viewport_name}.png", full_page=True)
    assert_accessible(page, "profile-refused")
    maker.refresh_from_db()
    assert maker.name == "Oficina Velha" and not maker.process_photos.exists()


def test_staff_whose_upload_cannot_be_stored_see_the_friendly_page(live_server, page, storage_down, bench_photo):
    maker = ArtisanFactory(name="Oficina Velha")
    sign_in(page, live_server, StaffFactory(is_superuser=True))
    page.goto(f"{live_server.url}/admin/artisans/artisan/{maker.pk}/change/")
    page.locator("input[name=portrait]").set_input_files(bench_photo)
    page.locator("input[name=_save]").click()
    expect(page.get_by_role("heading", name="Photos cannot be stored just now")).to_be_visible()
    expect(page.get_by_text(MESSAGE)).to_be_visible()
    page.screenshot(path=f"/tmp/helpers/deps/admin-refused-{page.viewport_name}.png", full_page=True)
    assert_accessible(page, "admin-refused")
    maker.refresh_from_db()
    assert not maker.portrait
