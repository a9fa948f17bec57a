"""The outbox: emails queued with the change, delivered after the commit or by the worker, retried, never twice."""

import smtplib
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from artisans.tests.factories import UserFactory
from catalog.models import OutboxEmail, OutboxState
from catalog.outbox.delivery import backoff, deliver_due, mail_server

pytestmark = pytest.mark.django_db
HERE = "catalog.outbox.tests.test_outbox"


class RefusingBackend(BaseEmailBackend):
    """A mail server that cannot be reached."""

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


class RecipientRefusingBackend(BaseEmailBackend):
    """A mail server that is up but refuses the recipient of `nobody@…`, and takes the rest (to locmem)."""

    def send_messages(self, messages):
        if any(address.startswith("nobody@") for message in messages for address in message.to):
            raise smtplib.SMTPRecipientsRefused({"nobody@atelier.example": (550, b"5.1.1 No such user")})
        return LocmemBackend().send_messages(messages)


class SlowBackend(LocmemBackend):
    """Takes a while to accept each email, so that two workers overlap."""

    def send_messages(self, messages):
        time.sleep(0.05)
        return super().send_messages(messages)


@pytest.fixture
def by_worker(settings):
    """Emails are only queued: the test runs the worker itself."""
    settings.OUTBOX_DELIVER = "worker"
    return settings


def an_email(to="shopper@atelier.example", subject="Your quote is ready") -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(subject, "Text part", "Atelier <hello@atelier.localhost>", [to])
    message.attach_alternative("<p>HTML part</p>", "text/html")
    return message


def test_the_backend_queues_the_whole_email_and_sends_nothing(by_worker):
    an_email().send()
    assert mail.outbox == []
    [row] = OutboxEmail.objects.all()
    assert (row.state, row.attempts, row.sent_at) == (OutboxState.WAITING, 0, None)
    assert row.to == ["shopper@atelier.example"] and row.from_email == "Atelier <hello@atelier.localhost>"
    assert (row.subject, row.body, row.html_body) == ("Your quote is ready", "Text part", "<p>HTML part</p>")
    assert row.message_id.startswith("<") and row.message_id.endswith(f"@{urlsplit(settings.SITE_URL).hostname}>")
    assert "Date" in row.headers


