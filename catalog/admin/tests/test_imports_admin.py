"""
Staff's import for a maker (onboarding help): choose the maker, upload, read the preview, confirm;
through the studio's code, recorded in the maker's audit trail, the maker told by the same email.
Who may reach it, and the jobs' list.
"""

import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory, UserFactory
from catalog.admin.imports import MESSAGE_NOT_PREVIEWED, MESSAGE_NOTHING_TO_IMPORT, MESSAGE_STARTED
from catalog.choices import PieceStatus, TrustAction
from catalog.imports.columns import ERROR_UNKNOWN_HEADER
from catalog.models import ImportJob, ImportState, Piece, TrustEvent
from catalog.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:catalog_importjob_import")
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


def csv_file(rows=2, *, extra=""):
    body = "title,category,price,availability,sku\n"
    body += "".join(f"Ring {n},Rings,12.50,One of a kind,R{n}\n" for n in range(1, rows + 1)) + extra
    return SimpleUploadedFile("pieces.csv", body.encode(), "text/csv")


def preview_url(job):
    return reverse("admin:catalog_importjob_preview", args=[job.pk])


@pytest.fixture
def maker():
    CategoryFactory(name="Rings", slug="rings")
    return ArtisanFactory(user__email="maker@example.com")


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_jobs_list_offers_an_import_for_a_maker(client, staff):
    response = client.get(reverse("admin:catalog_importjob_changelist"))
    assert response.status_code == 200
    assert f'href="{IMPORT_URL}"' in response.content.decode()


