"""A maker's certification claims in the studio: list, add, withdraw; who may, bad input, queries, the queue."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from artisans.tests.uploads import encoded
from catalog.choices import ReviewReason, ReviewState, TrustAction
from catalog.models import MakerCertification, Review, TrustEvent
from catalog.tests.factories import CertificationFactory
from catalog.trust.forms import ERROR_EVIDENCE_TYPE
from catalog.trust.services import (
    ERROR_CLAIM_EVIDENCE,
    ERROR_CLAIM_NOT_WAITING,
    ERROR_CLAIM_TWICE,
    maker_claim_add,
    review_decide,
)

pytestmark = pytest.mark.django_db

LIST = reverse("studio:certifications")


def withdraw_url(claim):
    return reverse("studio:certification_withdraw", args=[claim.pk])


def claimed(artisan=None, number="FM-2026-0042", **kwargs):
    artisan = artisan or ArtisanFactory()
    return maker_claim_add(
        artisan=artisan,
        actor=artisan.user,
        certification=kwargs.pop("certification", None) or CertificationFactory(),
        certificate_number=number,
        **kwargs,
    )


def text(response):
    return response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")


# --- Adding a claim -------------------------------------------------------------------------


def test_a_claim_with_a_number_goes_into_the_queue_and_shows_as_waiting(client):
    artisan = ArtisanFactory()
    fairmined = CertificationFactory(name="Fairmined")
    client.force_login(artisan.user)
    response = client.post(LIST, {"certification": fairmined.pk, "certificate_number": "  FM-2026-0042 "})
    assert response.status_code == 302 and response.url == LIST
    claim = MakerCertification.objects.get(artisan=artisan)
    assert (claim.certificate_number, claim.is_verified) == ("FM-2026-0042", False)
    review = Review.objects.waiting().get(maker_claim=claim)
    assert review.reason == ReviewReason.CERTIFICATION and review.artisan == artisan
    assert TrustEvent.objects.filter(review=review, action=TrustAction.OPENED).exists()
    body = text(client.get(LIST))
    assert "Fairmined" in body and "Waiting for staff" in body and "FM-2026-0042" in body
    assert withdraw_url(claim) in body


def test_a_claim_with_only_a_pdf_is_kept_as_it_is(client):
    artisan = ArtisanFactory()
    client.force_login(artisan.user)
    pdf = SimpleUploadedFile("certificate.pdf", b"%PDF-1.4\n% a certificate\n", content_type="application/pdf")
    response = client.post(LIST, {"certification": CertificationFactory().pk, "evidence": pdf})
    assert response.status_code == 302
    claim = MakerCertification.objects.get(artisan=artisan)
    assert claim.evidence.name.endswith(".pdf") and claim.certificate_number == ""
    assert Review.objects.waiting().filter(maker_claim=claim).exists()


def test_a_claim_with_a_photo_goes_through_the_image_pipeline(client):
    artisan = ArtisanFactory()
    client.force_login(artisan.user)
    photo = SimpleUploadedFile("certificate.jpg", encoded("JPEG"), content_type="image/jpeg")
    assert client.post(LIST, {"certification": CertificationFactory().pk, "evidence": photo}).status_code == 302
    assert MakerCertification.objects.get(artisan=artisan).evidence


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"certificate_number": "   "}, ERROR_CLAIM_EVIDENCE),
        ({"certification": "999999", "certificate_number": "X1"}, "Select a valid choice"),
        ({"certification": "<script>alert(1)</script>", "certificate_number": "X1"}, "Select a valid choice"),
        ({"certificate_number": "x" * 101}, "at most 100 characters"),
        ({"evidence": ("evil.pdf", b"<script>alert(1)</script>")}, ERROR_EVIDENCE_TYPE),
        ({"evidence": ("photo.jpg", b"\xff\xd8\xff\xe0 cut short")}, ERROR_EVIDENCE_TYPE),
        ({"evidence": ("big.pdf", b"%PDF-1.4\n" + b"0" * 2048)}, "evidence files can be at most"),
    ],
    ids=[
        "neither number nor file",
        "unknown certification",
        "script as certification",
        "number too long",
        "a script named .pdf",
        "a broken jpeg",
        "too large",
    ],
)
@override_settings(MAX_UPLOAD_BYTES=1024)
def test_a_bad_claim_is_refused_with_a_message_and_saves_nothing(client, data, message):
    artisan = ArtisanFactory()
    client.force_login(artisan.user)
    data = {"certification": CertificationFactory().pk, **data}
    if "evidence" in data:
        name, content = data["evidence"]
        data["evidence"] = SimpleUploadedFile(name, content)
    response = client.post(LIST, data)
    assert response.status_code == 400
    assert message in text(response)
    assert not MakerCertification.objects.exists() and not Review.objects.exists()


def test_script_in_the_number_is_stored_as_text_and_shown_escaped(client):
    artisan = ArtisanFactory()
    client.force_login(artisan.user)
    script = "<script>alert(1)</script>"
    assert (
        client.post(LIST, {"certification": CertificationFactory().pk, "certificate_number": script}).status_code == 302
    )
    body = client.get(LIST).content.decode()
    assert script not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_the_same_certification_cannot_be_claimed_twice(client):
    claim = claimed()
    client.force_login(claim.artisan.user)
    response = client.post(LIST, {"certification": claim.certification_id, "certificate_number": "ANOTHER"})
    assert response.status_code == 400
    assert ERROR_CLAIM_TWICE % {"certification": claim.certification} in text(response)
    assert MakerCertification.objects.count() == 1 and Review.objects.count() == 1


@pytest.mark.parametrize("status", [ArtisanStatus.PENDING, ArtisanStatus.SUSPENDED])
def test_a_maker_not_approved_sees_their_claims_but_cannot_add_one(client, status):
    artisan = ArtisanFactory(status=status)
    client.force_login(artisan.user)
    body = client.get(LIST).content.decode()
    assert "once staff approved your shop" in body and 'name="certificate_number"' not in body
    response = client.post(LIST, {"certification": CertificationFactory().pk, "certificate_number": "X1"})
    assert response.status_code == 403
    assert not MakerCertification.objects.exists()


# --- Status, withdrawal -------------------------------------------------------------------------


def test_the_list_shows_each_status_and_staff_note():
    from django.test import Client

    artisan = ArtisanFactory()
    staff = StaffFactory()
    waiting = claimed(artisan, certification=CertificationFactory(name="Fairtrade Gold"))
    verified = claimed(artisan, certification=CertificationFactory(name="RJC Chain of Custody"))
    rejected = claimed(artisan, certification=CertificationFactory(name="SCS Recycled Content"))
    review_decide(review=verified.reviews.get(), approve=True, note="", actor=staff)
    review_decide(review=rejected.reviews.get(), approve=False, note="The certificate has expired.", actor=staff)
    client = Client()
    client.force_login(artisan.user)
    body = text(client.get(LIST))
    assert "Verified by staff" in body and "Rejected" in body and "The certificate has expired." in body
    assert withdraw_url(waiting) in body
    assert withdraw_url(verified) not in body and withdraw_url(rejected) not in body
    assert reverse("studio:reviews") in body  # where a rejection is appealed


def test_a_waiting_claim_is_withdrawn_with_its_queue_item_and_the_audit_keeps_it(client):
    claim = claimed()
    client.force_login(claim.artisan.user)
    response = client.post(withdraw_url(claim))
    assert response.status_code == 302 and response.url == LIST
    assert not MakerCertification.objects.exists() and not Review.objects.exists()
    event = TrustEvent.objects.get(action=TrustAction.WITHDRAWN)
    assert event.artisan == claim.artisan and claim.certification.name in event.note
    assert "withdrew your claim" in client.get(LIST).content.decode()


@pytest.mark.parametrize("decision", [True, False])
def test_a_decided_claim_cannot_be_withdrawn(client, decision):
    claim = claimed()
    review_decide(review=claim.reviews.get(), approve=decision, note="Checked.", actor=StaffFactory())
    client.force_login(claim.artisan.user)
    client.post(withdraw_url(claim))
    assert MakerCertification.objects.filter(pk=claim.pk).exists()
    assert ERROR_CLAIM_NOT_WAITING in text(client.get(LIST))


def test_withdrawing_is_post_only(client):
    claim = claimed()
    client.force_login(claim.artisan.user)
    assert client.get(withdraw_url(claim)).status_code == 405
    assert MakerCertification.objects.filter(pk=claim.pk).exists()


# --- Who may --------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    claim = claimed()
    for response in (client.get(LIST), client.post(LIST, {}), client.post(withdraw_url(claim))):
        assert response.status_code == 302 and "login" in response.url
    assert MakerCertification.objects.filter(pk=claim.pk).exists()


def test_a_shopper_without_a_shop_is_sent_to_apply(client):
    claim = claimed()
    client.force_login(UserFactory())
    for response in (client.get(LIST), client.post(withdraw_url(claim))):
        assert response.status_code == 302 and response.url == reverse("studio:apply")
    assert MakerCertification.objects.filter(pk=claim.pk).exists()


@pytest.mark.parametrize("who", ["other maker", "staff"])
def test_nobody_else_sees_or_withdraws_a_claim(client, who):
    claim = claimed(number="SECRET-NUMBER-7")
    user = ArtisanFactory().user if who == "other maker" else StaffFactory()
    if who == "staff":
        ArtisanFactory(user=user)  # staff with a shop of their own still reach only their own
    client.force_login(user)
    assert "SECRET-NUMBER-7" not in client.get(LIST).content.decode()
    assert client.post(withdraw_url(claim)).status_code == 404
    assert MakerCertification.objects.filter(pk=claim.pk).exists()
    assert Review.objects.waiting().filter(maker_claim=claim).exists()


# --- Queries, and the staff queue ---------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 8])
def test_the_page_costs_the_same_queries_whatever_the_number_of_claims(client, django_assert_max_num_queries, rows):
    artisan = ArtisanFactory()
    staff = StaffFactory()
    for n in range(rows):
        claim = claimed(artisan)
        if n % 2:
            review_decide(review=claim.reviews.get(), approve=False, note="Expired.", actor=staff)
    client.force_login(artisan.user)
    # session, user, maker, the claims (certification joined, status in subqueries), the form's
    # certifications, and the savepoint pair of ATOMIC_REQUESTS.
    with django_assert_max_num_queries(7):
        assert client.get(LIST).status_code == 200


def test_the_claim_appears_in_the_staff_queue_and_counts_only_once_verified(admin_client):
    from artisans.models import Artisan

    fairmined = CertificationFactory(name="Fairmined", slug="fairmined")
    claim = claimed(certification=fairmined, number="FM-77")
    queue = admin_client.get(reverse("admin:catalog_review_changelist")).content.decode()
    review = Review.objects.get(maker_claim=claim)
    assert reverse("admin:catalog_review_change", args=[review.pk]) in queue
    assert "FM-77" in admin_client.get(reverse("admin:catalog_review_change", args=[review.pk])).content.decode()
    certified = Artisan.objects.filter(certifications__certification=fairmined, certifications__is_verified=True)
    assert not certified.exists()
    admin_client.post(reverse("admin:catalog_review_change", args=[review.pk]), {"decision": "approve", "note": ""})
    claim.refresh_from_db()
    assert claim.is_verified and certified.exists()
    assert Review.objects.get(pk=review.pk).state == ReviewState.APPROVED
