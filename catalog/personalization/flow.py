"""
The personalization request's state machine: one table of transitions and one
function that performs them, and the services built on it (`request_submit`,
`request_quote`, `request_accept`, ...).

Guarantees, for every transition:
- it is allowed only from the states of its row and only to the actor of its
  row (the shopper, the request's maker, staff, or the system for expiry);
  anyone else is refused and nothing changes;
- it runs in one transaction, writes the new state with a conditional UPDATE
  (`WHERE pk = … AND state = <the state it was checked in>`), so when two race
  (two tabs accepting one quote, the maker declining while the shopper
  withdraws) exactly one UPDATE matches a row and the other is refused with
  `ERROR_CHANGED_MEANWHILE`;
- it leaves a line in the request's thread and queues an email to the other
  party in the same transaction (the outbox sends it once committed).

Staff closing a request is a transition to its own `closed` state (with a
note), so that the history tells a staff decision from the maker's.

Part of the personalization room, its core: the shopper's views (and through them the studio's
inbox), the admin, the template tags and the `expire_quotes` command call it.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from artisans.choices import ArtisanStatus
from catalog.choices import PersonalizationKind
from catalog.models import PersonalizationRequest, RequestMessage, RequestPhoto, RequestState
from catalog.personalization.emails import request_notify
from catalog.personalization.roles import ARTISAN, SHOPPER, STAFF, SYSTEM

S = RequestState

ERROR_NOT_ALLOWED = "You cannot do that with this request."
ERROR_WRONG_STATE = "This request is “%(state)s”: that step is not open any more."
ERROR_CHANGED_MEANWHILE = (
    "Someone changed this request a moment ago (it is now “%(state)s”); nothing was done. Look at it again."
)
ERROR_QUOTE_EXPIRED = "This quote expired on %(date)s; ask the maker for a new one."
ERROR_PROOF_NEEDED = (
    "A request with engraving text can start only once the shopper has approved a proof showing the exact text."
)
ERROR_REASON_NEEDED = "Say why, in a sentence: the other side will read it."
ERROR_PROOF_IMAGE_NEEDED = "Add the proof: a sketch, a render or the engraving layout."
ERROR_EXPIRY_PAST = "A quote must stay open until today or later."
ERROR_NEGATIVE_PRICE = "A price cannot be negative."
ERROR_EMPTY_MESSAGE = "Write a message first."
ERROR_MAKER_NOT_APPROVED = "This maker does not take requests at the moment."
ERROR_OWN_PIECE = "You cannot send a request to yourself."
ERROR_MESSAGE_CLOSED = "This request is closed; messages can no longer be sent."


class RequestRefused(ValidationError):
    """A transition that was not allowed; its message says why, for the person who tried."""


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    actor: str
    label: str


def _t(sources, target, actor, label):
    return Transition(frozenset(sources), target, actor, label)


# States in which a request is still going: the thread takes messages and staff may close it.
OPEN_STATES = frozenset({S.SUBMITTED, S.QUOTED, S.ACCEPTED, S.PROOF_SHARED, S.PROOF_APPROVED, S.IN_PROGRESS})

# The one table: action → (from which states, to which state, by whom).
TRANSITIONS = {
    "quote": _t({S.SUBMITTED}, S.QUOTED, ARTISAN, "sent a quote"),
    "accept": _t({S.QUOTED}, S.ACCEPTED, SHOPPER, "accepted the quote"),
    "share_proof": _t({S.ACCEPTED}, S.PROOF_SHARED, ARTISAN, "shared a proof"),
    "approve_proof": _t({S.PROOF_SHARED}, S.PROOF_APPROVED, SHOPPER, "approved the proof"),
    "request_changes": _t({S.PROOF_SHARED}, S.ACCEPTED, SHOPPER, "asked for changes to the proof"),
    "start": _t({S.ACCEPTED, S.PROOF_APPROVED}, S.IN_PROGRESS, ARTISAN, "started making the piece"),
    "complete": _t({S.IN_PROGRESS}, S.COMPLETED, ARTISAN, "finished the piece"),
    "decline": _t({S.SUBMITTED, S.QUOTED}, S.DECLINED, ARTISAN, "declined the request"),
    "withdraw": _t({S.SUBMITTED, S.QUOTED, S.ACCEPTED, S.PROOF_SHARED}, S.WITHDRAWN, SHOPPER, "withdrew the request"),
    "expire": _t({S.QUOTED}, S.EXPIRED, SYSTEM, "the quote expired"),
    "close": _t(OPEN_STATES, S.CLOSED, STAFF, "closed the request"),
    # The shopper deleted their account (catalog.people.services.account_delete): nobody is left to
    # accept, approve or receive the piece, so the request ends as withdrawn, and the thread says why.
    "shopper_left": _t(OPEN_STATES, S.WITHDRAWN, SYSTEM, "withdrew the request: the shopper deleted their account"),
}


def role_of(request: PersonalizationRequest, user) -> str | None:
    """The part this user plays in the request: shopper, artisan, staff, or None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.pk == request.shopper_id:
        return SHOPPER
    if user.pk == request.artisan.user_id:
        return ARTISAN
    if user.is_staff:
        return STAFF
    return None


