"""
The maker's inbox of personalization requests (/studio/requests/), filtered by
state, newest first, and one request with the maker's actions.

Requests are reached through `PersonalizationRequest.objects.for_artisan(user)`,
so another maker's request is a 404.

Part of the studio room, built on the personalization room's views.
"""

from django.views.generic import ListView

from catalog.models import PersonalizationRequest, RequestState
from catalog.personalization.views import BaseRequestActionView, BaseRequestDetailView
from catalog.studio.views import StudioMixin


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
        requests = super().get_queryset().prefetch_related(None).select_related("piece", "shopper__profile", "artisan")
        state = self.get_state()
        return requests.filter(state=state) if state else requests

    def get_context_data(self, **kwargs):
        return super().get_context_data(states=RequestState.choices, current_state=self.get_state(), **kwargs)


class StudioRequestDetailView(StudioRequestsMixin, BaseRequestDetailView):
    template_name = "studio/requests/detail.html"


class StudioRequestActionView(StudioRequestsMixin, BaseRequestActionView):
    detail_url_name = "studio:request_detail"