def test_the_worker_sends_it_as_it_was_queued_with_its_message_id(by_worker):
    an_email().send()
    row = OutboxEmail.objects.get()
    assert deliver_due()["sent"] == 1
    [sent] = mail.outbox
    assert sent.extra_headers["Message-ID"] == row.message_id
    assert sent.alternatives[0][0] == "<p>HTML part</p>" and sent.body == "Text part"
    assert sent.message()["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert row.state == OutboxState.SENT and row.attempts == 1 and row.sent_at is not None
    assert deliver_due() == {} and len(mail.outbox) == 1  # never sent twice


def test_an_html_only_email_and_django_send_mail_go_through_too(by_worker):
    send_mail("Plain", "Only text", None, ["a@atelier.example"], html_message="<b>and HTML</b>")
    html_only = EmailMultiAlternatives("HTML only", "<p>Hi</p>", None, ["b@atelier.example"])
    html_only.content_subtype = "html"
    html_only.send()
    assert deliver_due()["sent"] == 2
    plain, html = mail.outbox
    assert plain.alternatives[0][0] == "<b>and HTML</b>"
    assert html.content_subtype == "html" and html.body == "<p>Hi</p>"


def test_by_default_the_email_leaves_right_after_the_commit(settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_DELIVER = "on_commit"
    with django_capture_on_commit_callbacks(execute=True):
        an_email().send()
        assert mail.outbox == []  # not before the change commits
    assert len(mail.outbox) == 1
    assert OutboxEmail.objects.get().state == OutboxState.SENT


def test_an_email_rolled_back_with_its_change_is_never_sent(settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_DELIVER = "on_commit"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            UserFactory()
            an_email().send()
            raise RuntimeError("the change fails")
    assert callbacks == [] and mail.outbox == [] and not OutboxEmail.objects.exists()


def test_a_failure_waits_a_minute_then_longer_up_to_six_hours(by_worker):
    by_worker.OUTBOX_DELIVERY_BACKEND = f"{HERE}.RefusingBackend"
    an_email().send()
    before = timezone.now()
    assert deliver_due() == {"waiting": 1}
    row = OutboxEmail.objects.get()
    assert row.state == OutboxState.WAITING and row.attempts == 1
    assert row.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"
    assert timedelta(seconds=47) <= row.next_attempt_at - before <= timedelta(seconds=73)
    assert deliver_due() == {}  # not due yet
    assert [round(backoff(n).total_seconds() / 60) for n in (1, 2, 3)] != [] and all(
        timedelta(minutes=0.8 * 2 ** (n - 1)) <= backoff(n) <= timedelta(minutes=1.2 * 2 ** (n - 1)) for n in (1, 2, 5)
    )
    assert timedelta(hours=4.8) <= backoff(12) <= timedelta(hours=7.2)
    assert timedelta(hours=4.8) <= backoff(400) <= timedelta(hours=7.2)


def test_a_server_out_of_reach_ends_the_pass_and_leaves_the_others_untouched(by_worker):
    by_worker.OUTBOX_DELIVERY_BACKEND = f"{HERE}.RefusingBackend"
    for n in range(3):
        an_email(subject=f"Email {n}").send()
    assert deliver_due() == {"waiting": 1}
    assert sorted(OutboxEmail.objects.values_list("attempts", flat=True)) == [0, 0, 1]


def test_after_the_server_was_out_of_reach_requests_leave_their_emails_to_the_worker_for_a_while(
    settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_DELIVER = "on_commit"
    settings.OUTBOX_DELIVERY_BACKEND = f"{HERE}.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        an_email(subject="First").send()
    assert mail_server.is_open  # the request found the server out of reach

    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        an_email(subject="Second").send()
    # Not tried by the request (no wait on a server just found down): both wait for the worker.
    assert mail.outbox == []
    assert sorted(OutboxEmail.objects.values_list("subject", "attempts")) == [("First", 1), ("Second", 0)]

    mail_server.open_until = time.monotonic() - 0.01  # the cool-down is over
    with django_capture_on_commit_callbacks(execute=True):
        an_email(subject="Third").send()
    assert [message.subject for message in mail.outbox] == ["Third"]
    assert not mail_server.is_open
    assert deliver_due() == {"sent": 1}  # the worker sends the second now, the first after its minute's wait
    assert OutboxEmail.objects.get(subject="First").state == OutboxState.WAITING


def test_a_refused_recipient_does_not_hold_back_the_next_email(by_worker):
    by_worker.OUTBOX_DELIVERY_BACKEND = f"{HERE}.RecipientRefusingBackend"
    an_email(to="nobody@atelier.example").send()
    an_email(to="someone@atelier.example").send()
    assert deliver_due() == {"waiting": 1, "sent": 1}
    refused = OutboxEmail.objects.get(to=["nobody@atelier.example"])
    assert refused.last_error.startswith("SMTPRecipientsRefused: ") and "550" in refused.last_error
    assert [message.to for message in mail.outbox] == [["someone@atelier.example"]]


def test_after_the_last_attempt_it_has_failed_for_good(by_worker):
    by_worker.OUTBOX_DELIVERY_BACKEND = f"{HERE}.RefusingBackend"
    by_worker.OUTBOX_MAX_ATTEMPTS = 3
    an_email().send()
    for _ in range(3):
        OutboxEmail.objects.update(next_attempt_at=timezone.now())
        deliver_due()
    row = OutboxEmail.objects.get()
    assert row.state == OutboxState.FAILED and row.attempts == 3
    OutboxEmail.objects.update(next_attempt_at=timezone.now())
    assert deliver_due() == {}  # never tried again by the worker


def test_the_command_runs_one_pass(by_worker):
    an_email().send()
    an_email().send()
    call_command("send_outbox", stdout=(out := __import__("io").StringIO()))
    assert out.getvalue() == "2 sent, 0 waiting again, 0 failed for good.\n"
    assert len(mail.outbox) == 2


def test_the_command_honours_its_limit(by_worker):
    for _ in range(3):
        an_email().send()
    call_command("send_outbox", "--limit", "2", stdout=__import__("io").StringIO())
    assert len(mail.outbox) == 2
    assert OutboxEmail.objects.filter(state=OutboxState.WAITING).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED is PostgreSQL's; SQLite has one writer")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_send_an_email_twice(by_worker):
    by_worker.OUTBOX_DELIVERY_BACKEND = f"{HERE}.SlowBackend"
    for n in range(40):
        an_email(subject=f"Email {n}").send()
    start = threading.Barrier(2)
    outcomes = []

    def worker():
        start.wait()
        try:
            outcomes.append(deliver_due(limit=100))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    message_ids = [message.extra_headers["Message-ID"] for message in mail.outbox]
    assert len(message_ids) == 40 and len(set(message_ids)) == 40
    assert all(outcome["sent"] > 0 for outcome in outcomes), outcomes  # both took part
    assert OutboxEmail.objects.filter(state=OutboxState.SENT, attempts=1).count() == 40


def with_attachment() -> EmailMultiAlternatives:
    message = an_email()
    message.attach("terms.txt", "The terms", "text/plain")
    return message


def test_an_attachment_is_refused_rather_than_dropped(by_worker):
    with pytest.raises(ValueError, match="a text part and an HTML part"):
        with_attachment().send()
    assert with_attachment().send(fail_silently=True) == 0
    assert not OutboxEmail.objects.exists()