def actions_open_to(request: PersonalizationRequest, user) -> list[str]:
    """
    The actions this user may take now, for the page to offer: the table's rows for this role and
    state whose rules (`refusal`) let them through, so a page never offers a step that would be
    refused. The check is redone on POST.
    """
    role = role_of(request, user)
    state = request.shown_state
    return [
        name
        for name, row in TRANSITIONS.items()
        if row.actor == role and state in row.sources and name != "close" and refusal(request, name) is None
    ]


def actions_held_back(request: PersonalizationRequest, user) -> list[RequestRefused]:
    """Why the steps this user's role could take in this state are refused now (e.g. starting before a proof)."""
    role = role_of(request, user)
    state = request.shown_state
    held = (
        refusal(request, name)
        for name, row in TRANSITIONS.items()
        if row.actor == role and state in row.sources and name != "close"
    )
    return [refused for refused in held if refused is not None]


def refusal(request: PersonalizationRequest, action: str) -> RequestRefused | None:
    """The rules on top of the table, in one place: why `action` cannot happen now, or None."""
    if action == "accept" and request.quote_has_expired:
        return RequestRefused(ERROR_QUOTE_EXPIRED, code="quote_expired", params={"date": request.quote_expires_on})
    if action == "start" and request.engraving_text and request.approved_text != request.engraving_text:
        return RequestRefused(ERROR_PROOF_NEEDED, code="proof_needed")
    if action == "expire" and not request.quote_has_expired:
        return RequestRefused(ERROR_WRONG_STATE, code="wrong_state", params={"state": request.get_state_display()})
    return None


def request_transition(*, request: PersonalizationRequest, action: str, user, note: str = "", **fields):
    """
    Perform `action` on the request as `user` (None for the system), or raise RequestRefused.

    On success the instance is refreshed and the new state is committed with
    its thread line; the loser of a race gets ERROR_CHANGED_MEANWHILE.
    """
    row = TRANSITIONS[action]
    role = SYSTEM if user is None and row.actor == SYSTEM else role_of(request, user)
    if role != row.actor:
        raise RequestRefused(ERROR_NOT_ALLOWED, code="not_allowed")
    with transaction.atomic():
        request.refresh_from_db()
        if request.state not in row.sources:
            raise RequestRefused(ERROR_WRONG_STATE, code="wrong_state", params={"state": request.get_state_display()})
        refused = refusal(request, action)
        if refused is not None:
            raise refused
        now = timezone.now()
        changed = PersonalizationRequest.objects.filter(pk=request.pk, state=request.state).update(
            state=row.target, updated_at=now, **fields
        )
        if not changed:
            request.refresh_from_db()
            raise RequestRefused(
                ERROR_CHANGED_MEANWHILE, code="changed_meanwhile", params={"state": request.get_state_display()}
            )
        RequestMessage.objects.create(request=request, author=user, action=action, body=note, created_at=now)
        request.refresh_from_db()

        request_notify(request=request, action=action, actor_role=role)
    return request


# --- Services -------------------------------------------------------------------


def request_submit(
    *,
    shopper,
    artisan,
    piece=None,
    kinds: list[str],
    engraving_text: str = "",
    size: str = "",
    material_choice: str = "",
    details: str = "",
    budget: Decimal | None = None,
    needed_by: datetime.date | None = None,
    photos=(),
) -> PersonalizationRequest:
    """Open a request (the form has checked the fields against the piece's options)."""
    if artisan.status != ArtisanStatus.APPROVED:
        raise RequestRefused(ERROR_MAKER_NOT_APPROVED, code="maker_not_approved")
    if artisan.user_id == shopper.pk:
        raise RequestRefused(ERROR_OWN_PIECE, code="own_piece")
    with transaction.atomic():
        request = PersonalizationRequest(
            shopper=shopper,
            artisan=artisan,
            piece=piece,
            kinds=[kind for kind in PersonalizationKind.values if kind in kinds],
            engraving_text=engraving_text,
            size=size,
            material_choice=material_choice,
            details=details,
            budget=budget,
            needed_by=needed_by,
        )
        request.full_clean()
        request.save()
        RequestPhoto.objects.bulk_create([RequestPhoto(request=request, image=photo) for photo in photos])
        RequestMessage.objects.create(request=request, author=shopper, action="submit", body="")

        request_notify(request=request, action="submit", actor_role=SHOPPER)
    return request


