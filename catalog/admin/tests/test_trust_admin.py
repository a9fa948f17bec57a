"""The review queue in the admin: staff only, decisions through the services, the audit trail, fixed query counts."""

import pytest
from django.urls import reverse

from artisans.tests.factories import ArtisanFactory, UserFactory
from catalog.choices import EvidenceLevel, ReviewState, TrustAction
from catalog.models import CopyFlag, Review, TrustEvent
from catalog.tests.factories import (
    CopyFlagFactory,
    PieceFactory,
    PieceImageFactory,
    PieceReportFactory,
    ProductionStepFactory,
    ReviewFactory,
    TrustEventFactory,
)
from catalog.trust.services import ERROR_FLAGGED, ERROR_NOTE_REQUIRED

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:catalog_review_changelist")


def review_url(review):
    return reverse("admin:catalog_review_change", args=[review.pk])


def queue_of(size):
    """`size` waiting items, each with a report and a copy flag, and one decided item."""
    reviews = []
    for _ in range(size):
        review = ReviewFactory()
        PieceReportFactory(piece=review.piece)
        CopyFlagFactory(piece=review.piece)
        reviews.append(review)
    ReviewFactory(state=ReviewState.APPROVED, decided_at="2026-01-01T00:00:00Z")
    return reviews


def test_the_queue_opens_on_waiting_items_oldest_first_with_their_counts(admin_client):
    first, second = queue_of(2)
    response = admin_client.get(QUEUE)
    rows = list(response.context["cl"].result_list)
    assert rows == [first, second]
    assert (rows[0].open_reports, rows[0].open_flags) == (1, 1)


@pytest.mark.parametrize("size", [2, 12])
def test_the_queue_costs_the_same_queries_whatever_its_length(admin_client, django_assert_max_num_queries, size):
    queue_of(size)
    # session, user, two counts, the page (maker, piece and claim joined; counts as subqueries),
    # the reason filter's choices and the savepoint pair: the same at 2 and 12 rows.
    with django_assert_max_num_queries(9):
        response = admin_client.get(QUEUE)
    assert len(response.context["cl"].result_list) == size


@pytest.mark.parametrize("size", [1, 8])
def test_an_item_page_costs_the_same_queries_whatever_the_evidence(admin_client, django_assert_max_num_queries, size):
    artisan = ArtisanFactory()
    review = ReviewFactory(piece=PieceFactory(artisan=artisan))
    for index in range(size):
        PieceImageFactory(piece=review.piece, is_process_photo=bool(index % 2))
        PieceFactory(artisan=artisan)
        flag = CopyFlagFactory(piece=review.piece)
        PieceImageFactory(piece=flag.other)
        PieceReportFactory(piece=review.piece)
        TrustEventFactory(piece=review.piece)
    ProductionStepFactory(piece=review.piece)
    with django_assert_max_num_queries(22):
        response = admin_client.get(review_url(review))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Product photos" in body and "Process photos" in body and "Side by side with the matching pieces" in body
    assert body.count('class="review__side"') == 2 * size


def test_the_item_page_shows_the_evidence_the_matches_and_the_makers_other_pieces(admin_client):
    review = ReviewFactory()
    ProductionStepFactory(piece=review.piece)
    sibling = PieceFactory(artisan=review.artisan, title="Sister ring", evidence_level=EvidenceLevel.DOCUMENTED)
    flag = CopyFlagFactory(piece=review.piece)
    PieceReportFactory(piece=review.piece, details="Seen at a bazaar")
    body = admin_client.get(review_url(review)).content.decode()
    for expected in ("Fabrication and soldering", sibling.title, "Documented by the maker", flag.other.title):
        assert expected in body
    assert "Seen at a bazaar" in body


def test_the_queue_shows_decided_items_on_request(admin_client):
    queue_of(1)
    assert len(admin_client.get(QUEUE, {"state": "approved"}).context["cl"].result_list) == 1
    assert len(admin_client.get(QUEUE, {"state": "all"}).context["cl"].result_list) == 2
    assert len(admin_client.get(QUEUE, {"state": "nonsense"}).context["cl"].result_list) == 1


