"""The makers' reviews and appeals in the studio, and shoppers' reports: who may, bad input, limits, queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from artisans.tests.uploads import encoded
from catalog.choices import EvidenceLevel, PieceStatus, ReviewReason, ReviewState
from catalog.models import PieceReport, Review
from catalog.tests.factories import PieceFactory, ReviewFactory
from catalog.trust.forms import ERROR_EVIDENCE_TYPE
from catalog.trust.services import ERROR_ALREADY_REPORTED, ERROR_APPEAL_EMPTY, ERROR_APPEAL_ONCE, review_decide
from catalog.trust.views import REPORTS_PER_HOUR

pytestmark = pytest.mark.django_db


def rejected(**kwargs):
    review = ReviewFactory(**kwargs)
    return review_decide(review=review, approve=False, note="Show the piece on your bench.", actor=StaffFactory())


def appeal_url(review):
    return reverse("studio:review_appeal", args=[review.pk])


def report_url(piece):
    return reverse("catalog:piece_report", args=[piece.slug])


# --- The maker's reviews ----------------------------------------------------------------


def test_a_maker_reads_their_own_decisions_and_notes(client):
    review = rejected()
    other = rejected()
    client.force_login(review.artisan.user)
    body = client.get(reverse("studio:reviews")).content.decode()
    assert review.piece.title in body and "Show the piece on your bench." in body
    assert other.piece.title not in body
    assert appeal_url(review) in body


@pytest.mark.parametrize("rows", [1, 6])
def test_the_reviews_page_costs_the_same_queries_whatever_its_length(client, django_assert_max_num_queries, rows):
    artisan = ArtisanFactory()
    for _ in range(rows):
        rejected(piece=PieceFactory(artisan=artisan))
    client.force_login(artisan.user)
    # session, user, maker, the count and the page of reviews (pieces, claims and appeals joined), and
    # the savepoint pair of ATOMIC_REQUESTS: the same whatever the number of reviews.
    with django_assert_max_num_queries(7):
        assert client.get(reverse("studio:reviews")).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client):
    review = rejected()
    for url in (reverse("studio:reviews"), appeal_url(review)):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url


@pytest.mark.parametrize("who", ["other maker", "staff"])
def test_nobody_else_opens_or_posts_an_appeal(client, who):
    review = rejected()
    user = ArtisanFactory().user if who == "other maker" else StaffFactory()
    if who == "staff":
        ArtisanFactory(user=user)  # staff with a shop of their own still reach only their own
    client.force_login(user)
    assert client.get(appeal_url(review)).status_code == 404
    assert client.post(appeal_url(review), {"text": "Mine."}).status_code == 404
    assert not Review.objects.filter(appeal_of=review).exists()


def test_a_shopper_without_a_shop_is_sent_to_apply(client):
    review = rejected()
    client.force_login(UserFactory())
    response = client.post(appeal_url(review), {"text": "Mine."})
    assert response.status_code == 302 and response.url == reverse("studio:apply")
    assert not Review.objects.filter(appeal_of=review).exists()


def test_an_appeal_with_a_photo_goes_back_into_the_queue(client):
    review = rejected()
    client.force_login(review.artisan.user)
    photo = SimpleUploadedFile("bench.jpg", encoded("JPEG"), content_type="image/jpeg")
    response = client.post(appeal_url(review), {"text": "The ring on my bench.", "evidence": photo})
    assert response.status_code == 302
    appeal = Review.objects.get(appeal_of=review)
    assert appeal.state == ReviewState.WAITING and appeal.appeal_evidence.name.endswith(".jpg")


def test_an_appeal_with_a_pdf_is_kept_as_it_is(client):
    review = rejected()
    client.force_login(review.artisan.user)
    pdf = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4\n% an invoice\n", content_type="application/pdf")
    assert client.post(appeal_url(review), {"text": "", "evidence": pdf}).status_code == 302
    assert Review.objects.get(appeal_of=review).appeal_evidence.name.endswith(".pdf")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "   "}, ERROR_APPEAL_EMPTY),
        ({"text": "x", "evidence": ("evil.pdf", b"<script>alert(1)</script>")}, ERROR_EVIDENCE_TYPE),
        ({"text": "x", "evidence": ("photo.jpg", b"\xff\xd8\xff\xe0 cut short")}, ERROR_EVIDENCE_TYPE),
        ({"text": "x" * 3001}, "at most 3000 characters"),
    ],
    ids=["empty", "a script named .pdf", "a broken jpeg", "too long"],
)
def test_a_bad_appeal_is_refused_with_a_message_and_saves_nothing(client, data, message):
    review = rejected()
    client.force_login(review.artisan.user)
    if "evidence" in data:
        name, content = data["evidence"]
        data = {**data, "evidence": SimpleUploadedFile(name, content)}
    response = client.post(appeal_url(review), data)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert not Review.objects.filter(appeal_of=review).exists()


def test_a_second_appeal_is_refused(client):
    review = rejected()
    client.force_login(review.artisan.user)
    client.post(appeal_url(review), {"text": "First."})
    response = client.post(appeal_url(review), {"text": "Second."})
    assert response.status_code == 400 and ERROR_APPEAL_ONCE in response.content.decode()
    assert Review.objects.filter(appeal_of=review).count() == 1


# --- Shoppers' reports ---------------------------------------------------------------------


def test_the_piece_page_links_to_the_report_form_and_shows_who_verified(client):
    staff = StaffFactory(first_name="Ines")
    piece = PieceFactory()
    review_decide(review=ReviewFactory(piece=piece), approve=True, note="", actor=staff)
    body = client.get(piece.get_absolute_url()).content.decode()
    assert report_url(piece) in body
    assert "Checked by Ines of our staff" in body


def test_a_shopper_reports_a_listing(client):
    piece = PieceFactory()
    shopper = UserFactory()
    client.force_login(shopper)
    response = client.post(report_url(piece), {"reason": "copied_photos", "details": "Seen on a bazaar."})
    assert response.status_code == 302 and response.url == piece.get_absolute_url()
    report = PieceReport.objects.get()
    assert (report.reporter, report.reason, report.details) == (shopper, "copied_photos", "Seen on a bazaar.")
    assert Review.objects.get(piece=piece).reason == ReviewReason.REPORT


def test_reporting_needs_signing_in(client):
    piece = PieceFactory()
    response = client.post(report_url(piece), {"reason": "materials"})
    assert response.status_code == 302 and "login" in response.url
    assert not PieceReport.objects.exists()


@pytest.mark.parametrize("status", [PieceStatus.DRAFT, PieceStatus.HIDDEN])
def test_a_piece_not_on_the_public_site_cannot_be_reported(client, status):
    piece = PieceFactory(status=status)
    client.force_login(UserFactory())
    assert client.get(report_url(piece)).status_code == 404
    assert client.post(report_url(piece), {"reason": "materials"}).status_code == 404


@pytest.mark.parametrize(
    "data",
    [{}, {"reason": "lies"}, {"reason": ["materials", "x"] * 50}, {"reason": "materials", "details": "x" * 3001}],
    ids=["nothing", "an unknown reason", "a flood of values", "too long"],
)
def test_a_bad_report_is_refused_with_a_message(client, data):
    piece = PieceFactory()
    client.force_login(UserFactory())
    response = client.post(report_url(piece), data)
    assert response.status_code == 400
    assert b"field__error" in response.content
    assert not PieceReport.objects.exists()


def test_a_second_report_of_the_same_piece_is_refused(client):
    piece = PieceFactory()
    client.force_login(UserFactory())
    client.post(report_url(piece), {"reason": "materials"})
    response = client.post(report_url(piece), {"reason": "not_handmade"})
    assert response.status_code == 400 and ERROR_ALREADY_REPORTED in response.content.decode()
    assert PieceReport.objects.count() == 1


def test_reports_are_rate_limited(client):
    client.force_login(UserFactory())
    pieces = [PieceFactory() for _ in range(REPORTS_PER_HOUR + 1)]
    for piece in pieces[:-1]:
        assert client.post(report_url(piece), {"reason": "materials"}).status_code == 302
    response = client.post(report_url(pieces[-1]), {"reason": "materials"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert PieceReport.objects.count() == REPORTS_PER_HOUR


def test_cards_say_how_far_the_claim_is_proven(client):
    PieceFactory(title="Documented band", evidence_level=EvidenceLevel.DOCUMENTED)
    body = client.get(reverse("catalog:piece_list")).content.decode()
    assert "Making documented" in body


@pytest.mark.parametrize(
    ("param", "expected"),
    [("documented", {"Documented band", "Verified band"}), ("verified", {"Verified band"})],
)
def test_the_listing_filters_on_evidence(client, param, expected):
    PieceFactory(title="Bare band")
    PieceFactory(title="Documented band", evidence_level=EvidenceLevel.DOCUMENTED)
    PieceFactory(title="Verified band", evidence_level=EvidenceLevel.STAFF_VERIFIED)
    response = client.get(reverse("catalog:piece_list"), {param: "1"})
    titles = {piece.title for piece in response.context["page_obj"]}
    assert titles == expected
