"""The studio's import pages: upload, preview, confirm; hostile files; who may see which job."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.imports.forms import ERROR_ZIP_TOO_BIG
from catalog.imports.jobs import ERROR_ALREADY_STARTED
from catalog.imports.photos import ERROR_NOT_A_ZIP
from catalog.imports.sheets import ERROR_TOO_MANY_ROWS
from catalog.imports.tests.sheet_helpers import COMPLETE, COMPLETE_NO_PHOTO, csv_bytes, photo_bytes, zip_bytes
from catalog.models import ImportJob, ImportState, Piece, PieceMaterial
from catalog.studio.import_views import MESSAGE_NOTHING_TO_IMPORT, MESSAGE_STARTED
from catalog.tests.factories import PieceFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("studio:import")


@pytest.fixture
def maker(terms, client):
    artisan = ArtisanFactory(name="Owner's workshop")
    client.force_login(artisan.user)
    return artisan


def upload(client, rows=None, *, data=None, photos=None, name="pieces.csv"):
    files = {"file": SimpleUploadedFile(name, data if data is not None else csv_bytes(rows), "text/csv")}
    if photos is not None:
        files["photos"] = SimpleUploadedFile("photos.zip", photos, "application/zip")
    return client.post(IMPORT, files)


def detail(job):
    return reverse("studio:import_detail", args=[job.pk])


def test_the_import_page_offers_the_form_the_template_and_the_makers_imports(client, maker):
    ImportJob.objects.create(artisan=maker, format="atelier", csv_name="spring.csv", csv_bytes=b"")
    ImportJob.objects.create(artisan=ArtisanFactory(), format="atelier", csv_name="someone-elses.csv", csv_bytes=b"")
    html = client.get(IMPORT).content.decode()
    assert 'name="file"' in html and 'name="photos"' in html and 'enctype="multipart/form-data"' in html
    assert reverse("studio:import_template") in html and "production_method" in html  # the guide
    assert "spring.csv" in html and "someone-elses.csv" not in html


def test_an_upload_shows_a_preview_and_writes_no_piece(client, maker):
    PieceFactory(artisan=maker, sku="MINE-1", title="My old band")
    rows = [
        COMPLETE,
        {**COMPLETE_NO_PHOTO, "sku": "MINE-1"},
        {**COMPLETE_NO_PHOTO, "title": "Second", "price": "12,50 €"},
        {**COMPLETE_NO_PHOTO, "title": "Third", "material_1": "argent"},
    ]
    response = upload(client, rows, photos=zip_bytes({"band.png": photo_bytes()}))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == detail(job)
    assert job.state == ImportState.PREVIEWED and job.rows_total == 4
    assert Piece.objects.count() == 1 and PieceMaterial.objects.count() == 0  # nothing written

    html = client.get(detail(job)).content.decode()
    assert "Preview: nothing is imported yet" in html
    assert "<strong>2</strong> new drafts" in html and "<strong>1</strong> of your piece updated" in html
    assert "<strong>1</strong> row with a problem to fix" in html
    assert "Confirm and import 3 pieces" in html
    assert "row 4, price: " in html and escape("'12,50 €' read as 12.50.") in html
    assert "row 5, material_1: " in html and escape("'argent': not") in html
    assert "Updates your piece “My old band”" in html
    assert "Rows with a problem to fix are skipped" in html


def test_the_preview_escapes_script_in_every_text_cell(client, maker):
    script = "<script>alert(1)</script>"
    row = {**COMPLETE_NO_PHOTO, "sku": script, "description": script, "title": script, "material_1_origin": script}
    job_url = upload(client, [row], name=f"{script}.csv").url
    html = client.get(job_url).content.decode()
    assert script not in html
    assert escape(script) in html


def test_a_file_of_ten_thousand_rows_is_refused_with_the_limit_on_the_page(client, maker, settings):
    header = "title,category,price,availability\n"
    data = (header + "Ring,Rings,10,One of a kind\n" * 10_000).encode()
    response = upload(client, data=data)
    assert response.status_code == 400
    assert escape(ERROR_TOO_MANY_ROWS % {"limit": settings.IMPORT_MAX_ROWS}) in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("data", "kind"),
    [(b"", "empty"), (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "png"), (b"name;colour\nring;red\n", "unknown header")],
)
def test_a_file_that_is_no_spreadsheet_of_pieces_is_refused_with_a_message(client, maker, data, kind):
    response = upload(client, data=data)
    assert response.status_code == 400
    assert 'class="field__error"' in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_zip_that_is_not_a_zip_is_refused_with_its_message(client, maker):
    response = upload(client, [COMPLETE], photos=b"this is plain text, not a zip")
    assert response.status_code == 400
    assert escape(ERROR_NOT_A_ZIP) in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_zip_over_the_limit_is_refused_before_it_is_read(client, maker, settings):
    settings.IMPORT_MAX_ZIP_BYTES = 100
    response = upload(client, [COMPLETE], photos=zip_bytes({"band.png": photo_bytes()}))
    assert response.status_code == 400
    assert escape(ERROR_ZIP_TOO_BIG % {"limit": "100\xa0bytes"}) in response.content.decode()


def test_a_large_zip_streams_to_a_temporary_file_and_is_kept_whole(client, maker, settings, monkeypatch):
    from django.core.files.uploadedfile import TemporaryUploadedFile

    from catalog.imports import forms

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    seen = []
    real = forms.open_archive

    def spying(upload):
        seen.append(type(upload))
        return real(upload)

    monkeypatch.setattr(forms, "open_archive", spying)
    data = zip_bytes({"band.png": photo_bytes(), "padding.txt": b"x" * 4096})
    assert upload(client, [COMPLETE], photos=data).status_code == 302
    # Past FILE_UPLOAD_MAX_MEMORY_SIZE Django writes the upload to a temporary file, never to memory.
    assert seen == [TemporaryUploadedFile]
    job = ImportJob.objects.get()
    with job.photos.open("rb") as stored:
        assert stored.read() == data


def test_confirming_queues_the_job_once(client, maker):
    job_url = upload(client, [COMPLETE_NO_PHOTO]).url
    job = ImportJob.objects.get()
    confirm = reverse("studio:import_confirm", args=[job.pk])
    response = client.post(confirm, follow=True)
    job.refresh_from_db()
    assert job.state == ImportState.QUEUED
    assert MESSAGE_STARTED in response.content.decode()
    assert "Progress" in response.content.decode()  # the job's page shows its progress now
    # A second click is refused with the job's own words, and changes nothing.
    again = client.post(confirm, follow=True)
    assert again.redirect_chain[-1][0] == job_url
    assert escape(ERROR_ALREADY_STARTED) in again.content.decode()
    job.refresh_from_db()
    assert job.state == ImportState.QUEUED


def test_a_file_with_nothing_importable_offers_no_confirmation(client, maker):
    job_url = upload(client, [{**COMPLETE_NO_PHOTO, "price": "abc"}]).url
    html = client.get(job_url).content.decode()
    assert "Confirm and import" not in html and "No row of this file can be imported yet" in html
    job = ImportJob.objects.get()
    response = client.post(reverse("studio:import_confirm", args=[job.pk]), follow=True)
    assert MESSAGE_NOTHING_TO_IMPORT in response.content.decode()
    job.refresh_from_db()
    assert job.state == ImportState.PREVIEWED


def test_the_upload_and_the_confirmation_need_the_csrf_token(maker):
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(maker.user)
    refused = guarded.post(IMPORT, {"file": SimpleUploadedFile("p.csv", csv_bytes([COMPLETE_NO_PHOTO]))})
    assert refused.status_code == 403 and not ImportJob.objects.exists()
    job = ImportJob.objects.create(
        artisan=maker, format="atelier", csv_name="p.csv", csv_bytes=csv_bytes([COMPLETE_NO_PHOTO])
    )
    assert guarded.post(reverse("studio:import_confirm", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.state == ImportState.PREVIEWED


def test_uploads_past_the_hourly_limit_get_the_too_many_requests_page(client, maker, settings):
    settings.IMPORTS_PER_HOUR = 1
    assert upload(client, [COMPLETE_NO_PHOTO]).status_code == 302
    assert upload(client, [COMPLETE_NO_PHOTO]).status_code == 429
    assert ImportJob.objects.count() == 1


def test_a_pending_maker_previews_drafts_only(client, terms):
    pending = ArtisanFactory(status=ArtisanStatus.PENDING)
    client.force_login(pending.user)
    PieceFactory(artisan=pending, sku="PUB-1")
    html = client.get(upload(client, [{**COMPLETE_NO_PHOTO, "sku": "PUB-1"}, COMPLETE_NO_PHOTO]).url).content.decode()
    assert "Confirm and import 1 piece<" in html and "waiting for approval" in html


def test_a_job_that_ran_shows_its_progress_and_the_drafts_link(client, maker):
    job = ImportJob.objects.create(
        artisan=maker,
        format="atelier",
        csv_name="p.csv",
        csv_bytes=b"",
        state=ImportState.DONE,
        rows_total=3,
        rows_done=3,
        pieces_created=3,
    )
    html = client.get(detail(job)).content.decode()
    assert "Preview" not in html and "3 of 3 rows" in html
    assert reverse("studio:dashboard") + "?details=needed" in html


# --- Who may see a job -------------------------------------------------------------------------


@pytest.fixture
def job(terms):
    owner = ArtisanFactory()
    return ImportJob.objects.create(
        artisan=owner,
        created_by=owner.user,
        format="atelier",
        csv_name="owners-file.csv",
        csv_bytes=csv_bytes([COMPLETE_NO_PHOTO]),
    )


def visitor(who, job):
    return {
        "owner": lambda: job.artisan.user,
        "another maker": lambda: ArtisanFactory().user,
        "shopper": UserFactory,
        "staff": StaffFactory,
        "anonymous": lambda: None,
    }[who]()


@pytest.mark.parametrize(
    ("method", "name"), [("GET", "studio:import_detail"), ("POST", "studio:import_confirm"), ("GET", "studio:import")]
)
@pytest.mark.parametrize("who", ["owner", "another maker", "shopper", "staff", "anonymous"])
def test_only_the_owner_reaches_their_import(client, job, method, name, who):
    user = visitor(who, job)
    if user:
        client.force_login(user)
    url = reverse(name, args=[job.pk]) if name != "studio:import" else reverse(name)
    response = client.post(url) if method == "POST" else client.get(url)
    job.refresh_from_db()
    if who == "owner":
        assert response.status_code in (200, 302)
        if name == "studio:import_confirm":
            assert job.state == ImportState.QUEUED
        else:
            assert "owners-file.csv" in response.content.decode()
        return
    assert job.state == ImportState.PREVIEWED  # nobody else started it
    if who == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    elif who in ("shopper", "staff"):
        # No maker profile: sent to apply (staff import for makers from the admin).
        assert response.status_code == 302 and response.url == reverse("studio:apply")
    elif name == "studio:import":
        assert response.status_code == 200 and "owners-file.csv" not in response.content.decode()
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("page", ["999999", "abc", "-1"])
def test_a_job_that_is_not_a_number_or_not_there_is_a_404(client, maker, page):
    assert client.get(f"/studio/import/{page}/").status_code == 404


# --- Queries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 20])
def test_the_preview_page_costs_the_same_queries_whatever_the_number_of_rows(
    client, maker, size, django_assert_max_num_queries
):
    for n in range(size):
        PieceFactory(artisan=maker, sku=f"S{n}")
    rows = [
        {**COMPLETE_NO_PHOTO, "sku": f"S{n}" if n % 2 else f"NEW{n}", "price": "abc" if n == 1 else "10"}
        for n in range(size)
    ]
    job_url = upload(client, rows).url
    # 15 at 2 rows as at 20: the request's savepoint and its release, session, user, maker, job, the
    # vocabularies the rows are read with (seven, once each), the maker's pieces matched and their photos
    with django_assert_max_num_queries(15):
        response = client.get(job_url)
    assert response.status_code == 200
