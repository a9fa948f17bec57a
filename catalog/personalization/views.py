"""
The shopper's side of personalization requests (/requests/), and the action
handling the maker's inbox shares (`perform_action`).

Every view reaches requests through `PersonalizationRequest.objects.for_shopper`
(or `for_artisan` in the studio), so another user gets a 404 and an anonymous
visitor is sent to sign in. The transitions themselves are in
`catalog.personalization.flow`; these views only read forms and report the outcome.

Part of the personalization room: the studio's inbox (catalog.studio.request_views) builds on its
base views.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, FormView, ListView, View

from artisans.choices import ArtisanStatus
from artisans.models import Artisan
from catalog.models import PersonalizationRequest, Piece
from catalog.personalization import flow
from catalog.personalization.forms import MessageForm, NoteForm, ProofForm, QuoteForm, RequestForm
from marketplace.ratelimit import RateLimited, limit_hit, too_many_requests

MESSAGE_SENT = "Your request is with %(maker)s. You will get an email when they answer."
MESSAGE_DONE = {
    "quote": "Quote sent.",
    "accept": "You accepted the quote. The maker will share a proof or start.",
    "decline": "Request declined.",
    "share_proof": "Proof shared; the shopper will check it.",
    "approve_proof": "You approved the proof.",
    "request_changes": "Your changes are with the maker.",
    "start": "Marked as being made.",
    "complete": "Marked as finished.",
    "withdraw": "You withdrew the request.",
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
    "accept": (None, dict, flow.request_accept),
    "decline": (NoteForm, lambda d: {"reason": d["note"]}, flow.request_decline),
    "share_proof": (ProofForm, lambda d: {"image": d["image"], "note": d["note"]}, flow.request_share_proof),
    "approve_proof": (None, dict, flow.request_approve_proof),
    "request_changes": (NoteForm, lambda d: {"note": d["note"]}, flow.request_ask_changes),
    "start": (None, dict, flow.request_start),
    "complete": (None, dict, flow.request_complete),
    "withdraw": (None, dict, flow.request_withdraw),
}


def decorate(requests, user):
    """Set what the templates read for each request: the actions open to this user."""
    for item in requests:
        item.open_actions = flow.actions_open_to(item, user)
        item.can_message = item.shown_state in flow.OPEN_STATES
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
            form = form_class(http_request.POST, http_request.FILES)
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
        return decorate([super().get_object(queryset)], self.request.user)[0]


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
                size=data["size"],
                material_choice=data["material_choice"],
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
        messages.success(self.request, MESSAGE_SENT % {"maker": self.artisan.name})
        return redirect("requests:detail", pk=item.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(piece=self.piece, artisan=self.artisan, **kwargs)
