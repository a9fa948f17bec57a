"""
The shopper's side of personalization requests (/requests/), and the action
handling the maker's inbox shares (`perform_action`).

Every view reaches requests through `PersonalizationRequest.objects.for_shopper`
(or `for_artisan` in the studio), so another user gets a 404 and an anonymous
visitor is sent to sign in. The transitions themselves are in
`catalog.personalization.flow`; these views only read forms and report the outcome.
What a page offers comes from the flow too (`decorate`): the actions that can
succeed now, each with the words of its button (`offers`), the forward steps
first and withdrawing lower down; and the request's prices and days (`terms`).
Accepting a quote goes through its summary page (`RequestConfirmView`), whose
signed confirmation the accept POST must carry.

Part of the personalization room: the studio's inbox (catalog.studio.request_views) builds on its
base views.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, FormView, ListView, View

from artisans.choices import ArtisanStatus
from artisans.models import Artisan
from catalog.models import PersonalizationRequest, Piece, RequestState
from catalog.personalization import flow
from catalog.personalization.forms import (
    AcceptForm,
    MessageForm,
    NoteForm,
    ProofForm,
    QuoteForm,
    RequestForm,
    accept_confirmation,
)
from catalog.personalization.terms import request_terms
from marketplace.ratelimit import RateLimited, limit_hit, too_many_requests
from marketplace.storage import StorageUnavailable

MESSAGE_SENT = "Your request is with %(maker)s. You will get an email when they answer."
MESSAGE_DONE = {
    "quote": "Quote sent.",
    "accept": "You accepted the quote. The maker will share a proof or start making.",
    "decline": "Request declined.",
    "share_proof": "Proof shared; the shopper will check it.",
    "approve_proof": "You approved the proof.",
    "request_changes": "Your changes are with the maker.",
    "start": "Marked as being made.",
    "complete": "Marked as finished.",
    "withdraw": "Done: the request is withdrawn, and the maker is told.",
    "message": "Message sent.",
}
DRAFT_KEY = "request_draft:%s"

# Which form each action reads, and how its fields map to the service's arguments.
ACTIONS = {
    "quote": (
        QuoteForm,
        lambda d: {k: d[k] for k in ("price", "lead_days", "message", "expires_on")},
        flow.request_quote,
    ),
    "accept": (AcceptForm, lambda d: {}, flow.request_accept),
    "decline": (NoteForm, lambda d: {"reason": d["note"]}, flow.request_decline),
    "share_proof": (ProofForm, lambda d: {"image": d["image"], "note": d["note"]}, flow.request_share_proof),
    "approve_proof": (None, dict, flow.request_approve_proof),
    "request_changes": (NoteForm, lambda d: {"note": d["note"]}, flow.request_ask_changes),
    "start": (None, dict, flow.request_start),
    "complete": (None, dict, flow.request_complete),
    "withdraw": (None, dict, flow.request_withdraw),
}


# The words of each action's button; `offers` words withdrawing from a quote as declining it.
BUTTON_LABELS = {
    "quote": "Send quote",
    "accept": "Accept the quote",
    "decline": "Decline the request",
    "share_proof": "Share the proof",
    "approve_proof": "Approve the proof",
    "request_changes": "Ask for changes",
    "start": "Start making",
    "complete": "Mark as finished",
    "withdraw": "Withdraw the request",
}


@dataclass(frozen=True)
class Offer:
    """An action the page offers, with its button's words; `later` ones sit below the next step."""

    action: str
    label: str
    later: bool = False


def offers(item, actions) -> list[Offer]:
    """
    The buttons for the actions open now. A quote is accepted or declined, and the page says so:
    then withdrawing is the "Decline the quote" button beside "Accept the quote". In any other
    state withdrawing is not the next step but a way out, offered lower down.
    """
    quoted = item.shown_state == RequestState.QUOTED
    result = []
    for action in actions:
        if action == "withdraw":
            result.append(Offer(action, "Decline the quote" if quoted else BUTTON_LABELS[action], later=not quoted))
        else:
            result.append(Offer(action, BUTTON_LABELS[action]))
    return result


def decorate(requests, user, *, terms=False):
    """
    Set what the templates read for each request: the actions open to this user and why others
    wait; with `terms`, its prices and days (which read the piece's options: prefetch them).
    """
    for item in requests:
        item.open_actions = flow.actions_open_to(item, user)
        offered = offers(item, item.open_actions)
        item.next_offers = [offer for offer in offered if not offer.later]
        item.later_offers = [offer for offer in offered if offer.later]
        item.held_back = [refused.messages[0] for refused in flow.actions_held_back(item, user)]
        item.can_message = item.shown_state in flow.OPEN_STATES
        if terms:
            item.terms = request_terms(item)
    return requests


