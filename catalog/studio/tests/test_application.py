"""Applying to sell at /sell/, and staff approving or refusing in the admin's queue."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse

from artisans.choices import ArtisanStatus
from artisans.models import Artisan, ProcessPhoto
from artisans.services import ERROR_REFUSAL_REASON, artisans_approve, artisans_refuse
from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from artisans.tests.uploads import upload
from catalog.tests.factories import TechniqueFactory, TraditionFactory
from catalog.tests.studio_helpers import application_data, application_files

pytestmark = pytest.mark.django_db

SELL = reverse("studio:apply")
QUEUE = reverse("admin:artisans_application_changelist")


def apply(client, **overrides):
    return client.post(SELL, {**application_data(**overrides), **application_files()})


def test_anonymous_visitors_are_asked_to_sign_in_to_apply(client):
    response = client.get(SELL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_signed_in_user_applies_and_is_pending_with_techniques_traditions_and_a_process_photo(client):
    user = UserFactory()
    technique, tradition = TechniqueFactory(), TraditionFactory()
    client.force_login(user)
    assert client.get(SELL).status_code == 200

    response = apply(client, techniques=[technique.pk], traditions=[tradition.pk])

    assert response.status_code == 302
    artisan = Artisan.objects.get(user=user)
    assert artisan.status == ArtisanStatus.PENDING
    assert artisan.applied_at is not None
    assert artisan.slug == "oficina-ferro"
    assert list(artisan.techniques.all()) == [technique]
    assert list(artisan.traditions.all()) == [tradition]
    assert artisan.process_photos.count() == 1


def test_an_application_needs_a_process_photo(client):
    client.force_login(UserFactory())
    response = client.post(SELL, application_data(**{"photos-TOTAL_FORMS": "0"}))
    assert response.status_code == 200
    assert "Add at least one photo of your workshop" in response.content.decode()
    assert not Artisan.objects.exists()


def test_an_application_with_a_refused_photo_saves_nothing(client):
    client.force_login(UserFactory())
    response = client.post(SELL, {**application_data(), "photos-0-image": upload(b"<html>", "bench.jpg")})
    assert response.status_code == 200
    assert "not a photo we can read" in response.content.decode()
    assert not Artisan.objects.exists()
    assert not ProcessPhoto.objects.exists()


@pytest.mark.parametrize("field", ["name", "bio", "statement", "labor_practices", "region"])
def test_every_part_of_the_application_is_required(client, field):
    client.force_login(UserFactory())
    response = apply(client, **{field: ""})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Artisan.objects.exists()


def test_script_in_an_application_is_shown_escaped(client):
    client.force_login(UserFactory())
    response = apply(client, name="<script>alert(1)</script>" + "x" * 200)
    assert response.status_code == 200  # over-long name refused
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "&lt;script&gt;" in response.content.decode()


def test_an_approved_maker_is_sent_to_the_studio_from_sell(client):
    maker = ArtisanFactory()
    client.force_login(maker.user)
    assert client.get(SELL).url == reverse("studio:dashboard")


def test_the_queue_lists_pending_applications_oldest_first(client):
    staff = StaffFactory()
    newer, older = ArtisanFactory(status=ArtisanStatus.PENDING), ArtisanFactory(status=ArtisanStatus.PENDING)
    Artisan.objects.filter(pk=older.pk).update(applied_at="2026-01-01T00:00Z")
    Artisan.objects.filter(pk=newer.pk).update(applied_at="2026-02-01T00:00Z")
    ArtisanFactory()  # approved: not in the queue
    client.force_login(staff)
    response = client.get(QUEUE)
    assert [artisan.pk for artisan in response.context["cl"].result_list] == [older.pk, newer.pk]


def test_staff_approve_from_the_queue_and_the_maker_is_emailed_in_html_and_text(
    client, django_capture_on_commit_callbacks
):
    maker = ArtisanFactory(status=ArtisanStatus.PENDING)
    client.force_login(StaffFactory())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(QUEUE, {"action": "approve", ACTION_CHECKBOX_NAME: [maker.pk]})
    maker.refresh_from_db()
    assert maker.status == ArtisanStatus.APPROVED
    [email] = mail.outbox
    assert email.to == [maker.user.email]
    assert "approved" in email.subject
    assert email.alternatives[0][1] == "text/html"
    assert "/studio/" in email.body


def test_staff_refuse_with_a_reason_the_maker_stays_pending_and_is_emailed_it(
    client, django_capture_on_commit_callbacks
):
    staff = StaffFactory()
    maker = ArtisanFactory(status=ArtisanStatus.PENDING)
    client.force_login(staff)

    form_page = client.post(QUEUE, {"action": "refuse", ACTION_CHECKBOX_NAME: [maker.pk]})
    assert form_page.status_code == 200
    assert "reason" in form_page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            QUEUE,
            {"action": "refuse", ACTION_CHECKBOX_NAME: [maker.pk], "reason": "Please add a photo of your bench."},
        )

    maker.refresh_from_db()
    assert maker.status == ArtisanStatus.PENDING
    assert maker.is_refused
    assert (maker.refusal_reason, maker.refused_by) == ("Please add a photo of your bench.", staff)
    [email] = mail.outbox
    assert "Please add a photo of your bench." in email.body
    assert "Please add a photo of your bench." in email.alternatives[0][0]


def test_a_refusal_needs_a_reason():
    with pytest.raises(Exception) as refused:
        artisans_refuse(artisans=[ArtisanFactory(status=ArtisanStatus.PENDING)], reason="  ", actor=StaffFactory())
    assert ERROR_REFUSAL_REASON in str(refused.value)


def test_a_refused_maker_edits_and_re_applies_which_clears_the_refusal(client):
    maker = ArtisanFactory(status=ArtisanStatus.PENDING)
    ProcessPhoto.objects.create(artisan=maker, image=application_files()["photos-0-image"], alt_text="Bench")
    artisans_refuse(artisans=[maker], reason="Tell us about your workshop.", actor=StaffFactory())
    client.force_login(maker.user)
    assert "Tell us about your workshop." in client.get(SELL).content.decode()

    response = client.post(SELL, application_data(**{"photos-TOTAL_FORMS": "0", "name": "Oficina Ferro"}))

    assert response.status_code == 302
    maker.refresh_from_db()
    assert not maker.is_refused and maker.refusal_reason == ""
    assert maker.name == "Oficina Ferro"


def test_suspension_hides_a_makers_pieces_at_once_and_reinstatement_brings_them_back():
    from catalog.models import Piece
    from catalog.tests.factories import PieceFactory

    piece = PieceFactory()
    staff = StaffFactory()
    from artisans.services import artisans_suspend

    artisans_suspend(artisans=[piece.artisan], actor=staff)
    assert not Piece.objects.published().exists()
    artisans_approve(artisans=[piece.artisan], actor=staff)
    assert list(Piece.objects.published()) == [piece]
