"""
What a rejection does to the public site: a rejected piece shows the maker's statement; a piece
rejected as a copy is hidden (listing, its page, the sitemap) while its maker may appeal, and comes
back when the appeal is approved. The listing's index learns of each change at once.
"""

import re
from html import unescape

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from artisans.tests.factories import StaffFactory
from catalog.choices import EvidenceLevel, PieceStatus, ReviewReason, ReviewState, TrustAction
from catalog.models import CopyFlag, Piece, TrustEvent
from catalog.services import ERROR_HIDDEN_BY_STAFF, piece_publish
from catalog.tests.factories import CopyFlagFactory, PieceFactory, ProductionStepFactory, ReviewFactory
from catalog.trust.services import (
    REJECTION_DROPS,
    REJECTION_HIDES,
    copy_flags_clear,
    piece_evidence_documented,
    rejected_as_copy,
    rejection_effects,
    review_appeal,
    review_decide,
)
from catalog.versions import catalog_version

pytestmark = pytest.mark.django_db

LISTING = reverse("catalog:piece_list")
SITEMAP = "/sitemap-pieces.xml"


def decide(review, *, approve, note="", capture):
    with capture(execute=True):
        return review_decide(review=review, approve=approve, note=note, actor=StaffFactory())


def documented_count(client):
    """The listing's count for "Making documented, at least", read from its in-memory index."""
    page = client.get(LISTING).content.decode()
    return int(re.search(r"Making documented, at least[^<]*</span> <span class=\"facet__count\">(\d+)<", page)[1])


def public_everywhere(client, piece):
    """Whether the public sees the piece: in the listing, on its own page, in the sitemap."""
    url = piece.get_absolute_url()
    listed = url in client.get(LISTING).content.decode()
    page = client.get(url).status_code
    mapped = url in client.get(SITEMAP).content.decode()
    assert {listed, page == 200, mapped} in ({True}, {False}), (listed, page, mapped)
    return listed


# --- A rejected claim: the maker's statement -------------------------------------------


def test_a_rejected_documented_piece_shows_the_makers_statement(client, django_capture_on_commit_callbacks):
    piece = PieceFactory(evidence_level=EvidenceLevel.DOCUMENTED)
    ProductionStepFactory(piece=piece)
    assert "Documented by the maker" in client.get(piece.get_absolute_url()).content.decode()
    assert documented_count(client) == 1

    decide(
        ReviewFactory(piece=piece),
        approve=False,
        note="These steps are a stock list.",
        capture=django_capture_on_commit_callbacks,
    )

    piece.refresh_from_db()
    assert piece.evidence_level == EvidenceLevel.SELF_DECLARED
    page = unescape(client.get(piece.get_absolute_url()).content.decode())
    assert "Maker's statement" in page and "Documented by the maker" not in page
    assert documented_count(client) == 0
    drop = TrustEvent.objects.get(piece=piece, action=TrustAction.EVIDENCE_DROPPED)
    assert "“Documented by the maker” to “Maker's statement”" in drop.note
    # The maker's email says what shoppers now see.
    assert "They could not approve it: the piece now shows “Maker's statement”." in mail.outbox[-1].body


def test_a_staff_level_rejected_drops_to_the_makers_statement_too(django_capture_on_commit_callbacks):
    piece = PieceFactory(evidence_level=EvidenceLevel.STAFF_VERIFIED)
    decide(
        ReviewFactory(piece=piece), approve=False, note="A factory mold.", capture=django_capture_on_commit_callbacks
    )
    piece.refresh_from_db()
    assert (piece.evidence_level, piece.evidence_raised_by, piece.status) == (
        EvidenceLevel.SELF_DECLARED,
        None,
        PieceStatus.PUBLISHED,  # no copy flag: rejected as a claim, still public
    )


def test_the_makers_next_save_does_not_make_a_rejected_piece_documented_again(django_capture_on_commit_callbacks):
    piece = PieceFactory(evidence_level=EvidenceLevel.DOCUMENTED)
    ProductionStepFactory(piece=piece)
    decide(ReviewFactory(piece=piece), approve=False, note="Stock steps.", capture=django_capture_on_commit_callbacks)
    piece.refresh_from_db()

    piece_evidence_documented(piece=piece, actor=piece.artisan.user)  # what piece_save calls

    piece.refresh_from_db()
    assert piece.evidence_level == EvidenceLevel.SELF_DECLARED


def test_an_approved_appeal_makes_a_rejected_piece_verified(django_capture_on_commit_callbacks):
    piece = PieceFactory(evidence_level=EvidenceLevel.DOCUMENTED)
    rejected = decide(
        ReviewFactory(piece=piece), approve=False, note="Stock steps.", capture=django_capture_on_commit_callbacks
    )
    appeal = review_appeal(review=rejected, actor=piece.artisan.user, text="A video of the forging.")
    decide(appeal, approve=True, capture=django_capture_on_commit_callbacks)
    piece.refresh_from_db()
    assert piece.evidence_level == EvidenceLevel.STAFF_VERIFIED


def test_the_listings_index_learns_of_a_rejection_at_once(client, django_capture_on_commit_callbacks):
    piece = PieceFactory(evidence_level=EvidenceLevel.DOCUMENTED)
    assert documented_count(client) == 1  # the index is built
    before = catalog_version()
    decide(ReviewFactory(piece=piece), approve=False, note="No.", capture=django_capture_on_commit_callbacks)
    assert catalog_version() > before
    assert documented_count(client) == 0


# --- A piece rejected as a copy: hidden while an appeal is possible ---------------------


