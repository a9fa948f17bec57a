"""The preview of an import: what each row would do, every problem with its row and column, nothing written."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory
from catalog.imports.photos import open_archive
from catalog.imports.plan import (
    CREATE,
    NOTE_FETCHED,
    PROBLEM_FETCH_OFF,
    PROBLEM_NO_ZIP,
    PROBLEM_NOT_IN_ZIP,
    PROBLEM_PUBLISHED_PENDING,
    UPDATE,
    import_job_preview,
    import_plan,
)
from catalog.imports.tests.sheet_helpers import COMPLETE, COMPLETE_NO_PHOTO, csv_bytes, drafts, photo_bytes, zip_bytes
from catalog.models import ImportedRow, ImportJob, ImportState, Piece, PieceImage, PieceMaterial
from catalog.models.pieces import ERROR_ONE_OF_A_KIND_VARIATION
from catalog.tests.factories import PieceFactory, PieceImageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def maker(terms):
    return ArtisanFactory()


def plan_of(maker, rows, files=None):
    archive = open_archive(io.BytesIO(zip_bytes(files))) if files is not None else None
    return import_plan(artisan=maker, rows=drafts(rows), archive=archive)


def messages(planned):
    return [str(problem) for problem in planned.problems]


def test_rows_are_sorted_into_new_drafts_updates_and_rows_to_fix(maker):
    PieceFactory(artisan=maker, sku="MINE-1", title="My old band")
    PieceFactory(sku="THEIRS-1")  # another maker's SKU: a new piece of this maker's
    plan = plan_of(
        maker,
        [
            {**COMPLETE_NO_PHOTO, "sku": "MINE-1"},
            {**COMPLETE_NO_PHOTO, "sku": "THEIRS-1"},
            {**COMPLETE_NO_PHOTO, "sku": ""},
            {**COMPLETE_NO_PHOTO, "price": "abc"},
        ],
    )
    assert [(row.number, row.action, row.blocked) for row in plan.rows] == [
        (2, UPDATE, False),
        (3, CREATE, False),
        (4, CREATE, False),
        (5, CREATE, True),
    ]
    assert plan.rows[0].piece.title == "My old band" and plan.rows[1].piece is None
    assert (len(plan.to_create), len(plan.to_update), len(plan.blocked)) == (2, 1, 1)


def test_problems_name_their_row_and_column_in_plain_words(maker):
    plan = plan_of(
        maker,
        [COMPLETE_NO_PHOTO, {**COMPLETE_NO_PHOTO, "price": "12,50 €"}, {**COMPLETE_NO_PHOTO, "material_1": "argent"}],
    )
    said = messages(plan)
    assert "row 3, price: '12,50 €' read as 12.50." in said
    (metal,) = [line for line in said if line.startswith("row 4, material_1: 'argent': not")]
    assert "Sterling silver" in metal  # the choices are listed
    # A note does not stop its row; an unknown metal does.
    assert [row.blocked for row in plan.rows] == [False, False, True]


def test_the_plan_writes_nothing(maker):
    before = (Piece.objects.count(), PieceMaterial.objects.count(), PieceImage.objects.count())
    plan = plan_of(maker, [COMPLETE, {**COMPLETE, "sku": "X"}], {"band.png": photo_bytes()})
    assert len(plan.importable) == 2
    assert (Piece.objects.count(), PieceMaterial.objects.count(), PieceImage.objects.count()) == before
    assert not ImportedRow.objects.exists()


def test_keeping_the_preview_stores_only_the_job_waiting_for_confirmation(maker):
    data = csv_bytes([COMPLETE])
    upload = SimpleUploadedFile("photos.zip", zip_bytes({"band.png": photo_bytes()}), "application/zip")
    job, plan = import_job_preview(
        artisan=maker,
        actor=maker.user,
        csv_name="pieces.csv",
        csv_bytes=data,
        format="atelier",
        rows=drafts([COMPLETE]),
        photos=upload,
        archive=open_archive(io.BytesIO(upload.read())),
    )
    job = ImportJob.objects.get()
    assert (job.state, job.rows_total, bytes(job.csv_bytes), job.created_by) == (
        ImportState.PREVIEWED,
        1,
        data,
        maker.user,
    )
    assert job.photos.name.startswith("imports/") and job.photos.size > 0
    assert not Piece.objects.exists()


@pytest.mark.parametrize(
    ("photo", "files", "fetching", "expected", "blocking"),
    [
        ("band.png", None, False, PROBLEM_NO_ZIP % {"name": "band.png"}, True),
        ("other.png", {"band.png": b"x"}, False, PROBLEM_NOT_IN_ZIP % {"name": "other.png"}, True),
        ("https://example.com/a/band.png", None, False, PROBLEM_FETCH_OFF % {"name": "band.png"}, True),
        ("https://example.com/a/band.png", None, True, NOTE_FETCHED % {"name": "band.png"}, False),
    ],
    ids=["no-zip", "not-in-zip", "address-fetching-off", "address-fetching-on"],
)
def test_a_photo_the_import_cannot_find_stops_its_row(maker, settings, photo, files, fetching, expected, blocking):
    settings.IMPORT_FETCH_PHOTOS = fetching
    plan = plan_of(maker, [{**COMPLETE, "photo_1": photo}], files)
    (problem,) = plan.rows[0].problems
    assert (problem.column, problem.message, problem.blocking) == ("photo_1", expected, blocking)
    assert plan.rows[0].blocked == blocking


def test_a_photo_in_the_zip_or_already_on_the_piece_is_no_problem(maker):
    piece = PieceFactory(artisan=maker, sku="MINE-1")
    kept = PieceImageFactory(piece=piece).image.name.rsplit("/", 1)[-1]
    plan = plan_of(
        maker,
        [COMPLETE, {**COMPLETE, "sku": "MINE-1", "photo_1": kept.upper()}],
        {"BAND.PNG": photo_bytes()},
    )
    assert [row.problems for row in plan.rows] == [[], []]


def test_a_rule_across_fields_stops_its_row_in_the_preview(maker):
    plan = plan_of(maker, [{**COMPLETE_NO_PHOTO, "variation_note": "Each stone differs"}])
    (problem,) = plan.rows[0].problems
    assert (problem.row, problem.column, problem.message, problem.blocking) == (
        2,
        "variation_note",
        ERROR_ONE_OF_A_KIND_VARIATION,
        True,
    )


def test_a_pending_maker_cannot_update_a_published_piece_but_may_make_drafts(terms):
    pending = ArtisanFactory(status=ArtisanStatus.PENDING)
    PieceFactory(artisan=pending, sku="PUB-1", title="Published by staff")
    PieceFactory(artisan=pending, sku="DRAFT-1", status="draft", published_at=None)
    plan = plan_of(
        pending,
        [{**COMPLETE_NO_PHOTO, "sku": "PUB-1"}, {**COMPLETE_NO_PHOTO, "sku": "DRAFT-1"}, COMPLETE_NO_PHOTO],
    )
    assert [row.blocked for row in plan.rows] == [True, False, False]
    assert plan.rows[0].problems[0].message == PROBLEM_PUBLISHED_PENDING % {"title": "Published by staff"}


def test_script_in_a_cell_is_kept_as_text(maker):
    plan = plan_of(maker, [{**COMPLETE_NO_PHOTO, "title": "<script>alert(1)</script>"}])
    assert plan.rows[0].title == "<script>alert(1)</script>" and not plan.rows[0].blocked


@pytest.mark.parametrize("size", [2, 20])
def test_the_plan_costs_the_same_queries_whatever_the_number_of_rows(maker, size):
    for n in range(size):
        PieceFactory(artisan=maker, sku=f"S{n}")
    rows = drafts([{**COMPLETE_NO_PHOTO, "sku": f"S{n}" if n % 2 else f"NEW{n}"} for n in range(size)])
    with CaptureQueriesContext(connection) as queries:
        plan = import_plan(artisan=maker, rows=rows)
    # The maker's pieces matched by SKU, and their photos: two queries for 2 rows as for 20.
    assert len(queries) == 2
    assert len(plan.to_update) == size // 2
