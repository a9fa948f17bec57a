"""
`OutboxBackend`: the site's EMAIL_BACKEND. It sends nothing itself: each message becomes an
`OutboxEmail` row in the current transaction (so it commits with the change it tells of, or not
at all), with a Message-ID and a Date fixed now, the same on every attempt.

OUTBOX_DELIVER says when the rows are tried: "on_commit" (production: right after the transaction
commits, by the request that queued them, with the short EMAIL_TIMEOUT; a failure there is logged
and left to the `send_outbox` worker, never shown to the person), "at_once" (the tests: inside
`send_messages`, so that Django's `mail.outbox` fills as it did before the outbox) or "worker"
(only `send_outbox` sends).
"""

import logging
from email.utils import formatdate
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import make_msgid
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from catalog.models import OutboxEmail
from catalog.outbox.delivery import deliver_due, mail_server

log = logging.getLogger(__name__)

ERROR_PARTS = "The outbox carries a text part and an HTML part; this email has %(parts)s."


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        try:
            with transaction.atomic():  # a savepoint: a row that cannot be written leaves the transaction usable
                rows = [OutboxEmail.objects.create(**outbox_fields(message)) for message in email_messages]
        except Exception:
            if not self.fail_silently:
                raise
            log.warning("outbox: emails could not be queued", exc_info=True)
            return 0
        ids = [row.pk for row in rows]
        if ids and settings.OUTBOX_DELIVER == "at_once":
            deliver_due(ids=ids, limit=len(ids))
        elif ids and settings.OUTBOX_DELIVER == "on_commit":
            transaction.on_commit(partial(deliver_after_commit, ids))
        return len(rows)


def deliver_after_commit(ids: list[int]) -> None:
    """Try the rows this request queued, now that they are committed; whatever goes wrong is the worker's."""
    if mail_server.is_open:  # the server could not be reached a moment ago: no request waits on it again
        return
    try:
        deliver_due(ids=ids, limit=len(ids))
    except Exception:
        log.warning("outbox: the emails %s wait for the worker", ids, exc_info=True)


def outbox_fields(message) -> dict:
    """An `EmailMessage` (or `EmailMultiAlternatives`) as the fields of its `OutboxEmail` row."""
    extra = [alternative for alternative in getattr(message, "alternatives", []) if alternative[1] != "text/html"]
    if message.attachments or extra:
        raise ValueError(ERROR_PARTS % {"parts": "attachments or other parts"})
    html = [content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"]
    body, html_body = message.body, html[0] if html else ""
    if message.content_subtype == "html":
        body, html_body = "", message.body
    headers = {str(name): str(value) for name, value in message.extra_headers.items()}
    message_id = headers.pop("Message-ID", "") or make_msgid(domain=urlsplit(settings.SITE_URL).hostname or None)
    headers.setdefault("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME))
    return {
        "message_id": message_id,
        "from_email": message.from_email or settings.DEFAULT_FROM_EMAIL,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "subject": str(message.subject),
        "body": body,
        "html_body": html_body,
        "headers": headers,
    }
