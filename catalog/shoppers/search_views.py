"""
The pages of saved searches: saving a listing state (`SearchSaveView`, the listing's "Tell me about
new pieces like these"), the shopper's own list at /searches/ with its small forms (rename, how often,
delete), and the unsubscribe page the digests link to (`UnsubscribeView`, no sign-in needed).

Every row is read through `searches_of(request.user)`: another shopper's search is a 404. Every
write is a POST with CSRF, but the unsubscribe (RFC 8058: mail clients POST it without a cookie,
and its signed token is the proof), and counts against the shopper's hourly limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from catalog.models.shoppers import AlertFrequency, SavedSearch
from catalog.shoppers import searches
from catalog.shoppers.alerts import BadToken, unsubscribe_read
from catalog.shoppers.search_forms import SearchFrequencyForm, SearchNameForm, SearchSaveForm
from marketplace.ratelimit import RateLimited, limit_hit, too_many_requests


def _edit_allowed(request):
    """Counts one save or edit against the shopper's hourly limit; RateLimited past it."""
    limit_hit(scope="saved-search", key=request.user.pk, limit=settings.SEARCH_EDITS_PER_HOUR, window=3600)


def _listing_url(query):
    return reverse("catalog:piece_list") + (f"?{query}" if query else "")


class SearchSaveView(View):
    """POST /searches/save/: the listing state posted (its canonical query) saved for the shopper."""

    http_method_names = ["post"]

    def post(self, request):
        form = SearchSaveForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["query"]))
            return redirect("catalog:piece_list")
        to_save = searches.listing_to_save(form.cleaned_data["query"])
        back = _listing_url(to_save.query)
        if not request.user.is_authenticated:
            # Back to the same listing state once signed in, where the button waits.
            return redirect_to_login(back)
        try:
            _edit_allowed(request)
            search, created = searches.saved_search_create(shopper=request.user, query=to_save.query)
        except RateLimited as error:
            return too_many_requests(request, error)
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
            return redirect(back)
        if not created:
            messages.info(request, searches.MESSAGE_ALREADY_SAVED % {"name": search.name})
        elif search.frequency == AlertFrequency.NEVER:
            messages.success(request, searches.MESSAGE_SAVED_NEVER % {"name": search.name})
        else:
            when = searches.WHEN[search.frequency]
            messages.success(request, searches.MESSAGE_SAVED % {"name": search.name, "when": when})
        return redirect(back)


@dataclass
class SearchRow:
    """One search on /searches/, with its forms (bound when that row's edit was refused) and notes."""

    search: SavedSearch
    listing_url: str
    notes: list
    name_form: SearchNameForm
    frequency_form: SearchFrequencyForm


def _rows(user, *, refused=None):
    """The shopper's searches as rows; `refused`: (pk, form) of an edit to show again with its error."""
    rows = []
    for search in searches.searches_of(user):
        name_form = SearchNameForm(initial={"name": search.name}, prefix=f"s{search.pk}")
        frequency_form = SearchFrequencyForm(initial={"frequency": search.frequency}, prefix=f"s{search.pk}")
        if refused and refused[0] == search.pk:
            if isinstance(refused[1], SearchNameForm):
                name_form = refused[1]
            else:
                frequency_form = refused[1]
        notes = searches.ignored_parameters(search.query)
        rows.append(SearchRow(search, _listing_url(search.query), notes, name_form, frequency_form))
    return rows


class SearchListView(View):
    """GET /searches/: the shopper's saved searches. A fixed number of queries, whatever their number."""

    template_name = "shoppers/searches.html"

    def get(self, request):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return render(request, self.template_name, self.context(request))

    @classmethod
    def context(cls, request, *, refused=None):
        return {
            "rows": _rows(request.user, refused=refused),
            "frequencies": AlertFrequency.choices,
            "limit": settings.SAVED_SEARCHES_MAX,
        }


class SearchEditView(View):
    """A POST to one search of the shopper's (another's is a 404): rename, how often, or delete."""

    http_method_names = ["post"]
    action = None  # "name", "frequency" or "delete"

    def post(self, request, pk):
        if not request.user.is_authenticated:
            return redirect_to_login(reverse("shoppers:searches"))
        search = get_object_or_404(searches.searches_of(request.user), pk=pk)
        try:
            _edit_allowed(request)
        except RateLimited as error:
            return too_many_requests(request, error)
        if self.action == "delete":
            searches.saved_search_delete(search=search)
            messages.success(request, searches.MESSAGE_DELETED % {"name": search.name})
            return redirect("shoppers:searches")
        form_class = SearchNameForm if self.action == "name" else SearchFrequencyForm
        form = form_class(request.POST, prefix=f"s{search.pk}")
        if not form.is_valid():
            context = SearchListView.context(request, refused=(search.pk, form))
            return render(request, SearchListView.template_name, context, status=400)
        if self.action == "name":
            searches.saved_search_rename(search=search, name=form.cleaned_data["name"])
            messages.success(request, searches.MESSAGE_RENAMED % {"name": search.name})
        else:
            searches.saved_search_set_frequency(search=search, frequency=form.cleaned_data["frequency"])
            when = searches.WHEN[search.frequency]
            messages.success(request, searches.MESSAGE_FREQUENCY % {"name": search.name, "when": when})
        return redirect(f"{reverse('shoppers:searches')}#search-{search.pk}")


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(View):
    """
    /searches/unsubscribe/<token>/: GET shows what the link stops and one button (mail scanners follow
    links: a GET changes nothing); POST stops it, with no sign-in (RFC 8058's one-click POST comes
    from the mail client). A tampered, cut or expired token changes nothing: a 400 page says so.
    """

    http_method_names = ["get", "post"]
    template_name = "shoppers/unsubscribe.html"

    def get(self, request, token):
        return self._answer(request, token, done=False)

    def post(self, request, token):
        return self._answer(request, token, done=True)

    def _answer(self, request, token, *, done):
        try:
            shopper_id, search_id = unsubscribe_read(token)
        except BadToken:
            context = {"max_age_days": settings.ALERT_UNSUBSCRIBE_MAX_AGE_DAYS}
            return render(request, "shoppers/unsubscribe_invalid.html", context, status=400)
        if done:
            names = searches.saved_searches_unsubscribe(shopper_id=shopper_id, search_id=search_id)
        else:
            found = SavedSearch.objects.filter(shopper_id=shopper_id)
            names = list(
                (found.filter(pk=search_id) if search_id is not None else found).values_list("name", flat=True)
            )
        return render(
            request,
            self.template_name,
            {"done": done, "one": search_id is not None, "names": names, "token": token},
        )