def perform_action(http_request, item, action):
    """Run one action from a POST; a message says what happened, or why it was refused."""
    if action == "message":
        form = MessageForm(http_request.POST)
        if not form.is_valid():
            messages.error(http_request, flow.ERROR_EMPTY_MESSAGE)
            return
        limit_hit(
            scope="message",
            key=http_request.user.pk,
            limit=settings.MESSAGES_PER_MINUTE,
            window=60,
        )
        call = lambda: flow.request_message_send(request=item, user=http_request.user, body=form.cleaned_data["body"])  # noqa: E731
    else:
        if action not in ACTIONS:
            raise Http404
        form_class, arguments, service = ACTIONS[action]
        data = {}
        if form_class is not None:
            form = form_class(http_request.POST, http_request.FILES, item=item, user=http_request.user)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(http_request, error)
                return
            data = arguments(form.cleaned_data)
        call = lambda: service(request=item, user=http_request.user, **data)  # noqa: E731
    try:
        call()
    except flow.RequestRefused as refused:
        for message in refused.messages:
            messages.error(http_request, message)
    except StorageUnavailable as error:
        messages.error(http_request, error.message)
    else:
        messages.success(http_request, MESSAGE_DONE[action])


class ShopperRequestsMixin(LoginRequiredMixin):
    def get_queryset(self):
        return PersonalizationRequest.objects.for_shopper(self.request.user).with_thread()


class RequestListView(ShopperRequestsMixin, ListView):
    """The shopper's requests, newest first, each with its thread and actions. 5 queries whatever their number."""

    template_name = "requests/request_list.html"
    context_object_name = "requests"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        decorate(context["requests"], self.request.user)
        return context


class BaseRequestDetailView(DetailView):
    """One request with its thread, for whichever side the mixin scopes it to."""

    context_object_name = "item"

    def get_object(self, queryset=None):
        if queryset is None:
            queryset = self.get_queryset()
        queryset = queryset.prefetch_related("piece__personalization_options")
        return decorate([super().get_object(queryset)], self.request.user, terms=True)[0]


class BaseRequestActionView(View):
    """A transition or a message, posted by whichever side the mixin scopes the request to."""

    http_method_names = ["post"]
    detail_url_name = None

    def post(self, request, pk, action):
        item = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            perform_action(request, item, action)
        except RateLimited as error:
            return too_many_requests(request, error)
        return redirect(self.detail_url_name, pk=item.pk)


class RequestDetailView(ShopperRequestsMixin, BaseRequestDetailView):
    template_name = "requests/request_detail.html"


class RequestActionView(ShopperRequestsMixin, BaseRequestActionView):
    detail_url_name = "requests:detail"


class RequestConfirmView(ShopperRequestsMixin, BaseRequestDetailView):
    """
    The quote's summary before accepting it: the piece and options asked for, the total, the date
    it gives, with "Accept this quote" and a way back. Its button carries the signed confirmation
    without which the accept POST is refused. A quote that cannot be accepted sends the shopper
    back to the request with the reason. 4 queries of its own (the request with its piece, maker
    and shopper; its thread; its photos; the piece's options), whatever the number of each.
    """

    template_name = "requests/request_confirm.html"

    def get(self, request, *args, **kwargs):
        self.object = item = self.get_object()
        if "accept" not in item.open_actions:
            refused = flow.refusal(item, "accept") or flow.RequestRefused(
                flow.ERROR_WRONG_STATE, code="wrong_state", params={"state": item.get_shown_state_display()}
            )
            messages.error(request, refused.messages[0])
            return redirect("requests:detail", pk=item.pk)
        confirmation = accept_confirmation(item, request.user)
        return self.render_to_response(self.get_context_data(object=item, confirmation=confirmation))


class RequestCreateView(FormView):
    """
    The request form, from a piece (its options) or a maker's page (a commission).

    A visitor who is not signed in may fill it in: on sending, what they typed
    (but not the photos) is kept in the session while they sign in, and the
    form comes back filled in.
    """

    template_name = "requests/request_form.html"
    form_class = RequestForm

    def dispatch(self, request, *args, **kwargs):
        if "slug" in kwargs:
            self.piece = get_object_or_404(
                Piece.objects.published().select_related("artisan").prefetch_related("personalization_options"),
                slug=kwargs["slug"],
            )
            if not self.piece.personalization_options.all():
                raise Http404
            self.artisan = self.piece.artisan
        else:
            self.piece = None
            self.artisan = get_object_or_404(Artisan, slug=kwargs["artisan_slug"], status=ArtisanStatus.APPROVED)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["piece"] = self.piece
        draft = self.request.session.pop(DRAFT_KEY % self.request.path, None)
        if draft and self.request.method == "GET":
            kwargs["initial"] = draft
        return kwargs

    def post(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            request.session[DRAFT_KEY % request.path] = {
                key: request.POST.getlist(key) if key in ("options", "kinds") else request.POST.get(key)
                for key in request.POST
                if key != "csrfmiddlewaretoken"
            }
            return redirect_to_login(request.get_full_path())
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            limit_hit(scope="request", key=self.request.user.pk, limit=settings.REQUESTS_PER_HOUR, window=3600)
            item = flow.request_submit(
                shopper=self.request.user,
                artisan=self.artisan,
                piece=self.piece,
                kinds=data["kinds"],
                engraving_text=data.get("engraving_text", ""),
                size=data.get("size", ""),
                material_choice=data.get("material_choice", ""),
                details=data["details"],
                budget=data["budget"],
                needed_by=data["needed_by"],
                photos=data["photos"],
            )
        except RateLimited as error:
            return too_many_requests(self.request, error)
        except flow.RequestRefused as refused:
            form.add_error(None, refused)
            return self.form_invalid(form)
        except StorageUnavailable as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, MESSAGE_SENT % {"maker": self.artisan.name})
        return redirect("requests:detail", pk=item.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(piece=self.piece, artisan=self.artisan, **kwargs)
