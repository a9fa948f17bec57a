"""Staff's view of requests (filters, read-only thread, closing with a note) and the counts requests feed."""

import pytest
from django.urls import reverse

from artisans.tests.factories import ArtisanFactory, StaffFactory
from catalog.models import RequestState
from catalog.tests.factories import PersonalizationRequestFactory, PieceFactory
from catalog.tests.request_helpers import request_in

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:catalog_personalizationrequest_changelist")


@pytest.fixture
def staff(client):
    user = StaffFactory()
    client.force_login(user)
    return user


def test_staff_filter_requests_by_state_and_maker(client, staff):
    quoted = request_in(RequestState.QUOTED)
    PersonalizationRequestFactory()
    response = client.get(CHANGELIST, {"state": "quoted", "artisan__id__exact": quoted.artisan_id})
    assert list(response.context["cl"].result_list) == [quoted]


def test_the_thread_is_read_only_in_the_admin(client, staff):
    request = PersonalizationRequestFactory()
    request.messages.create(author=request.shopper, body="Hello")
    response = client.get(reverse("admin:catalog_personalizationrequest_change", args=[request.pk]))
    assert response.status_code == 200
    inline = response.context["inline_admin_formsets"][0]
    assert not inline.has_add_permission and not inline.has_change_permission


def test_staff_close_requests_with_a_note(client, staff, mailoutbox):
    open_request = PersonalizationRequestFactory()
    done = request_in(RequestState.COMPLETED)
    data = {"action": "close_requests", "_selected_action": [open_request.pk, done.pk], "note": "Duplicate"}
    client.post(CHANGELIST, data)
    open_request.refresh_from_db()
    done.refresh_from_db()
    assert (open_request.state, open_request.closing_note) == (RequestState.CLOSED, "Duplicate")
    assert done.state == RequestState.COMPLETED
    assert open_request.messages.get(action="close").author == staff


def test_closing_without_a_note_changes_nothing(client, staff):
    request = PersonalizationRequestFactory()
    client.post(CHANGELIST, {"action": "close_requests", "_selected_action": [request.pk], "note": ""})
    request.refresh_from_db()
    assert request.state == RequestState.SUBMITTED


def test_most_requested_sort_orders_by_the_exact_number_of_requests(client):
    quiet, popular, some = PieceFactory(), PieceFactory(), PieceFactory()
    for _ in range(3):
        PersonalizationRequestFactory(piece=popular)
    PersonalizationRequestFactory(piece=some)
    response = client.get(reverse("catalog:piece_list"), {"sort": "requested"})
    assert [p.pk for p in response.context["pieces"]][:3] == [popular.pk, some.pk, quiet.pk]


def test_the_studio_dashboard_shows_each_pieces_requests_count(client):
    maker = ArtisanFactory()
    piece = PieceFactory(artisan=maker)
    PersonalizationRequestFactory(piece=piece)
    request_in(RequestState.DECLINED, piece=piece)
    client.force_login(maker.user)
    pieces = client.get(reverse("studio:dashboard")).context["pieces"]
    assert [p.requests_count for p in pieces] == [2]
