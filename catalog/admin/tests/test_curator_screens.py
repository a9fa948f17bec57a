"""
The curator's screens: a possible copy side by side with its matches and which was published
first; why Approve is unavailable and what Reject does, in words; a refused decision opening at the
note; the machinery left out of the admin's index.
"""

from datetime import timedelta
from html import unescape

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from artisans.tests.factories import ArtisanFactory
from catalog.admin.trust import APPROVE_BLOCKED_FLAGGED, publication_order
from catalog.choices import EvidenceLevel, ReviewReason, ReviewState
from catalog.models import (
    CollectionPiece,
    DescriptionBand,
    PersonalizationOption,
    PhotoCropHash,
    PieceViewDay,
    ProductionStep,
    RequestMessage,
    Review,
)
from catalog.tests.factories import CopyFlagFactory, PieceFactory, PieceImageFactory, ReviewFactory
from catalog.trust.services import ERROR_NOTE_REQUIRED, REJECTION_DROPS, REJECTION_HIDES

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def review_url(review):
    return reverse("admin:catalog_review_change", args=[review.pk])


def a_pair(*, copied_days_later=12):
    """An original, and a copy by another maker published `copied_days_later` days after it; both queued."""
    original = PieceFactory(
        title="Moth band", artisan=ArtisanFactory(name="Oficina Ferro"), published_at=NOW - timedelta(days=30)
    )
    copy = PieceFactory(
        title="Moth band resold",
        artisan=ArtisanFactory(name="Bright Bazaar"),
        published_at=original.published_at + timedelta(days=copied_days_later),
        evidence_level=EvidenceLevel.DOCUMENTED,
    )
    for piece, other in ((copy, original), (original, copy)):
        PieceImageFactory(piece=piece)
        CopyFlagFactory(piece=piece, other=other)
    return (
        (original, ReviewFactory(piece=original, reason=ReviewReason.COPY)),
        (copy, ReviewFactory(piece=copy, reason=ReviewReason.COPY)),
    )


def text_of(response):
    return " ".join(unescape(response.content.decode()).split())


# --- Which came first ---------------------------------------------------------------------


def test_the_copys_page_says_the_match_was_published_first(admin_client):
    _, (copy, review) = a_pair()
    text = text_of(admin_client.get(review_url(review)))
    assert "“Moth band” (Oficina Ferro) was published first, 12 days before the piece under review" in text
    assert "the piece under review may be the copy" in text


def test_the_originals_page_says_it_was_published_first(admin_client):
    (original, review), _ = a_pair()
    text = text_of(admin_client.get(review_url(review)))
    assert "The piece under review was published first, 12 days before “Moth band resold” (Bright Bazaar)" in text
    assert "it is likely the original. If so, clear its flags rather than reject it." in text


def test_both_pieces_stand_side_by_side_with_their_makers_and_dates(admin_client):
    (original, _), (copy, review) = a_pair()
    body = admin_client.get(review_url(review)).content.decode()
    sides = body.split('class="review__side"')[1:]
    assert len(sides) == 2
    for side, piece, maker in ((sides[0], copy, "Bright Bazaar"), (sides[1], original, "Oficina Ferro")):
        assert piece.title in side and maker in side
        assert timezone.localtime(piece.published_at).strftime("%-d %b %Y") in side


@pytest.mark.parametrize(
    ("mine", "theirs", "expected"),
    [
        (NOW, NOW + timedelta(seconds=20), "appeared at the same time"),
        (NOW, NOW + timedelta(hours=3), "was published first, 3 hours before “Other” (Maker B) was published"),
        (NOW, NOW + timedelta(days=200), "was published first, 6 months before “Other”"),
        (
            None,
            NOW - timedelta(days=2),
            "“Other” (Maker B) was published first, 2 days before the piece under review was created (never published)",
        ),
    ],
    ids=["same time", "hours apart", "months apart", "never published"],
)
def test_the_order_is_said_in_words_whatever_the_dates(mine, theirs, expected):
    piece = PieceFactory.build(published_at=mine, created_at=NOW)
    other = PieceFactory.build(title="Other", published_at=theirs, artisan=ArtisanFactory.build(name="Maker B"))
    assert expected in publication_order(piece, other)


# --- Reasons in words, errors where the eye is ---------------------------------------------


