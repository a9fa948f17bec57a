"""
The maker's inbox of personalization requests (/studio/requests/), filtered by
state, newest first, and one request with the maker's actions.

Requests are reached through `PersonalizationRequest.objects.for_artisan(user)`,
so another maker's request is a 404.
"""

from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, ListView, View

from ..models import PersonalizationRequest, RequestState
from ..ratelimit import RateLimited, too_many_requests
from ..request_views import decorate, perform_action
from .views import StudioMixin


class StudioRequestsMixin(StudioMixin):
    def get_queryset(self):
        return PersonalizationRequest.objects.for_artisan(self.request.user).with_thread()


class InboxView(StudioRequestsMixin, ListView):
    """The inbox: piece, shopper, budget, needed-by date and state. 6 queries whatever the number of requests."""

    template_name = "studio/requests/inbox.html"
    context_object_name = "requests"
    paginate_by = 30

    def get_state(self):
        state = self.request.GET.get("state", "")
        return state if state in RequestState.values else ""

    def get_queryset(self):
        requests = super().get_queryset().prefetch_related(None).select_related("piece", "shopper", "artisan")
        state = self.get_state()
        return requests.filter(state=state) if state else requests

    def get_context_data(self, **kwargs):
        return super().get_context_data(states=RequestState.choices, current_state=self.get_state(), **kwargs)


class StudioRequestDetailView(StudioRequestsMixin, DetailView):
    template_name = "studio/requests/detail.html"
    context_object_name = "item"

    def get_object(self, queryset=None):
        return decorate([super().get_object(queryset)], self.request.user)[0]


class StudioRequestActionView(StudioRequestsMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk, action):
        item = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            perform_action(request, item, action)
        except RateLimited as error:
            return too_many_requests(request, error)
        return redirect("studio:request_detail", pk=item.pk)
