"""Writing one row of an import: a whole draft or nothing, once per job, only ever the maker's own pieces."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory
from catalog.choices import Availability, EvidenceLevel, PieceStatus
from catalog.imports.photos import PhotoRefused, open_archive
from catalog.imports.tests.sheet_helpers import COMPLETE, COMPLETE_NO_PHOTO, drafts, photo_bytes, zip_bytes
from catalog.imports.write import ERROR_NO_PHOTO_SOURCE, ERROR_PUBLISHED_PENDING, RowRefused, import_row_write
from catalog.models import (
    ImportedRow,
    ImportJob,
    PersonalizationOption,
    Piece,
    PieceImage,
    PieceMaterial,
    ProductionStep,
)
from catalog.models.pieces import ERROR_ONE_OF_A_KIND_VARIATION
from catalog.services import piece_checklist
from catalog.tests.factories import PieceFactory, PieceImageFactory, PieceMaterialFactory
from catalog.versions import catalog_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def maker(terms):
    return ArtisanFactory()


def job_of(artisan):
    return ImportJob.objects.create(
        artisan=artisan, created_by=artisan.user, format="atelier", csv_name="p.csv", csv_bytes=b""
    )


def archive_of(files):
    return open_archive(io.BytesIO(zip_bytes(files)))


def stored_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def write(maker, row, files=None, *, job=None):
    job = job or job_of(maker)
    archive = archive_of(files) if files is not None else None
    return import_row_write(job=job, row=drafts([row])[0], archive=archive, actor=maker.user)


def test_a_row_makes_a_draft_with_its_steps_materials_and_photos(maker):
    imported = write(maker, {**COMPLETE, "sku": "BAND-1"}, {"band.png": photo_bytes()})
    piece = Piece.objects.get()
    assert imported.piece == piece and imported.created
    assert (piece.title, piece.sku, piece.status, piece.artisan) == (
        "Hammered silver band",
        "BAND-1",
        PieceStatus.DRAFT,
        maker,
    )
    assert piece.slug == "hammered-silver-band"
    assert [(m.material.slug, m.purity, m.origin) for m in piece.materials.all()] == [
        ("sterling-silver", "925", "Recycled in Porto")
    ]
    assert [(s.step, s.done) for s in piece.production_steps.all()] == [("fabrication", "by_hand")]
    (photo,) = piece.images.all()
    assert photo.alt_text == "The band on a linen cloth" and photo.width == 40
    # Steps recorded make the claim "documented", as a studio save does; the checklist is empty.
    assert piece.evidence_level == EvidenceLevel.DOCUMENTED
    assert piece_checklist(Piece.objects.get()) == []


def test_a_row_written_twice_for_one_job_makes_one_piece(maker):
    job = job_of(maker)
    row = drafts([COMPLETE_NO_PHOTO])[0]
    first = import_row_write(job=job, row=row, archive=None, actor=maker.user)
    again = import_row_write(job=job, row=row, archive=None, actor=maker.user)
    assert first.pk == again.pk
    assert Piece.objects.count() == 1 and ImportedRow.objects.count() == 1


def test_a_row_whose_third_photo_is_not_an_image_leaves_no_piece_no_row_and_no_file(maker):
    row = {
        **COMPLETE,
        "photo_2": "side.png",
        "photo_2_alt": "The band from the side",
        "photo_3": "fake.png",
        "photo_3_alt": "Not a photo at all",
    }
    files = {"band.png": photo_bytes(), "side.png": photo_bytes((10, 20, 30)), "fake.png": b"<script>alert(1)</script>"}
    with pytest.raises(PhotoRefused):
        write(maker, row, files)
    assert not Piece.objects.exists()
    assert not PieceMaterial.objects.exists() and not ProductionStep.objects.exists()
    assert not PieceImage.objects.exists() and not ImportedRow.objects.exists()
    # The two good photos were stored before the third failed: deleted with the rollback.
    assert stored_files() == []


def test_a_row_refused_by_a_rule_across_fields_writes_nothing(maker):
    row = {**COMPLETE_NO_PHOTO, "availability": "One of a kind", "variation_note": "Stones vary"}
    with pytest.raises(ValidationError) as refused:
        write(maker, row)
    assert ERROR_ONE_OF_A_KIND_VARIATION in refused.value.messages
    assert not Piece.objects.exists() and not ImportedRow.objects.exists()


def test_a_sku_of_another_makers_piece_makes_a_new_piece_of_this_maker(maker):
    theirs = PieceFactory(sku="BAND-1", title="Their band", price=99)
    write(maker, {**COMPLETE_NO_PHOTO, "sku": "BAND-1"})
    theirs.refresh_from_db()
    assert (theirs.title, theirs.price) == ("Their band", 99)
    mine = Piece.objects.get(artisan=maker)
    assert mine.sku == "BAND-1" and mine.pk != theirs.pk and mine.status == PieceStatus.DRAFT


def test_a_row_with_the_sku_of_the_makers_piece_updates_it_and_replaces_its_lists(
    maker, django_capture_on_commit_callbacks
):
    piece = PieceFactory(artisan=maker, sku="BAND-1", title="Old title", price=50, status=PieceStatus.PUBLISHED)
    PieceMaterialFactory(piece=piece)
    old_photo = PieceImageFactory(piece=piece)
    old_file = old_photo.image.name
    with django_capture_on_commit_callbacks(execute=True):
        imported = write(maker, {**COMPLETE, "sku": "BAND-1", "price": "210"}, {"band.png": photo_bytes()})
    piece.refresh_from_db()
    assert not imported.created and imported.piece == piece
    assert (piece.title, piece.price, piece.status) == ("Hammered silver band", 210, PieceStatus.PUBLISHED)
    assert [m.origin for m in piece.materials.all()] == ["Recycled in Porto"]
    assert [p.alt_text for p in piece.images.all()] == ["The band on a linen cloth"]
    # The replaced photo's file is gone once the row committed; the new one is kept.
    files = stored_files()
    assert old_file not in files and not any(Path(old_file).stem in name for name in files)
    assert piece.images.get().image.name in files


def test_a_photo_the_piece_already_has_is_kept_without_a_zip(maker):
    piece = PieceFactory(artisan=maker, sku="BAND-1")
    photo = PieceImageFactory(piece=piece, alt_text="Old words")
    name = Path(photo.image.name).name
    write(maker, {**COMPLETE, "sku": "BAND-1", "photo_1": name, "photo_1_alt": "New words"})
    kept = piece.images.get()
    assert kept.pk == photo.pk and kept.alt_text == "New words" and kept.image.name == photo.image.name


def test_lists_the_row_leaves_empty_keep_the_pieces_own(maker):
    piece = PieceFactory(artisan=maker, sku="BAND-1")
    PieceMaterialFactory(piece=piece, origin="Bolivia")
    write(
        maker,
        {"title": "Renamed", "category": "Rings", "price": "10", "availability": "One of a kind", "sku": "BAND-1"},
    )
    assert [m.origin for m in Piece.objects.get(pk=piece.pk).materials.all()] == ["Bolivia"]


def test_a_pending_maker_cannot_change_a_published_piece(terms):
    pending = ArtisanFactory(status=ArtisanStatus.PENDING)
    piece = PieceFactory(artisan=pending, sku="BAND-1", title="Published by staff")
    with pytest.raises(RowRefused) as refused:
        write(pending, {**COMPLETE_NO_PHOTO, "sku": "BAND-1"})
    assert refused.value.messages == [ERROR_PUBLISHED_PENDING % {"title": "Published by staff"}]
    piece.refresh_from_db()
    assert piece.title == "Published by staff"


def test_a_pending_makers_new_rows_are_drafts(terms):
    pending = ArtisanFactory(status=ArtisanStatus.PENDING)
    write(pending, COMPLETE_NO_PHOTO)
    assert Piece.objects.get().status == PieceStatus.DRAFT


def test_a_photo_given_by_address_is_refused_while_fetching_is_off(maker, settings):
    settings.IMPORT_FETCH_PHOTOS = False
    with pytest.raises(PhotoRefused) as refused:
        write(maker, {**COMPLETE, "photo_1": "https://example.com/img/band.png"})
    assert refused.value.message == ERROR_NO_PHOTO_SOURCE % {"name": "band.png"}
    assert not Piece.objects.exists()


def test_a_row_with_a_blocking_problem_is_refused_whole(maker):
    with pytest.raises(RowRefused):
        write(maker, {**COMPLETE_NO_PHOTO, "price": "abc"})
    assert not Piece.objects.exists()


def test_writing_a_row_moves_the_catalog_version_on(maker):
    before = catalog_version()
    write(maker, COMPLETE_NO_PHOTO)
    assert catalog_version() > before


def test_a_row_without_a_method_makes_a_draft_whose_checklist_asks_for_it(maker):
    row = {key: value for key, value in COMPLETE_NO_PHOTO.items() if key != "production_method"}
    write(maker, {**row, "availability": Availability.ONE_OF_A_KIND})
    piece = Piece.objects.get()
    assert piece.production_method == ""
    assert [item.code for item in piece_checklist(piece)] == ["method", "photo", "alt_text"]


def test_options_are_written_with_the_piece(maker):
    write(maker, {**COMPLETE_NO_PHOTO, "option_1": "Engraving", "option_1_max_characters": "12"})
    assert [(o.kind, o.max_characters) for o in PersonalizationOption.objects.all()] == [("engraving", 12)]


def test_a_row_that_says_what_the_piece_already_says_changes_nothing(maker):
    row = {**COMPLETE, "sku": "BAND-1", "labor_hours": "4.5", "styles": "Minimal"}
    write(maker, row, {"band.png": photo_bytes()})
    piece = Piece.objects.get()
    name = Path(piece.images.get().image.name).name
    Piece.objects.filter(pk=piece.pk).update(evidence_level=EvidenceLevel.STAFF_VERIFIED)
    before = (
        Piece.objects.values().get(),
        list(PieceMaterial.objects.values()),
        list(ProductionStep.objects.values()),
        list(PieceImage.objects.values()),
    )
    write(maker, {**row, "photo_1": name})
    after = (
        Piece.objects.values().get(),
        list(PieceMaterial.objects.values()),
        list(ProductionStep.objects.values()),
        list(PieceImage.objects.values()),
    )
    # Same rows, same ids, same dates: and staff's evidence level stands, since nothing about the making changed.
    assert after == before