def test_a_disabled_approve_says_why_beside_it_and_reject_says_what_it_does(admin_client):
    _, (copy, review) = a_pair()
    body = unescape(admin_client.get(review_url(review)).content.decode())
    approve = body[body.index('value="approve"') :]
    assert approve.index("disabled") < approve.index(">")
    assert 'aria-describedby="approve-blocked"' in approve[: approve.index(">")]
    assert f'<p class="review__reason" id="approve-blocked">{APPROVE_BLOCKED_FLAGGED}</p>' in body
    assert 'title="' not in approve[: approve.index(">")]  # not a tooltip
    for effect in (REJECTION_DROPS % {"level": "Maker's statement"}, REJECTION_HIDES):
        assert effect in body


def test_an_unflagged_piece_has_approve_enabled_with_no_reason(admin_client):
    review = ReviewFactory()
    body = admin_client.get(review_url(review)).content.decode()
    assert "approve-blocked" not in body
    approve = body[body.index('value="approve"') :]
    assert "disabled" not in approve[: approve.index(">")]


def test_rejecting_without_a_note_opens_at_the_note_with_its_error_and_keeps_the_choice(admin_client):
    _, (copy, review) = a_pair()
    response = admin_client.post(review_url(review), {"decision": "reject", "note": "   "})
    assert response.status_code == 200
    body = unescape(response.content.decode())
    decision = body[body.index('id="decision"') :]
    note = decision[decision.index("<textarea") : decision.index("</textarea>")]
    assert decision.index(ERROR_NOTE_REQUIRED) < decision.index("<textarea")
    assert "autofocus" in note and 'aria-invalid="true"' in note and "id_note_error" in note
    assert '<a href="#id_note">' in body  # the summary at the top points there too
    assert Review.objects.get(pk=review.pk).state == ReviewState.WAITING


def test_what_was_typed_is_kept_when_a_decision_is_refused(admin_client):
    _, (copy, review) = a_pair()
    response = admin_client.post(review_url(review), {"decision": "approve", "note": "Looks like hers."})
    body = response.content.decode()
    assert response.status_code == 200 and "Looks like hers.</textarea>" in body


# --- Queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("matches", [1, 6])
def test_a_copys_page_costs_the_same_queries_whatever_its_matches(admin_client, django_assert_max_num_queries, matches):
    copy = PieceFactory(evidence_level=EvidenceLevel.DOCUMENTED)
    PieceImageFactory(piece=copy)
    for _ in range(matches):
        other = PieceFactory(artisan=ArtisanFactory())
        PieceImageFactory(piece=other)
        CopyFlagFactory(piece=copy, other=other)
    review = ReviewFactory(piece=copy, reason=ReviewReason.COPY)
    # The savepoint pair (2), session and user (2), the item (1), the piece as its page loads it (8), the
    # flags with the matches' makers (1) and photos (1), the reports (1), the maker's other pieces (1, and
    # their photos when there are some) and the history (1): 18, the same at 1 and 6 matches.
    with django_assert_max_num_queries(18):
        response = admin_client.get(review_url(review))
    assert response.content.decode().count('class="review__side"') == 2 * matches


# --- The admin's index --------------------------------------------------------------------------

MACHINERY = [
    PhotoCropHash,
    DescriptionBand,
    PieceViewDay,
    ProductionStep,
    PersonalizationOption,
    CollectionPiece,
    RequestMessage,
]


def index_models(response):
    return {model["object_name"] for app in response.context["app_list"] for model in app["models"]}


def test_the_index_lists_what_staff_curate_and_not_the_machinery(admin_client):
    listed = index_models(admin_client.get(reverse("admin:index")))
    assert {"Piece", "Review", "Application", "Artisan", "CopyFlag", "TrustEvent"} <= listed
    assert not {model.__name__ for model in MACHINERY} & listed
    catalog = index_models(admin_client.get(reverse("admin:app_list", args=["catalog"])))
    assert "PhotoCropHash" not in catalog and "Piece" in catalog


@pytest.mark.parametrize("model", MACHINERY, ids=lambda model: model.__name__)
def test_the_machinerys_pages_stay_reachable_by_url(admin_client, model):
    url = reverse(f"admin:catalog_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200
    assert not admin.site._registry[model].has_module_permission(None)