def test_staff_upload_for_a_maker_makes_a_previewed_job_and_nothing_else(client, staff, maker):
    response = client.post(IMPORT_URL, {"artisan": maker.pk, "file": csv_file(2)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == preview_url(job)
    assert (job.artisan, job.created_by, job.state, job.rows_total) == (maker, staff, ImportState.PREVIEWED, 2)
    assert not Piece.objects.exists() and not TrustEvent.objects.exists()


def test_the_preview_shows_what_each_row_would_do_and_its_problems(client, staff, maker):
    client.post(IMPORT_URL, {"artisan": maker.pk, "file": csv_file(2, extra="Ring 9,Rings,abc,One of a kind,R9\n")})
    html = client.get(preview_url(ImportJob.objects.get())).content.decode()
    assert "<strong>2</strong> new drafts" in html
    assert "<strong>1</strong> row with a problem to fix" in html
    assert "To fix: row 4, price:" in html and "abc" in html
    assert f"Confirm and import 2 pieces for {maker.name}" in html


def test_confirming_starts_the_import_records_it_and_emails_the_maker(
    client, staff, maker, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    client.post(IMPORT_URL, {"artisan": maker.pk, "file": csv_file(2)})
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(preview_url(job))
    assert response.url == reverse("admin:catalog_importjob_change", args=[job.pk])
    assert messages_of(response) == [MESSAGE_STARTED % {"maker": maker.name}]
    job.refresh_from_db()
    assert job.state == ImportState.DONE
    assert list(Piece.objects.values_list("artisan", "status")) == [(maker.pk, PieceStatus.DRAFT)] * 2
    event = TrustEvent.objects.get()
    assert (event.artisan, event.actor, event.action) == (maker, staff, TrustAction.IMPORTED)
    # The same email as when the maker imports: to the maker, with the counts.
    (email,) = mail.outbox
    assert email.to == ["maker@example.com"] and "New pieces (drafts): 2" in email.body


def test_the_whole_path_works_with_csrf_checks(maker, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.post(IMPORT_URL, {"artisan": maker.pk, "file": csv_file(1)}).status_code == 403
    token = client.get(IMPORT_URL).cookies["csrftoken"].value
    response = client.post(IMPORT_URL, {"artisan": maker.pk, "file": csv_file(1), "csrfmiddlewaretoken": token})
    job = ImportJob.objects.get()
    assert client.post(preview_url(job)).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(preview_url(job), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Piece.objects.filter(artisan=maker).count() == 1


def test_a_pending_makers_import_makes_drafts_only(client, staff, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    CategoryFactory(name="Rings", slug="rings")
    pending = ArtisanFactory(status=ArtisanStatus.PENDING)
    client.post(IMPORT_URL, {"artisan": pending.pk, "file": csv_file(1)})
    job = ImportJob.objects.get()
    assert "not approved: drafts only" in client.get(preview_url(job)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(preview_url(job))
    assert list(Piece.objects.values_list("status", flat=True)) == [PieceStatus.DRAFT]


def test_a_file_that_is_not_an_import_is_refused_beside_its_field(client, staff, maker):
    bad = SimpleUploadedFile("pieces.csv", b"colour,size\nred,5\n", "text/csv")
    response = client.post(IMPORT_URL, {"artisan": maker.pk, "file": bad})
    assert response.status_code == 400
    expected = ERROR_UNKNOWN_HEADER % {"headers": "colour, size"}
    assert escape(expected) in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("artisan", ["", "abc", "999999", "<script>"])
def test_an_unknown_maker_is_refused(client, staff, artisan):
    response = client.post(IMPORT_URL, {"artisan": artisan, "file": csv_file(1)})
    assert response.status_code == 400
    assert not ImportJob.objects.exists()
    assert "<script>" not in response.content.decode().split("<body", 1)[1]


def test_a_refused_spreadsheet_closes_the_zip_that_came_with_it(client, staff, maker, monkeypatch):
    from catalog.imports import forms as import_forms

    closed = []
    real_open = import_forms.open_archive

    def spying_open(upload):
        archive = real_open(upload)
        original_close = archive.close
        archive.close = lambda: (closed.append(True), original_close())
        return archive

    monkeypatch.setattr(import_forms, "open_archive", spying_open)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "x")
    photos = SimpleUploadedFile("photos.zip", buffer.getvalue(), "application/zip")
    bad = SimpleUploadedFile("pieces.csv", b"", "text/csv")
    assert client.post(IMPORT_URL, {"artisan": maker.pk, "file": bad, "photos": photos}).status_code == 400
    assert closed == [True]


def test_a_file_with_no_importable_row_cannot_be_confirmed(client, staff, maker):
    bad_row = SimpleUploadedFile(
        "pieces.csv", b"title,category,price,availability,sku\nRing,Rings,abc,One of a kind,R1\n", "text/csv"
    )
    client.post(IMPORT_URL, {"artisan": maker.pk, "file": bad_row})
    job = ImportJob.objects.get()
    assert "Confirm and import" not in client.get(preview_url(job)).content.decode()
    response = client.post(preview_url(job))
    assert messages_of(response) == [MESSAGE_NOTHING_TO_IMPORT]
    assert ImportJob.objects.get().state == ImportState.PREVIEWED


def test_a_job_already_started_is_not_confirmed_twice(client, staff, maker):
    client.post(IMPORT_URL, {"artisan": maker.pk, "file": csv_file(1)})
    job = ImportJob.objects.get()
    client.post(preview_url(job))
    response = client.post(preview_url(job))
    assert response.url == reverse("admin:catalog_importjob_change", args=[job.pk])
    assert messages_of(response)[-1] == MESSAGE_NOT_PREVIEWED
    assert TrustEvent.objects.count() == 1


def test_the_jobs_page_shows_its_counts_and_problems(client, staff, maker):
    job = ImportJob.objects.create(
        artisan=maker,
        format="atelier",
        csv_name="pieces.csv",
        csv_bytes=b"",
        state=ImportState.DONE,
        rows_total=3,
        rows_done=3,
        pieces_created=2,
        rows_failed=1,
        problems=[
            {"row": 4, "column": "price", "message": "<script>x</script>"},
            {"row": 5, "column": "", "message": "Could not be written."},
            {"row": None, "column": "photos", "message": "“a/../b.jpg” was skipped."},
        ],
    )
    html = client.get(reverse("admin:catalog_importjob_change", args=[job.pk])).content.decode()
    assert "3 of 3" in html
    assert "<li>row 4, price: &lt;script&gt;x&lt;/script&gt;</li>" in html
    assert "<li>row 5: Could not be written.</li>" in html
    assert "<li>photos: “a/../b.jpg” was skipped.</li>" in html


@pytest.mark.parametrize("url_name", ["import", "preview"])
@pytest.mark.parametrize("who", ["anonymous", "shopper", "maker"])
def test_only_staff_reach_the_import_for_a_maker(client, maker, url_name, who):
    job = ImportJob.objects.create(artisan=maker, format="atelier", csv_name="a.csv", csv_bytes=b"")
    url = IMPORT_URL if url_name == "import" else preview_url(job)
    if who != "anonymous":
        client.force_login(UserFactory() if who == "shopper" else maker.user)
    for response in (client.get(url), client.post(url, {"artisan": maker.pk, "file": csv_file(1)})):
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    assert ImportJob.objects.get().state == ImportState.PREVIEWED and ImportJob.objects.count() == 1


def test_staff_who_may_not_add_pieces_may_not_import(client, maker):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_importjob"))
    client.force_login(viewer)
    assert client.get(reverse("admin:catalog_importjob_changelist")).status_code == 200
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"artisan": maker.pk, "file": csv_file(1)}).status_code == 403
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("jobs", [2, 20])
def test_the_jobs_list_costs_the_same_queries_whatever_the_number_of_jobs(
    client, staff, maker, jobs, django_assert_max_num_queries
):
    ImportJob.objects.bulk_create(
        ImportJob(artisan=maker, created_by=maker.user, format="atelier", csv_name=f"{n}.csv", csv_bytes=b"")
        for n in range(jobs)
    )
    # The request's savepoint and its release, the session, the user, the counts (filtered and all),
    # the page of jobs with their makers and uploaders joined, the date hierarchy's range and its days.
    with django_assert_max_num_queries(9):
        assert client.get(reverse("admin:catalog_importjob_changelist")).status_code == 200
