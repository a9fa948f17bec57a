"""The catalog's services: who may publish, hide, feature and verify, and what each records."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.choices import EvidenceLevel, PieceStatus
from catalog.models import MakerCertification, Piece, PieceMaterial
from catalog.services import (
    ERROR_HIDDEN_BY_STAFF,
    ERROR_INCOMPLETE,
    ERROR_MAKER_NOT_APPROVED,
    ERROR_NOT_YOUR_PIECE,
    NEEDS_MATERIAL,
    NEEDS_PHOTO,
    piece_publish,
    pieces_hide,
    pieces_publish,
    pieces_set_featured,
)
from catalog.tests.factories import CertificationFactory, PieceFactory, PieceImageFactory, PieceMaterialFactory
from catalog.trust.services import (
    ERROR_CURATION_STAFF_ONLY,
    ERROR_EVIDENCE_STAFF_ONLY,
    certification_claims_verify,
    piece_raise_evidence,
)

pytestmark = pytest.mark.django_db

FIRST_PUBLISHED = datetime(2024, 3, 1, tzinfo=UTC)


def draft(**kwargs):
    return PieceFactory(status=PieceStatus.DRAFT, published_at=None, **kwargs)


def own_maker(piece):
    return piece.artisan.user


def is_recent(moment):
    return timezone.now() - moment < timedelta(minutes=1)


# --- Publishing ------------------------------------------------------------------


def test_publishing_sets_the_status_and_the_publication_date():
    pieces = [draft(), draft()]
    assert pieces_publish(pieces=Piece.objects.all(), actor=StaffFactory()) == 2
    for piece in Piece.objects.all():
        assert piece.status == PieceStatus.PUBLISHED
        assert is_recent(piece.published_at)
    assert len(pieces) == 2


def test_publishing_again_keeps_the_first_publication_date():
    piece = PieceFactory(status=PieceStatus.HIDDEN, published_at=FIRST_PUBLISHED)
    piece_publish(piece=piece, actor=StaffFactory())
    assert (piece.status, piece.published_at) == (PieceStatus.PUBLISHED, FIRST_PUBLISHED)


def test_publishing_counts_only_the_pieces_that_changed():
    PieceFactory(published_at=FIRST_PUBLISHED)
    draft()
    assert pieces_publish(pieces=Piece.objects.all(), actor=StaffFactory()) == 1
    assert Piece.objects.get(published_at=FIRST_PUBLISHED)  # untouched


def test_a_piece_saved_as_published_without_a_date_gets_one():
    piece = PieceFactory(status=PieceStatus.PUBLISHED, published_at=None)
    piece_publish(piece=piece, actor=StaffFactory())
    assert is_recent(piece.published_at)


def test_staff_may_publish_a_piece_of_a_pending_maker_which_stays_off_the_public_site():
    piece = draft(artisan__status=ArtisanStatus.PENDING)
    piece_publish(piece=piece, actor=StaffFactory())
    assert piece.status == PieceStatus.PUBLISHED
    assert not Piece.objects.published().exists()


def test_an_approved_maker_may_publish_their_own_piece():
    piece = draft()
    PieceImageFactory(piece=piece)
    PieceMaterialFactory(piece=piece)
    piece_publish(piece=piece, actor=piece.artisan.user)
    assert piece.status == PieceStatus.PUBLISHED


@pytest.mark.parametrize("missing", ["photo", "material", "only-a-process-photo"])
def test_a_maker_cannot_publish_a_piece_without_a_photo_and_a_material(missing):
    piece = draft()
    if missing != "photo":
        PieceImageFactory(piece=piece, is_process_photo=missing == "only-a-process-photo")
    if missing != "material":
        PieceMaterialFactory(piece=piece)
    with pytest.raises(ValidationError) as refused:
        piece_publish(piece=piece, actor=piece.artisan.user)
    # The refusal says what the checklist says is missing, and only that.
    (message,) = refused.value.messages
    assert message.startswith(ERROR_INCOMPLETE)
    assert (NEEDS_MATERIAL in message) == (missing == "material")
    assert (NEEDS_PHOTO in message) == (missing != "material")
    assert Piece.objects.get(pk=piece.pk).status == PieceStatus.DRAFT


@pytest.mark.parametrize(
    ("make_piece", "actor_of", "error"),
    [
        (draft, lambda piece: ArtisanFactory().user, ERROR_NOT_YOUR_PIECE),
        (draft, lambda piece: UserFactory(), ERROR_NOT_YOUR_PIECE),
        (lambda: draft(artisan__status=ArtisanStatus.PENDING), own_maker, ERROR_MAKER_NOT_APPROVED),
        (lambda: draft(artisan__status=ArtisanStatus.SUSPENDED), own_maker, ERROR_MAKER_NOT_APPROVED),
        (lambda: PieceFactory(status=PieceStatus.HIDDEN), own_maker, ERROR_HIDDEN_BY_STAFF),
    ],
    ids=["another-makers-piece", "a-shoppers", "pending-maker", "suspended-maker", "hidden-by-staff"],
)
def test_publishing_is_refused_to_anyone_but_staff_and_the_approved_maker(make_piece, actor_of, error):
    piece = make_piece()
    status = piece.status
    with pytest.raises(PermissionDenied) as refused:
        piece_publish(piece=piece, actor=actor_of(piece))
    assert str(refused.value) == error
    assert Piece.objects.get(pk=piece.pk).status == status


def test_a_maker_publishing_a_batch_with_someone_elses_piece_publishes_none():
    own = draft()
    other = draft()
    with pytest.raises(PermissionDenied):
        pieces_publish(pieces=[own, other], actor=own.artisan.user)
    assert set(Piece.objects.values_list("status", flat=True)) == {PieceStatus.DRAFT}


# --- Hiding and featuring -----------------------------------------------------------


def test_hiding_takes_pieces_down():
    piece, kept = PieceFactory(), PieceFactory()
    assert pieces_hide(pieces=[piece], actor=StaffFactory()) == 1
    assert list(Piece.objects.published()) == [kept]


def test_featuring_and_unfeaturing_count_only_changes():
    featured = PieceFactory(featured=True)
    plain = PieceFactory()
    staff = StaffFactory()
    assert pieces_set_featured(pieces=Piece.objects.all(), featured=True, actor=staff) == 1
    assert pieces_set_featured(pieces=[featured], featured=False, actor=staff) == 1
    featured.refresh_from_db()
    plain.refresh_from_db()
    assert (featured.featured, plain.featured) == (False, True)


@pytest.mark.parametrize("service", ["hide", "feature"])
def test_only_active_staff_may_hide_or_feature(service):
    piece = PieceFactory()
    inactive_staff = StaffFactory(is_active=False)
    for actor in (piece.artisan.user, UserFactory(), inactive_staff):
        with pytest.raises(PermissionDenied) as refused:
            if service == "hide":
                pieces_hide(pieces=[piece], actor=actor)
            else:
                pieces_set_featured(pieces=[piece], featured=True, actor=actor)
        assert str(refused.value) == ERROR_CURATION_STAFF_ONLY
    piece.refresh_from_db()
    assert (piece.status, piece.featured) == (PieceStatus.PUBLISHED, False)


# --- Evidence -------------------------------------------------------------------


def test_staff_raising_the_evidence_level_records_who_and_when():
    piece = PieceFactory()
    staff = StaffFactory()
    piece_raise_evidence(piece=piece, level=EvidenceLevel.STUDIO_VISITED, actor=staff)
    piece.refresh_from_db()
    assert piece.evidence_level == EvidenceLevel.STUDIO_VISITED
    assert piece.evidence_raised_by == staff
    assert is_recent(piece.evidence_raised_at)


def test_a_maker_may_document_their_piece_but_not_verify_it():
    piece = PieceFactory()
    piece_raise_evidence(piece=piece, level=EvidenceLevel.DOCUMENTED, actor=piece.artisan.user)
    for level in (EvidenceLevel.STAFF_VERIFIED, EvidenceLevel.STUDIO_VISITED):
        with pytest.raises(PermissionDenied) as refused:
            piece_raise_evidence(piece=piece, level=level, actor=piece.artisan.user)
        assert str(refused.value) == ERROR_EVIDENCE_STAFF_ONLY
    assert Piece.objects.get(pk=piece.pk).evidence_level == EvidenceLevel.DOCUMENTED


def test_an_unknown_evidence_level_is_a_validation_error():
    piece = PieceFactory()
    with pytest.raises(ValidationError) as invalid:
        piece_raise_evidence(piece=piece, level="notarised", actor=StaffFactory())
    assert invalid.value.error_dict["evidence_level"][0].code == "unknown_evidence_level"


# --- Certification claims -----------------------------------------------------------


def test_staff_verify_maker_and_material_claims():
    certification = CertificationFactory()
    maker_claim = MakerCertification.objects.create(artisan=ArtisanFactory(), certification=certification)
    material_claim = PieceMaterialFactory(certification=certification)
    no_claim = PieceMaterialFactory(piece=material_claim.piece)
    staff = StaffFactory()

    assert certification_claims_verify(claims=MakerCertification.objects.all(), actor=staff) == 1
    assert certification_claims_verify(claims=PieceMaterial.objects.all(), actor=staff) == 1

    maker_claim.refresh_from_db()
    material_claim.refresh_from_db()
    no_claim.refresh_from_db()
    assert (maker_claim.is_verified, material_claim.is_verified, no_claim.is_verified) == (True, True, False)


def test_a_maker_cannot_verify_their_own_claims():
    claim = PieceMaterialFactory(certification=CertificationFactory())
    with pytest.raises(PermissionDenied) as refused:
        certification_claims_verify(claims=PieceMaterial.objects.all(), actor=claim.piece.artisan.user)
    assert str(refused.value) == ERROR_CURATION_STAFF_ONLY
    claim.refresh_from_db()
    assert not claim.is_verified
