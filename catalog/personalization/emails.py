"""
Email about personalization requests: every transition and every message
tells the other party, as HTML with a text part and a link to the request.

Called by `catalog.personalization.flow` inside the transaction of the change: the email is
queued in the outbox (catalog.outbox) with it, so nobody is told about a change that was rolled
back, and everyone is told of one that committed, even with the mail server down.

Part of the personalization room: called by its flow only.
"""

from django.urls import reverse

from artisans.emails import send_templated_email
from catalog.personalization.roles import ARTISAN, SHOPPER

SUBJECTS = {
    "submit": "New personalization request",
    "quote": "Your quote is ready",
    "accept": "Your quote was accepted",
    "share_proof": "A proof to check",
    "approve_proof": "The proof was approved",
    "request_changes": "Changes asked to the proof",
    "start": "Your piece is being made",
    "complete": "Your piece is finished",
    "decline": "Your request was declined",
    "withdraw": "A request was withdrawn",
    "expire": "A quote expired",
    "close": "A request was closed by staff",
    "shopper_left": "A request was withdrawn: the shopper deleted their account",
    "message": "New message about a request",
}


def request_notify(*, request, action: str, actor_role: str) -> None:
    """Email the party that did not act (both parties when staff or the system acted)."""
    shopper_link = reverse("requests:detail", args=[request.pk])
    artisan_link = reverse("studio:request_detail", args=[request.pk])
    recipients = []
    # No shopper to tell once they deleted their account (or while they are deleting it).
    if actor_role != SHOPPER and request.shopper is not None and action != "shopper_left":
        recipients.append((request.shopper.email, shopper_link, request.shopper.get_full_name() or "there"))
    if actor_role != ARTISAN:
        recipients.append((request.artisan.user.email, artisan_link, request.artisan.name))
    last = request.messages.order_by("-created_at", "-id").first()
    for email, link, name in recipients:
        if not email:
            continue
        send_templated_email(
            to=email,
            template="emails/request_update",
            context={
                "request": request,
                "action": action,
                "headline": SUBJECTS[action],
                "name": name,
                "link": link,
                "last": last,
            },
        )