def copy_under_review():
    """A copy published after its original, flagged both ways, the copy's item waiting."""
    original = PieceFactory(title="Moth band", evidence_level=EvidenceLevel.DOCUMENTED)
    copy = PieceFactory(title="Moth band (resold)", evidence_level=EvidenceLevel.DOCUMENTED)
    CopyFlagFactory(piece=copy, other=original)
    CopyFlagFactory(piece=original, other=copy)
    return original, copy, ReviewFactory(piece=copy, reason=ReviewReason.COPY)


def test_a_piece_rejected_as_a_copy_is_hidden_from_the_public(client, django_capture_on_commit_callbacks):
    original, copy, review = copy_under_review()
    assert public_everywhere(client, copy)  # the listing's index is built, with the copy in it

    review = decide(review, approve=False, note="Oficina Ferro's photo.", capture=django_capture_on_commit_callbacks)

    copy.refresh_from_db()
    assert copy.status == PieceStatus.HIDDEN and copy.evidence_level == EvidenceLevel.SELF_DECLARED
    assert not public_everywhere(client, copy)
    assert client.get(copy.get_absolute_url()).status_code == 404
    assert public_everywhere(client, original)
    assert review.can_appeal and rejected_as_copy(review)
    assert "so it is hidden from shoppers (the listing and its page) while you may appeal" in mail.outbox[-1].body


def test_the_maker_cannot_publish_a_piece_rejected_as_a_copy(django_capture_on_commit_callbacks):
    _, copy, review = copy_under_review()
    decide(review, approve=False, note="A copy.", capture=django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied, match=ERROR_HIDDEN_BY_STAFF):
        piece_publish(piece=Piece.objects.get(pk=copy.pk), actor=copy.artisan.user)


def test_an_approved_appeal_shows_the_piece_again(client, django_capture_on_commit_callbacks):
    _, copy, review = copy_under_review()
    rejected = decide(review, approve=False, note="A copy.", capture=django_capture_on_commit_callbacks)
    appeal = review_appeal(review=rejected, actor=copy.artisan.user, text="We bought the photo; the invoice.")
    copy_flags_clear(piece=copy, actor=StaffFactory(), note="The photo was licensed.")
    assert rejected_as_copy(rejected)  # read back from the flags as they were when staff decided

    decide(appeal, approve=True, capture=django_capture_on_commit_callbacks)

    copy.refresh_from_db()
    assert (copy.status, copy.evidence_level) == (PieceStatus.PUBLISHED, EvidenceLevel.STAFF_VERIFIED)
    assert public_everywhere(client, copy)


def test_a_rejected_appeal_keeps_the_copy_hidden(django_capture_on_commit_callbacks):
    _, copy, review = copy_under_review()
    rejected = decide(review, approve=False, note="A copy.", capture=django_capture_on_commit_callbacks)
    appeal = review_appeal(review=rejected, actor=copy.artisan.user, text="It is mine.")
    final = decide(appeal, approve=False, note="Still the same photo.", capture=django_capture_on_commit_callbacks)
    copy.refresh_from_db()
    assert copy.status == PieceStatus.HIDDEN and not final.can_appeal


def test_an_unpublished_copy_approved_on_appeal_goes_back_to_draft(django_capture_on_commit_callbacks):
    _, copy, review = copy_under_review()
    Piece.objects.filter(pk=copy.pk).update(status=PieceStatus.DRAFT, published_at=None)
    rejected = decide(review, approve=False, note="A copy.", capture=django_capture_on_commit_callbacks)
    appeal = review_appeal(review=rejected, actor=copy.artisan.user, text="It is mine.")
    copy_flags_clear(piece=copy, actor=StaffFactory())
    decide(appeal, approve=True, capture=django_capture_on_commit_callbacks)
    copy.refresh_from_db()
    assert copy.status == PieceStatus.DRAFT


def test_clearing_the_originals_flags_leaves_the_copys_flags_open():
    original, copy, _ = copy_under_review()
    assert copy_flags_clear(piece=original, actor=StaffFactory()) == 1
    assert CopyFlag.objects.filter(piece=copy, cleared_at__isnull=True).exists()


def test_a_piece_whose_flags_were_cleared_is_rejected_as_a_claim_not_as_a_copy(django_capture_on_commit_callbacks):
    _, copy, review = copy_under_review()
    copy_flags_clear(piece=copy, actor=StaffFactory())
    review = decide(review, approve=False, note="Stock steps.", capture=django_capture_on_commit_callbacks)
    copy.refresh_from_db()
    assert copy.status == PieceStatus.PUBLISHED and not rejected_as_copy(review)


def test_a_claims_rejection_leaves_its_piece_public(django_capture_on_commit_callbacks):
    review = ReviewFactory(reason=ReviewReason.CLAIM)
    decide(review, approve=False, note="No.", capture=django_capture_on_commit_callbacks)
    assert review.piece.status == PieceStatus.PUBLISHED
    assert Piece.objects.published().filter(pk=review.piece_id).exists()
    assert not rejected_as_copy(ReviewFactory(state=ReviewState.WAITING))


@pytest.mark.parametrize(
    ("level", "flagged", "expected"),
    [
        (EvidenceLevel.DOCUMENTED, False, [REJECTION_DROPS % {"level": "Maker's statement"}]),
        (EvidenceLevel.SELF_DECLARED, True, [REJECTION_HIDES]),
        (EvidenceLevel.STAFF_VERIFIED, True, [REJECTION_DROPS % {"level": "Maker's statement"}, REJECTION_HIDES]),
        (EvidenceLevel.SELF_DECLARED, False, []),
    ],
)
def test_staff_are_told_what_a_rejection_would_do(level, flagged, expected):
    assert rejection_effects(PieceFactory.build(evidence_level=level), flagged=flagged) == expected