def request_quote(*, request, user, price: Decimal, lead_days: int, message: str, expires_on: datetime.date):
    if price is None or price < 0:
        raise RequestRefused(ERROR_NEGATIVE_PRICE, code="negative_price")
    if expires_on < timezone.localdate():
        raise RequestRefused(ERROR_EXPIRY_PAST, code="expiry_past")
    return request_transition(
        request=request,
        action="quote",
        user=user,
        note=message,
        quote_price=price,
        quote_lead_days=lead_days,
        quote_message=message,
        quote_expires_on=expires_on,
    )


def request_accept(*, request, user):
    return request_transition(request=request, action="accept", user=user)


def request_decline(*, request, user, reason: str):
    if not reason.strip():
        raise RequestRefused(ERROR_REASON_NEEDED, code="reason_needed")
    return request_transition(request=request, action="decline", user=user, note=reason, closing_note=reason)


def request_share_proof(*, request, user, image, note: str = ""):
    if not image:
        raise RequestRefused(ERROR_PROOF_IMAGE_NEEDED, code="proof_image_needed")
    if role_of(request, user) == ARTISAN and request.state == S.ACCEPTED:
        # The file is stored first (outside the conditional UPDATE, which cannot write files).
        request.proof_image.save(image.name, image, save=False)
        stored = request.proof_image.name
    else:
        stored = ""
    try:
        return request_transition(
            request=request,
            action="share_proof",
            user=user,
            note=note,
            proof_image=stored,
            proof_note=note,
            proof_text=request.engraving_text,
        )
    except Exception:
        # Refused (the shopper withdrew meanwhile) or failed: the stored file belongs to nothing.
        if stored:
            request.proof_image.storage.delete(stored)
        raise


def request_approve_proof(*, request, user):
    # The approved text is the one the proof showed, recorded at the moment of approval.
    return request_transition(request=request, action="approve_proof", user=user, approved_text=request.proof_text)


def request_ask_changes(*, request, user, note: str):
    if not note.strip():
        raise RequestRefused(ERROR_REASON_NEEDED, code="reason_needed")
    return request_transition(request=request, action="request_changes", user=user, note=note, approved_text="")


def request_start(*, request, user):
    return request_transition(request=request, action="start", user=user)


def request_complete(*, request, user):
    return request_transition(request=request, action="complete", user=user)


def request_withdraw(*, request, user):
    return request_transition(request=request, action="withdraw", user=user)


def request_close(*, request, user, note: str):
    if not note.strip():
        raise RequestRefused(ERROR_REASON_NEEDED, code="reason_needed")
    return request_transition(request=request, action="close", user=user, note=note, closing_note=note)


def request_expire(*, request):
    return request_transition(request=request, action="expire", user=None)


def requests_shopper_left(*, shopper) -> int:
    """
    Withdraw every open request of `shopper`, who is deleting their account, so that no maker quotes
    or makes for a ghost; each maker is told by email. Returns how many. Called inside the deletion's
    transaction: a refusal (a maker changed a request meanwhile) rolls the whole deletion back.
    """
    open_requests = PersonalizationRequest.objects.filter(shopper=shopper, state__in=OPEN_STATES)
    withdrawn = 0
    for request in open_requests.select_related("artisan__user").order_by("pk"):
        request_transition(request=request, action="shopper_left", user=None)
        withdrawn += 1
    return withdrawn


def requests_expire_due() -> int:
    """Close every quote past its expiry date; returns how many. Idempotent: a second run finds none."""
    due = PersonalizationRequest.objects.filter(state=S.QUOTED, quote_expires_on__lt=timezone.localdate())
    expired = 0
    for request in due.select_related("artisan").iterator():
        try:
            request_expire(request=request)
        except RequestRefused:
            continue  # accepted, withdrawn or declined meanwhile: nothing to expire.
        expired += 1
    return expired


def request_message_send(*, request, user, body: str) -> RequestMessage:
    """Add a plain-text message to the thread (by the shopper or the maker) and email the other side."""
    role = role_of(request, user)
    if role not in (SHOPPER, ARTISAN):
        raise RequestRefused(ERROR_NOT_ALLOWED, code="not_allowed")
    body = body.strip()
    if not body:
        raise RequestRefused(ERROR_EMPTY_MESSAGE, code="empty_message")
    if request.shown_state not in OPEN_STATES:
        raise RequestRefused(ERROR_MESSAGE_CLOSED, code="closed")
    with transaction.atomic():
        message = RequestMessage.objects.create(request=request, author=user, body=body[: settings.REQUEST_MESSAGE_MAX])

        request_notify(request=request, action="message", actor_role=role)
    return message