def test_staff_approve_from_the_item_page(admin_client):
    review = ReviewFactory()
    response = admin_client.post(review_url(review), {"decision": "approve", "note": "Good photos."})
    assert response.status_code == 302 and response.url == QUEUE
    review.refresh_from_db()
    review.piece.refresh_from_db()
    assert review.state == ReviewState.APPROVED and review.piece.evidence_level == EvidenceLevel.STAFF_VERIFIED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "reject", "note": ""}, ERROR_NOTE_REQUIRED),
        ({"decision": "approve", "note": ""}, ERROR_FLAGGED),
        ({"decision": "delete-everything"}, "Select a valid choice"),
        ({"decision": "reject", "note": "x" * 2001}, "at most 2000 characters"),
    ],
    ids=["reject without a note", "approve a flagged piece", "an unknown decision", "a note too long"],
)
def test_a_refused_decision_says_why_and_changes_nothing(admin_client, data, message):
    review = ReviewFactory()
    CopyFlagFactory(piece=review.piece)
    response = admin_client.post(review_url(review), data)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    review.refresh_from_db()
    assert review.state == ReviewState.WAITING
    assert not TrustEvent.objects.filter(action__in=[TrustAction.APPROVED, TrustAction.REJECTED]).exists()


def test_staff_clear_the_flags_then_approve(admin_client):
    review = ReviewFactory()
    CopyFlagFactory(piece=review.piece)
    admin_client.post(review_url(review), {"decision": "clear", "note": "Her own photos."})
    assert not CopyFlag.objects.filter(cleared_at__isnull=True).exists()
    admin_client.post(review_url(review), {"decision": "approve", "note": ""})
    review.refresh_from_db()
    assert review.state == ReviewState.APPROVED


@pytest.mark.parametrize("who", ["anonymous", "shopper", "maker"])
def test_only_staff_reach_the_queue_and_decide(client, who):
    review = ReviewFactory()
    if who != "anonymous":
        client.force_login(UserFactory() if who == "shopper" else review.artisan.user)
    for response in (
        client.get(QUEUE),
        client.get(review_url(review)),
        client.post(review_url(review), {"decision": "approve", "note": ""}),
    ):
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    review.refresh_from_db()
    assert review.state == ReviewState.WAITING


def test_the_audit_trail_reads_per_piece_and_per_maker(admin_client):
    mine = TrustEventFactory(note="on my piece")
    other = TrustEventFactory(note="elsewhere")
    url = reverse("admin:catalog_trustevent_changelist")
    per_piece = admin_client.get(url, {"piece__id__exact": mine.piece_id})
    per_maker = admin_client.get(url, {"artisan__id__exact": mine.artisan_id})
    for response in (per_piece, per_maker):
        assert list(response.context["cl"].result_list) == [mine]
    assert other.note not in per_piece.content.decode()


def test_the_piece_and_maker_pages_link_to_their_trail(admin_client):
    piece = PieceFactory()
    piece_page = admin_client.get(reverse("admin:catalog_piece_change", args=[piece.pk])).content.decode()
    assert f"?piece__id__exact={piece.pk}" in piece_page
    makers = admin_client.get(reverse("admin:artisans_artisan_changelist")).content.decode()
    assert f"?artisan__id__exact={piece.artisan_id}" in makers


def test_the_admin_refuses_to_verify_a_flagged_piece_with_a_message(admin_client):
    from catalog.admin.tests.admin_helpers import post_data

    piece = PieceFactory()
    CopyFlagFactory(piece=piece)
    url = reverse("admin:catalog_piece_change", args=[piece.pk])
    data = post_data(admin_client.get(url))
    data["evidence_level"] = EvidenceLevel.STAFF_VERIFIED
    response = admin_client.post(url, data)
    assert response.status_code == 200 and ERROR_FLAGGED in response.content.decode().replace("&#x27;", "'")
    piece.refresh_from_db()
    assert piece.evidence_level == EvidenceLevel.SELF_DECLARED


def test_decided_items_stay_readable(admin_client):
    review = ReviewFactory()
    admin_client.post(review_url(review), {"decision": "reject", "note": "Not convincing."})
    body = admin_client.get(review_url(review)).content.decode()
    assert "Not convincing." in body and 'name="decision"' not in body
    assert Review.objects.get().state == ReviewState.REJECTED
