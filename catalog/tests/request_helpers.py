"""Shared setup for the request tests: the six actors and a request placed in any state."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.models import RequestState
from catalog.personalization import flow
from catalog.tests.factories import PersonalizationRequestFactory, image_file

ACTORS = ["shopper", "artisan", "other_artisan", "other_shopper", "staff", "anonymous"]


def actors_for(request):
    return {
        "shopper": request.shopper,
        "artisan": request.artisan.user,
        "other_artisan": ArtisanFactory().user,
        "other_shopper": UserFactory(),
        "staff": StaffFactory(),
        "anonymous": AnonymousUser(),
    }


def request_in(state, **fields):
    """A request stored directly in `state`, with what that state has been given on the way."""
    today = timezone.localdate()
    given = {}
    after_quote = {
        RequestState.QUOTED,
        RequestState.ACCEPTED,
        RequestState.PROOF_SHARED,
        RequestState.PROOF_APPROVED,
        RequestState.IN_PROGRESS,
        RequestState.COMPLETED,
        RequestState.WITHDRAWN,
        RequestState.EXPIRED,
    }
    if state in after_quote:
        expires = (
            today - datetime.timedelta(days=3) if state == RequestState.EXPIRED else today + datetime.timedelta(days=7)
        )
        given.update(
            quote_price=Decimal("240.00"), quote_lead_days=21, quote_message="Happy to.", quote_expires_on=expires
        )
    given.update(fields)
    return PersonalizationRequestFactory(state=state, **given)


def perform(action, request, user):
    """Call the service for `action` with valid arguments."""
    today = timezone.localdate()
    calls = {
        "quote": lambda: flow.request_quote(
            request=request,
            user=user,
            price=Decimal("250"),
            lead_days=14,
            message="Yes",
            expires_on=today + datetime.timedelta(days=10),
        ),
        "accept": lambda: flow.request_accept(request=request, user=user),
        "share_proof": lambda: flow.request_share_proof(request=request, user=user, image=image_file(), note="Layout"),
        "approve_proof": lambda: flow.request_approve_proof(request=request, user=user),
        "request_changes": lambda: flow.request_ask_changes(request=request, user=user, note="Bigger letters"),
        "start": lambda: flow.request_start(request=request, user=user),
        "complete": lambda: flow.request_complete(request=request, user=user),
        "decline": lambda: flow.request_decline(request=request, user=user, reason="Too busy"),
        "withdraw": lambda: flow.request_withdraw(request=request, user=user),
        "close": lambda: flow.request_close(request=request, user=user, note="Spam"),
        "expire": lambda: flow.request_transition(request=request, action="expire", user=user),
        "shopper_left": lambda: flow.request_transition(request=request, action="shopper_left", user=user),
    }
    return calls[action]()


def form_url(piece):
    """The request form of `piece`."""
    return reverse("requests:create_for_piece", args=[piece.slug])
