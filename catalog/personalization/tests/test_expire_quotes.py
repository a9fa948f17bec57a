"""`manage.py expire_quotes`: closes quotes past their date, tells both parties, and is idempotent."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from catalog.models import RequestState
from catalog.tests.request_helpers import request_in

pytestmark = pytest.mark.django_db
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def run():
    out = StringIO()
    call_command("expire_quotes", stdout=out)
    return out.getvalue()


def test_expires_quotes_past_their_date_and_leaves_the_rest(django_capture_on_commit_callbacks):
    due = request_in(RequestState.QUOTED, quote_expires_on=YESTERDAY)
    today = request_in(RequestState.QUOTED, quote_expires_on=timezone.localdate())
    accepted = request_in(RequestState.ACCEPTED, quote_expires_on=YESTERDAY)
    with django_capture_on_commit_callbacks(execute=True):
        assert run() == "1 quote(s) expired.\n"
    for request in (due, today, accepted):
        request.refresh_from_db()
    assert (due.state, today.state, accepted.state) == (
        RequestState.EXPIRED,
        RequestState.QUOTED,
        RequestState.ACCEPTED,
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([due.shopper.email, due.artisan.user.email])


def test_a_second_run_does_nothing(django_capture_on_commit_callbacks):
    request_in(RequestState.QUOTED, quote_expires_on=YESTERDAY)
    run()
    mail.outbox.clear()  # the first run's emails
    with django_capture_on_commit_callbacks(execute=True):
        assert run() == "0 quote(s) expired.\n"
    assert mail.outbox == []


def test_an_expired_quote_reads_as_expired_before_the_command_runs():
    request = request_in(RequestState.QUOTED, quote_expires_on=YESTERDAY)
    assert request.state == RequestState.QUOTED
    assert request.shown_state == RequestState.EXPIRED
    assert request.get_shown_state_display() == "Quote expired"
