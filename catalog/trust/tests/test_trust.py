"""Evidence levels and the review queue: set, raised only by staff, dropped on change; decisions and appeals."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from artisans.tests.factories import StaffFactory, UserFactory
from catalog.choices import EvidenceLevel, ReviewReason, ReviewState, TrustAction
from catalog.models import CopyFlag, MakerCertification, Review, TrustEvent
from catalog.tests.factories import (
    CertificationFactory,
    CopyFlagFactory,
    PieceFactory,
    PieceMaterialFactory,
    PieceReportFactory,
    ReviewFactory,
)
from catalog.trust.services import (
    ERROR_ALREADY_DECIDED,
    ERROR_ALREADY_REPORTED,
    ERROR_APPEAL_EMPTY,
    ERROR_APPEAL_ONCE,
    ERROR_EVIDENCE_STAFF_ONLY,
    ERROR_FLAGGED,
    ERROR_NOT_YOUR_REVIEW,
    ERROR_NOTE_REQUIRED,
    ERROR_REPORT_OWN_PIECE,
    ERROR_STAFF_ONLY,
    claims_open_for_review,
    copy_flags_clear,
    piece_evidence_drop,
    piece_raise_evidence,
    piece_report,
    review_appeal,
    review_decide,
    review_open,
)

pytestmark = pytest.mark.django_db


def actions_of(piece):
    return list(TrustEvent.objects.filter(piece=piece).order_by("created_at", "id").values_list("action", flat=True))


def rejected(review=None, note="The process photos show another piece."):
    review = review or ReviewFactory()
    return review_decide(review=review, approve=False, note=note, actor=StaffFactory())


# --- Evidence levels ------------------------------------------------------------------


def test_only_staff_raise_a_level_above_documented():
    piece = PieceFactory(evidence_level=EvidenceLevel.DOCUMENTED)
    with pytest.raises(PermissionDenied, match=ERROR_EVIDENCE_STAFF_ONLY):
        piece_raise_evidence(piece=piece, level=EvidenceLevel.STAFF_VERIFIED, actor=piece.artisan.user)
    piece.refresh_from_db()
    assert piece.evidence_level == EvidenceLevel.DOCUMENTED


def test_raising_records_who_when_and_an_audit_entry():
    staff = StaffFactory()
    piece = PieceFactory()
    piece_raise_evidence(piece=piece, level=EvidenceLevel.STUDIO_VISITED, actor=staff)
    piece.refresh_from_db()
    assert (piece.evidence_level, piece.evidence_raised_by) == (EvidenceLevel.STUDIO_VISITED, staff)
    event = TrustEvent.objects.get(piece=piece)
    assert (event.action, event.actor, event.note) == (TrustAction.EVIDENCE_RAISED, staff, "Studio visited")


def test_a_flagged_piece_cannot_be_staff_verified_until_staff_clear_the_flag():
    staff = StaffFactory()
    flag = CopyFlagFactory()
    with pytest.raises(ValidationError, match=ERROR_FLAGGED):
        piece_raise_evidence(piece=flag.piece, level=EvidenceLevel.STAFF_VERIFIED, actor=staff)
    assert copy_flags_clear(piece=flag.piece, actor=staff, note="Her own photos, also sold on her site.") == 1
    piece_raise_evidence(piece=flag.piece, level=EvidenceLevel.STAFF_VERIFIED, actor=staff)
    assert TrustAction.FLAGS_CLEARED in actions_of(flag.piece)


def test_only_staff_clear_copy_flags():
    flag = CopyFlagFactory()
    with pytest.raises(PermissionDenied, match=ERROR_STAFF_ONLY):
        copy_flags_clear(piece=flag.piece, actor=flag.piece.artisan.user)
    assert CopyFlag.objects.filter(cleared_at__isnull=True).count() == 1


def test_dropping_back_to_documented_notes_it_in_the_history_and_queues_the_piece():
    piece = PieceFactory()
    piece_raise_evidence(piece=piece, level=EvidenceLevel.STAFF_VERIFIED, actor=StaffFactory())
    assert piece_evidence_drop(piece=piece, actor=piece.artisan.user)
    piece.refresh_from_db()
    assert piece.evidence_level == EvidenceLevel.DOCUMENTED and piece.evidence_raised_by is None
    drop = TrustEvent.objects.get(piece=piece, action=TrustAction.EVIDENCE_DROPPED)
    assert "Verified by staff" in drop.note
    assert Review.objects.waiting().get(piece=piece).reason == ReviewReason.CLAIM


def test_a_maker_level_is_not_dropped():
    piece = PieceFactory(evidence_level=EvidenceLevel.DOCUMENTED)
    assert not piece_evidence_drop(piece=piece)
    assert not TrustEvent.objects.exists()


# --- The queue --------------------------------------------------------------------------


def test_a_subject_waits_in_the_queue_once():
    piece = PieceFactory()
    first = review_open(reason=ReviewReason.CLAIM, piece=piece)
    again = review_open(reason=ReviewReason.REPORT, piece=piece)
    assert first == again and Review.objects.count() == 1
    assert actions_of(piece) == [TrustAction.OPENED]


def test_certification_claims_with_a_number_are_queued_and_bare_ones_are_not():
    numbered = PieceMaterialFactory(certification=CertificationFactory(), certificate_number="FM-2291")
    bare = PieceMaterialFactory(certification=CertificationFactory(slug="fairtrade", name="Fairtrade Gold"))
    claims_open_for_review(claims=[numbered, bare])
    assert list(Review.objects.values_list("material_claim", flat=True)) == [numbered.pk]


def test_approving_a_piece_makes_it_staff_verified_and_emails_the_maker(django_capture_on_commit_callbacks):
    staff = StaffFactory()
    review = ReviewFactory()
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(review=review, approve=True, note="Convincing bench photos.", actor=staff)
    review.piece.refresh_from_db()
    assert review.piece.evidence_level == EvidenceLevel.STAFF_VERIFIED
    assert review.piece.evidence_raised_by == staff
    (email,) = mail.outbox
    assert email.to == [review.artisan.user.email]
    assert "Convincing bench photos." in email.body and "approved" in email.subject
    assert "Convincing bench photos." in email.alternatives[0][0]
    event = TrustEvent.objects.get(review=review, action=TrustAction.APPROVED)
    assert (event.actor, event.note) == (staff, "Convincing bench photos.")


def test_approving_a_flagged_piece_is_refused_and_changes_nothing():
    flag = CopyFlagFactory()
    review = ReviewFactory(piece=flag.piece)
    with pytest.raises(ValidationError, match=ERROR_FLAGGED):
        review_decide(review=review, approve=True, note="", actor=StaffFactory())
    review.refresh_from_db()
    assert review.state == ReviewState.WAITING
    assert not TrustEvent.objects.filter(action=TrustAction.APPROVED).exists()


def test_rejecting_needs_a_note_for_the_maker():
    review = ReviewFactory()
    with pytest.raises(ValidationError, match=ERROR_NOTE_REQUIRED):
        review_decide(review=review, approve=False, note="   ", actor=StaffFactory())
    review.refresh_from_db()
    assert review.state == ReviewState.WAITING


def test_rejecting_a_verified_piece_takes_it_back_to_the_makers_statement_and_emails_the_maker(
    django_capture_on_commit_callbacks,
):
    piece = PieceFactory()
    piece_raise_evidence(piece=piece, level=EvidenceLevel.STAFF_VERIFIED, actor=StaffFactory())
    with django_capture_on_commit_callbacks(execute=True):
        review = rejected(ReviewFactory(piece=piece), note="The casting marks show a factory mold.")
    piece.refresh_from_db()
    assert piece.evidence_level == EvidenceLevel.SELF_DECLARED and piece.evidence_raised_by is None
    assert review.can_appeal
    (email,) = mail.outbox
    assert "The casting marks show a factory mold." in email.body
    assert "appeal" in email.body


def test_only_staff_decide():
    review = ReviewFactory()
    for who in (review.artisan.user, UserFactory()):
        with pytest.raises(PermissionDenied, match=ERROR_STAFF_ONLY):
            review_decide(review=review, approve=True, note="", actor=who)
    review.refresh_from_db()
    assert review.state == ReviewState.WAITING


def test_a_decided_item_cannot_be_decided_again():
    review = rejected()
    with pytest.raises(ValidationError, match=ERROR_ALREADY_DECIDED):
        review_decide(review=review, approve=True, note="", actor=StaffFactory())


def test_approving_a_certification_claim_verifies_it_and_rejecting_unverifies_it():
    claim = PieceMaterialFactory(certification=CertificationFactory(), certificate_number="FM-1")
    review = review_open(reason=ReviewReason.CERTIFICATION, material_claim=claim)
    review_decide(review=review, approve=True, note="", actor=StaffFactory())
    claim.refresh_from_db()
    assert claim.is_verified
    again = review_open(reason=ReviewReason.CERTIFICATION, material_claim=claim)
    review_decide(review=again, approve=False, note="The number belongs to another mine.", actor=StaffFactory())
    claim.refresh_from_db()
    assert not claim.is_verified


@pytest.mark.parametrize("on", ["material", "maker"])
def test_a_claim_decided_in_the_queue_counts_in_the_listing_at_once(on, client, django_capture_on_commit_callbacks):
    certification = CertificationFactory(slug="fairmined")
    piece = PieceFactory()
    listed = reverse("catalog:piece_list") + "?certification=fairmined"
    if on == "material":
        claim = PieceMaterialFactory(piece=piece, certification=certification, certificate_number="FM-1")
        review = review_open(reason=ReviewReason.CERTIFICATION, material_claim=claim)
    else:
        claim = MakerCertification.objects.create(
            artisan=piece.artisan, certification=certification, certificate_number="FM-2"
        )
        review = review_open(reason=ReviewReason.CERTIFICATION, maker_claim=claim)
    assert piece.get_absolute_url() not in client.get(listed).content.decode()  # the listing's index is built

    with django_capture_on_commit_callbacks(execute=True):
        review_decide(review=review, approve=True, note="", actor=StaffFactory())
    assert piece.get_absolute_url() in client.get(listed).content.decode()

    again = review_open(reason=ReviewReason.CERTIFICATION, **{f"{on}_claim": claim})
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(review=again, approve=False, note="The number is another mine's.", actor=StaffFactory())
    assert piece.get_absolute_url() not in client.get(listed).content.decode()


# --- Appeals ------------------------------------------------------------------------------


def test_a_rejected_maker_appeals_once_and_the_appeal_goes_back_into_the_queue():
    review = rejected()
    appeal = review_appeal(review=review, actor=review.artisan.user, text="Here is a video of the forging.")
    assert (appeal.state, appeal.reason, appeal.appeal_of) == (ReviewState.WAITING, ReviewReason.APPEAL, review)
    assert appeal.piece == review.piece
    assert TrustEvent.objects.filter(review=appeal, action=TrustAction.APPEALED).exists()
    review.refresh_from_db()
    with pytest.raises(ValidationError, match=ERROR_APPEAL_ONCE):
        review_appeal(review=review, actor=review.artisan.user, text="Once more.")


def test_a_rejected_appeal_is_final():
    review = rejected()
    appeal = rejected(review_appeal(review=review, actor=review.artisan.user, text="New photos."))
    assert not appeal.can_appeal
    with pytest.raises(ValidationError, match=ERROR_APPEAL_ONCE):
        review_appeal(review=appeal, actor=review.artisan.user, text="Again.")


def test_an_appeal_needs_new_evidence():
    review = rejected()
    with pytest.raises(ValidationError, match=ERROR_APPEAL_EMPTY):
        review_appeal(review=review, actor=review.artisan.user, text="  ")
    assert Review.objects.count() == 1


def test_only_the_maker_appeals_their_own_decision():
    review = rejected()
    for who in (UserFactory(), PieceFactory().artisan.user, StaffFactory()):
        with pytest.raises(PermissionDenied, match=ERROR_NOT_YOUR_REVIEW):
            review_appeal(review=review, actor=who, text="Mine now.")
    assert Review.objects.count() == 1


def test_an_approved_item_cannot_be_appealed():
    review = ReviewFactory()
    review_decide(review=review, approve=True, note="", actor=StaffFactory())
    with pytest.raises(ValidationError, match=ERROR_APPEAL_ONCE):
        review_appeal(review=review, actor=review.artisan.user, text="Why?")


# --- Reports --------------------------------------------------------------------------------


def test_a_report_joins_the_queue_and_the_reporter_hears_the_outcome(django_capture_on_commit_callbacks):
    shopper = UserFactory()
    piece = PieceFactory()
    report = piece_report(piece=piece, reporter=shopper, reason="copied_photos", details="Same photo on a bazaar.")
    review = Review.objects.waiting().get(piece=piece)
    assert report.review == review and review.reason == ReviewReason.REPORT
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(review=review, approve=False, note="The photos are a supplier's.", actor=StaffFactory())
    report.refresh_from_db()
    assert report.resolved_at is not None
    to_shopper = [email for email in mail.outbox if email.to == [shopper.email]]
    assert len(to_shopper) == 1 and "The photos are a supplier's." in to_shopper[0].body


def test_a_shopper_reports_a_piece_once_until_it_is_decided():
    shopper = UserFactory()
    piece = PieceFactory()
    PieceReportFactory(piece=piece, reporter=shopper)
    with pytest.raises(ValidationError, match=ERROR_ALREADY_REPORTED):
        piece_report(piece=piece, reporter=shopper, reason="materials")


def test_a_maker_cannot_report_their_own_piece():
    piece = PieceFactory()
    with pytest.raises(ValidationError, match=ERROR_REPORT_OWN_PIECE):
        piece_report(piece=piece, reporter=piece.artisan.user, reason="materials")


def test_verifying_claims_from_the_admin_list_is_an_approval_in_the_trail_and_closes_their_items():
    from catalog.models import PieceMaterial
    from catalog.trust.services import certification_claims_verify

    staff = StaffFactory()
    claim = PieceMaterialFactory(certification=CertificationFactory(name="Fairmined"), certificate_number="FM-7")
    review = review_open(reason=ReviewReason.CERTIFICATION, material_claim=claim)
    assert certification_claims_verify(claims=PieceMaterial.objects.filter(pk=claim.pk), actor=staff) == 1
    review.refresh_from_db()
    assert (review.state, review.decided_by) == (ReviewState.APPROVED, staff)
    event = TrustEvent.objects.get(action=TrustAction.APPROVED)
    assert (event.piece, event.actor, event.note) == (claim.piece, staff, "Certification verified: Fairmined")
