"""
The outbox seen from the site: a mail server refusing during a request never fails the request (the
email waits for the worker, and goes once the server is back), and staff's outbox in the admin.
"""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from artisans.tests.factories import StaffFactory, UserFactory
from catalog.models import OutboxEmail, OutboxState, RequestState
from catalog.outbox.delivery import deliver_due
from catalog.tests.request_helpers import request_in

CHANGELIST = reverse("admin:catalog_outboxemail_changelist")
HERE = "catalog.outbox.tests.test_outbox"


@pytest.mark.django_db(transaction=True)  # real commits: the delivery runs inside the request, after its commit
def test_the_shopper_accepts_a_quote_while_the_mail_server_refuses(client, settings, caplog):
    settings.OUTBOX_DELIVER = "on_commit"
    settings.OUTBOX_DELIVERY_BACKEND = f"{HERE}.RefusingBackend"
    request = request_in(RequestState.QUOTED, quote_expires_on=timezone.localdate() + datetime.timedelta(days=9))
    client.force_login(request.shopper)
    confirmation = client.get(reverse("requests:confirm", args=[request.pk])).context["confirmation"]
    response = client.post(reverse("requests:action", args=[request.pk, "accept"]), {"confirmation": confirmation})

    assert response.status_code == 302  # the shopper is not shown the mail server's failure
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED
    [waiting] = OutboxEmail.objects.all()  # the maker's email, kept
    assert waiting.to == [request.artisan.user.email] and "Your quote was accepted" in waiting.subject
    assert (waiting.state, waiting.attempts) == (OutboxState.WAITING, 1)
    assert waiting.last_error.startswith("ConnectionRefusedError")
    assert mail.outbox == []

    # The server is back; the worker sends it when it is due, once.
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboxEmail.objects.update(next_attempt_at=timezone.now())
    assert deliver_due() == {"sent": 1}
    assert [message.to for message in mail.outbox] == [[request.artisan.user.email]]
    assert deliver_due() == {}


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_breaks_the_delivery_itself_is_logged_not_shown(client, settings, caplog):
    settings.OUTBOX_DELIVER = "on_commit"
    settings.OUTBOX_DELIVERY_BACKEND = "no.such.Backend"  # the delivery cannot even start
    request = request_in(RequestState.SUBMITTED)
    client.force_login(request.artisan.user)
    response = client.post(reverse("studio:request_action", args=[request.pk, "decline"]), {"note": "Sorry"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.DECLINED
    assert OutboxEmail.objects.get().state == OutboxState.WAITING
    assert "wait for the worker" in caplog.text


@pytest.fixture
def queued(settings, db):
    settings.OUTBOX_DELIVER = "worker"
    sent = OutboxEmail.objects.create(message_id="<1@a>", from_email="a@a", to=["sent@a"], subject="Sent", body="x")
    sent.state, sent.attempts, sent.sent_at = OutboxState.SENT, 1, timezone.now()
    sent.save()
    failed = OutboxEmail.objects.create(
        message_id="<2@a>", from_email="a@a", to=["failed@a"], subject="Failed", body="x", attempts=16
    )
    failed.state, failed.last_error = OutboxState.FAILED, "ConnectionRefusedError: [Errno 111] Connection refused"
    failed.save()
    later = timezone.now() + datetime.timedelta(hours=2)
    waiting = OutboxEmail.objects.create(
        message_id="<3@a>", from_email="a@a", to=["waiting@a"], subject="Waiting", body="x", next_attempt_at=later
    )
    return {"sent": sent, "failed": failed, "waiting": waiting}


def test_staff_read_the_outbox_its_states_attempts_and_errors(client, queued, django_assert_max_num_queries):
    client.force_login(StaffFactory())
    with django_assert_max_num_queries(12):
        response = client.get(CHANGELIST)
    page = response.content.decode()
    assert response.status_code == 200
    for text in ("Sent", "Failed for good", "Waiting", "ConnectionRefusedError: [Errno 111] Connection refused"):
        assert text in page
    assert reverse("admin:catalog_outboxemail_add") not in page
    detail = client.get(reverse("admin:catalog_outboxemail_change", args=[queued["failed"].pk]))
    assert detail.status_code == 200 and "<form" in detail.content.decode()
    assert client.post(reverse("admin:catalog_outboxemail_delete", args=[queued["failed"].pk])).status_code == 403


def test_retry_now_sends_what_is_not_sent_yet_and_never_a_sent_email_again(client, queued):
    client.force_login(StaffFactory())
    response = client.post(
        CHANGELIST,
        {"action": "retry", "_selected_action": [row.pk for row in queued.values()]},
        follow=True,
    )
    assert "Tried again: 2 sent, 0 waiting for another attempt, 0 failed for good." in response.content.decode()
    assert sorted(message.to[0] for message in mail.outbox) == ["failed@a", "waiting@a"]
    assert set(OutboxEmail.objects.values_list("state", flat=True)) == {OutboxState.SENT}


@pytest.mark.parametrize("who", ["anonymous", "shopper", "staff without rights"])
def test_only_staff_with_rights_see_the_outbox_or_retry(client, queued, who):
    if who != "anonymous":
        client.force_login(UserFactory(is_staff=who == "staff without rights"))
    response = client.get(CHANGELIST)
    assert response.status_code in (302, 403)
    response = client.post(CHANGELIST, {"action": "retry", "_selected_action": [queued["failed"].pk]})
    assert response.status_code in (302, 403)
    assert mail.outbox == []
    assert OutboxEmail.objects.get(pk=queued["failed"].pk).state == OutboxState.FAILED
