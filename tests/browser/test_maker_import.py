"""
A maker brings their catalog (issue 19), end to end in the browser: downloads Atelier's template,
fills three rows, uploads them with a zip of photos, reads the preview with one error (a metal we do
not know), fixes the file and uploads it again, confirms, and watches the progress while a real
worker of the task queue imports the rows; then opens the draft that needs details, completes its
checklist (how it is made), publishes it and finds it on /pieces/. axe-core and the sideways scroll
are checked on every page at phone and desktop widths.
"""

import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from artisans.tests.factories import ArtisanFactory
from catalog.choices import PieceStatus
from catalog.models import ImportJob, ImportState, Piece
from catalog.tests.factories import CategoryFactory, MaterialFactory, image_file

from .test_maker_journey import assert_accessible
from .test_request_journey import signed_in_page

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path("/tmp/helpers/imports")


def checked(page, name):
    """axe, no sideways scroll, and a full-page screenshot to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert_accessible(page, f"import-{name}")
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_name}.png"), full_page=True)


def piece_row(title, photo, *, metal="Sterling silver", method="Handcrafted"):
    return {
        "title": title,
        "category": "Rings",
        "price": "180.00",
        "availability": "One of a kind",
        "production_method": method,
        "material_1": metal,
        "material_1_purity": "925",
        "material_1_origin": "Recycled in Porto",
        "step_1": "Fabrication and soldering",
        "step_1_done": "By hand",
        "photo_1": photo,
        "photo_1_alt": f"{title} on a linen cloth",
    }


def filled(template: bytes, rows) -> dict:
    """The template's own header, with the rows under it: a file as a maker would save it."""
    header = next(csv.reader(io.StringIO(template.decode("utf-8-sig"))))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header)
    writer.writeheader()
    for row in rows:
        assert set(row) <= set(header), set(row) - set(header)
        writer.writerow(row)
    return {"name": "my-pieces.csv", "mimeType": "text/csv", "buffer": buffer.getvalue().encode()}


def photos_zip(names) -> dict:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n, name in enumerate(names):
            archive.writestr(name, image_file(colour=(120 + 40 * n, 150, 90)).read())
    return {"name": "photos.zip", "mimeType": "application/zip", "buffer": buffer.getvalue()}


def upload(page, csv_file, zip_file):
    page.locator("input[name=file]").set_input_files(csv_file)
    page.locator("input[name=photos]").set_input_files(zip_file)
    page.get_by_role("button", name="Preview the import").click()
    page.wait_for_load_state()


def test_a_maker_imports_three_pieces_fixes_one_and_publishes_a_draft(live_server, browser, page):
    CategoryFactory(name="Rings", slug="rings")
    MaterialFactory(name="Sterling silver", slug="sterling-silver")
    maker = ArtisanFactory(name="Oficina Ferro")
    studio = signed_in_page(browser, live_server, maker.user, page.viewport_name)

    # The template, downloaded from the import page.
    studio.goto(f"{live_server.url}/studio/import/")
    checked(studio, "page")
    with studio.expect_download() as download:
        studio.get_by_role("link", name="Download the template (CSV)").click()
    template = Path(download.value.path()).read_bytes()

    # Three rows: the third names a metal we do not know; the second does not say how it is made.
    rows = [
        piece_row("Hammered band", "band.png"),
        piece_row("Oval signet", "signet.png", method=""),
        piece_row("Twisted ring", "twisted.png", metal="argent"),
    ]
    photos = photos_zip(["band.png", "signet.png", "twisted.png"])
    upload(studio, filled(template, rows), photos)
    problems = studio.get_by_role("region", name="Problems and notes")
    expect(problems).to_contain_text("argent")
    expect(studio.get_by_role("heading", name="Preview: nothing is imported yet")).to_be_visible()
    assert not Piece.objects.exists()
    checked(studio, "preview-error")

    # Fixed in the file, uploaded again: nothing blocks the three rows.
    rows[2]["material_1"] = "Sterling silver"
    studio.goto(f"{live_server.url}/studio/import/")
    upload(studio, filled(template, rows), photos)
    confirm = studio.get_by_role("button", name="Confirm and import 3 pieces")
    expect(confirm).to_be_visible()
    checked(studio, "preview")
    confirm.click()
    studio.wait_for_load_state()
    job = ImportJob.objects.order_by("-pk").first()
    assert job.state == ImportState.QUEUED
    checked(studio, "queued")

    # A worker of the task queue runs the job; the page follows it without being reloaded.
    call_command("db_worker", "--batch", "--interval", "0")
    job.refresh_from_db()
    assert job.state == ImportState.DONE and job.pieces_created == 3
    expect(studio.locator("main")).to_contain_text("Done", timeout=15_000)
    checked(studio, "done")
    assert set(Piece.objects.values_list("status", flat=True)) == {PieceStatus.DRAFT}

    # The draft that needs details: how it is made; then published, and on /pieces/.
    studio.goto(f"{live_server.url}/studio/?details=needed")
    checked(studio, "needs-details")
    signet = Piece.objects.get(title="Oval signet")
    studio.goto(f"{live_server.url}/studio/pieces/{signet.pk}/")
    expect(studio.get_by_role("region", name="What publishing needs")).to_contain_text("Missing")
    checked(studio, "draft-checklist")
    method = studio.locator("[name=production_method]")
    if method.first.evaluate("element => element.tagName") == "SELECT":
        method.select_option("handcrafted")
    else:
        studio.locator("input[name=production_method][value=handcrafted]").check()
    studio.get_by_role("button", name="Save and publish").click()
    studio.wait_for_load_state()
    signet.refresh_from_db()
    assert signet.status == PieceStatus.PUBLISHED
    studio.goto(f"{live_server.url}/pieces/")
    expect(studio.locator(".card").filter(has_text="Oval signet")).to_be_visible()
    checked(studio, "listed")
