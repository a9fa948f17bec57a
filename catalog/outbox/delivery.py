"""
`deliver_due`: the outbox's rows that are due, sent through the real backend (OUTBOX_DELIVERY_BACKEND,
made from EMAIL_URL), and what came of each.

One row per transaction: the row is locked (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so two
workers, or a worker and a request, never hold the same row; SQLite has one writer at a time), sent,
and marked sent in that transaction only once the server accepted it. A sent row is never tried
again. A failure counts an attempt, keeps the error in one line (the exception's type and message,
never a password or an SMTP transcript) and waits: one minute, doubling up to six hours, give or
take a fifth, until OUTBOX_MAX_ATTEMPTS (16: about two days), after which the row has failed for
good. When the server cannot be reached at all, the pass stops at the first row: the others stay due,
untouched, for the next pass; and for `COOLDOWN` seconds the requests that queue emails leave them to
the worker instead of waiting on the server (`mail_server`, a circuit breaker).

The one gap left is the server's: if it accepts an email and the database fails before the row is
marked, the row is sent again later, with the same Message-ID, which mail systems read as one email.
"""

import logging
import random
import smtplib
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as database
from django.db import transaction
from django.utils import timezone

from catalog.models import OutboxEmail, OutboxState
from marketplace.breaker import CircuitBreaker

LONGEST_WAIT = timedelta(hours=6)
JITTER = 0.2
# Refused for this one message: the server is up, the next row may go through.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
ERROR_NO_RECIPIENTS = "The server took no recipient of this email."
# After the mail server could not be reached, requests leave their emails to the worker for this long
# (seconds) instead of each waiting up to EMAIL_TIMEOUT on it; the worker tries at every pass.
COOLDOWN = 30.0
mail_server = CircuitBreaker(
    cooldown=lambda: COOLDOWN,
    logger=logging.getLogger("atelier.outbox"),
    down="The mail server cannot be reached (%s): emails wait in the outbox.",
    back="The mail server answers again: the outbox is being sent.",
)


def deliver_due(*, limit: int = 100, ids: list[int] | None = None) -> Counter:
    """
    Send up to `limit` due rows (only those of `ids` if given), oldest due first.

    Returns how many were "sent", are "waiting" again, and "failed" for good.
    """
    outcome = Counter()
    backend = get_connection(settings.OUTBOX_DELIVERY_BACKEND, timeout=settings.EMAIL_TIMEOUT)
    tried: set[int] = set()
    for _ in range(limit):
        with transaction.atomic():
            row = _next_due(ids, tried)
            if row is None:
                break
            tried.add(row.pk)
            state, reachable = _attempt(row, backend)
        outcome[state] += 1
        if not reachable:
            mail_server.opened(row.last_error)
            break
        mail_server.closed()
    return outcome


def retry_now(rows) -> Counter:
    """Staff's "retry now": the rows not sent yet (failed for good included) are due now, and tried once."""
    ids = list(rows.exclude(state=OutboxState.SENT).values_list("pk", flat=True))
    OutboxEmail.objects.filter(pk__in=ids).exclude(state=OutboxState.SENT).update(
        state=OutboxState.WAITING, next_attempt_at=timezone.now()
    )
    return deliver_due(ids=ids, limit=len(ids))


def _next_due(ids, tried) -> OutboxEmail | None:
    rows = OutboxEmail.objects.filter(state=OutboxState.WAITING, next_attempt_at__lte=timezone.now())
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    if tried:
        rows = rows.exclude(pk__in=tried)
    lock = {"skip_locked": True} if database.features.has_select_for_update_skip_locked else {}
    return rows.order_by("next_attempt_at", "pk").select_for_update(**lock).first()


def _attempt(row: OutboxEmail, backend) -> tuple[str, bool]:
    """Send one locked row and record the outcome on it: (its state, whether the server could be reached)."""
    row.attempts += 1
    try:
        accepted = backend.send_messages([email_of(row)])
    except MESSAGE_ERRORS as error:
        return _wait_or_give_up(row, error), True
    except Exception as error:  # the server could not be reached, or broke off
        return _wait_or_give_up(row, error), False
    if not accepted:
        return _wait_or_give_up(row, ERROR_NO_RECIPIENTS), True
    row.state, row.sent_at, row.last_error = OutboxState.SENT, timezone.now(), ""
    row.save(update_fields=["state", "sent_at", "attempts", "last_error"])
    return row.state, True


def _wait_or_give_up(row: OutboxEmail, error) -> str:
    row.last_error = one_line(error)
    if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        row.state = OutboxState.FAILED
    else:
        row.next_attempt_at = timezone.now() + backoff(row.attempts)
    row.save(update_fields=["state", "attempts", "last_error", "next_attempt_at"])
    return row.state


def backoff(attempts: int) -> timedelta:
    """How long to wait after the n-th failed attempt: 1 min (OUTBOX_FIRST_WAIT), 2, 4, … up to 6 h, ± a fifth."""
    first = timedelta(seconds=settings.OUTBOX_FIRST_WAIT)
    wait = min(first * 2 ** min(attempts - 1, 20), LONGEST_WAIT)
    return wait * random.uniform(1 - JITTER, 1 + JITTER)


def one_line(error) -> str:
    """The error's type and message on one line, short: never a transcript of the SMTP session."""
    if isinstance(error, str):
        return error
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text if len(text) <= 300 else text[:299] + "…"


def email_of(row: OutboxEmail) -> EmailMultiAlternatives:
    """The row as the email it was queued as, with its own Message-ID and Date."""
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body or row.html_body,
        from_email=row.from_email,
        to=row.to,
        cc=row.cc,
        bcc=row.bcc,
        reply_to=row.reply_to,
        headers={**row.headers, "Message-ID": row.message_id},
    )
    if not row.body and row.html_body:
        message.content_subtype = "html"
    elif row.html_body:
        message.attach_alternative(row.html_body, "text/html")
    return message
