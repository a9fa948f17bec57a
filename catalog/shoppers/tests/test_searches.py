"""Saved searches: saving a listing state, the shopper's /searches/ page and its edits, and who may touch them."""

from datetime import timedelta
from html import escape

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.models.shoppers import AlertFrequency, SavedSearch
from catalog.shoppers import searches
from catalog.tests.factories import MaterialFactory, PieceFactory, PieceMaterialFactory

pytestmark = pytest.mark.django_db

LISTING = reverse("catalog:piece_list")
SAVE = reverse("shoppers:search_save")
SEARCHES = reverse("shoppers:searches")


@pytest.fixture
def catalog_pieces():
    """A silver ring (handcrafted) and a mass-produced gold one, so that filters have options."""
    silver = MaterialFactory(name="Sterling silver", slug="sterling-silver")
    gold = MaterialFactory(name="Gold", slug="gold")
    ring = PieceFactory(title="Hammered silver ring")
    PieceMaterialFactory(piece=ring, material=silver)
    chain = PieceFactory(title="Cast gold chain", production_method="mass_produced")
    PieceMaterialFactory(piece=chain, material=gold)
    return ring, chain


@pytest.fixture
def shopper():
    return UserFactory()


@pytest.fixture
def shopper_client(client, shopper):
    client.force_login(shopper)
    return client


def said(response):
    """The message the response added (earlier ones, not yet shown, wait before it)."""
    return [str(message) for message in get_messages(response.wsgi_request)][-1:]


# --- Saving from the listing ------------------------------------------------------------------


def test_the_listing_offers_to_save_its_state_without_the_page(client, catalog_pieces):
    body = client.get(LISTING, {"method": "handcrafted", "metal": "sterling-silver"}).content.decode()
    assert f'action="{SAVE}"' in body
    assert 'name="query" value="method=handcrafted&amp;metal=sterling-silver"' in body
    assert "Tell me about new pieces like these" in body


def test_saving_keeps_the_canonical_query_without_page_or_sort_and_names_it_after_the_title(
    shopper_client, shopper, catalog_pieces
):
    response = shopper_client.post(SAVE, {"query": "page=3&sort=price&metal=sterling-silver&method=handcrafted"})
    search = SavedSearch.objects.get(shopper=shopper)
    assert search.query == "method=handcrafted&metal=sterling-silver"
    assert search.name == "Handcrafted · Sterling silver"
    assert search.frequency == AlertFrequency.WEEKLY
    assert response.status_code == 302
    assert response["Location"] == f"{LISTING}?method=handcrafted&metal=sterling-silver"
    assert said(response) == [searches.MESSAGE_SAVED % {"name": search.name, "when": "every week"}]


def test_saving_keeps_the_search_words_and_the_price_range(shopper_client, shopper, catalog_pieces):
    shopper_client.post(SAVE, {"query": "price_max=300&q=hammered&price_min=100"})
    search = SavedSearch.objects.get(shopper=shopper)
    assert search.query == "q=hammered&price_min=100&price_max=300"
    assert search.name.startswith("Search: “hammered”")


def test_saving_the_same_state_twice_keeps_one_row_and_says_it_is_already_saved(
    shopper_client, shopper, catalog_pieces
):
    shopper_client.post(SAVE, {"query": "method=handcrafted"})
    # The same state, written another way: another order, a page, a sort.
    response = shopper_client.post(SAVE, {"query": "sort=price&page=2&method=handcrafted"})
    assert SavedSearch.objects.filter(shopper=shopper).count() == 1
    assert said(response) == [searches.MESSAGE_ALREADY_SAVED % {"name": "Handcrafted"}]


def test_two_shoppers_may_save_the_same_state(client, catalog_pieces):
    for user in (UserFactory(), UserFactory()):
        client.force_login(user)
        client.post(SAVE, {"query": "method=handcrafted"})
    assert SavedSearch.objects.filter(query="method=handcrafted").count() == 2


def test_a_shopper_cannot_keep_more_than_the_limit(shopper_client, shopper, settings, catalog_pieces):
    settings.SAVED_SEARCHES_MAX = 2
    shopper_client.post(SAVE, {"query": "method=handcrafted"})
    shopper_client.post(SAVE, {"query": "method=mass_produced"})
    response = shopper_client.post(SAVE, {"query": "metal=gold"})
    assert SavedSearch.objects.filter(shopper=shopper).count() == 2
    assert said(response) == [searches.ERROR_TOO_MANY % {"limit": 2}]
    # Already saved is still said as such at the limit, not refused.
    response = shopper_client.post(SAVE, {"query": "method=handcrafted"})
    assert said(response) == [searches.MESSAGE_ALREADY_SAVED % {"name": "Handcrafted"}]


def test_an_anonymous_visitor_is_sent_to_sign_in_and_back_to_the_same_listing(client, catalog_pieces):
    response = client.post(SAVE, {"query": "metal=sterling-silver&page=4"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/pieces/%3Fmetal%3Dsterling-silver"
    assert not SavedSearch.objects.exists()


def test_the_listing_says_to_sign_in_to_an_anonymous_visitor(client, catalog_pieces):
    assert "Sign in to get a weekly email" in client.get(LISTING).content.decode()


def test_saving_needs_the_csrf_token(shopper, catalog_pieces):
    client = Client(enforce_csrf_checks=True)
    client.force_login(shopper)
    assert client.post(SAVE, {"query": "method=handcrafted"}).status_code == 403
    client.get(LISTING)  # the page sets the CSRF cookie its form carries
    token = client.cookies["csrftoken"].value
    response = client.post(SAVE, {"query": "method=handcrafted", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert SavedSearch.objects.filter(shopper=shopper).count() == 1


def test_saving_is_rate_limited(shopper_client, shopper, settings, catalog_pieces):
    settings.SEARCH_EDITS_PER_HOUR = 2
    shopper_client.post(SAVE, {"query": "method=handcrafted"})
    shopper_client.post(SAVE, {"query": "metal=gold"})
    response = shopper_client.post(SAVE, {"query": "metal=sterling-silver"})
    assert response.status_code == 429
    assert "Retry-After" in response
    assert SavedSearch.objects.filter(shopper=shopper).count() == 2


def test_the_save_url_only_takes_a_post(shopper_client):
    assert shopper_client.get(SAVE).status_code == 405


@pytest.mark.parametrize(
    "posted",
    [
        "metal=<script>alert(1)</script>&method=handcrafted",
        "price_min=abc&method=handcrafted",
        "%ZZ&method=handcrafted&=&&==",
        "method=handcrafted&method=hourly-robot",
        "method=handcrafted&glitter=yes",
        "method=handcrafted&price_min=1e999",
    ],
)
def test_garbage_in_a_posted_query_saves_only_what_the_listing_understands(
    shopper_client, shopper, catalog_pieces, posted
):
    response = shopper_client.post(SAVE, {"query": posted})
    assert response.status_code == 302
    search = SavedSearch.objects.get(shopper=shopper)
    # An invalid value of a facet leaves that facet out, as the listing does; the rest is kept.
    assert search.query in ("method=handcrafted", "")
    assert "<script>" not in search.name


def test_an_overlong_posted_query_is_refused_with_a_message(shopper_client, shopper, catalog_pieces):
    response = shopper_client.post(SAVE, {"query": "metal=" + "x" * 3000})
    assert response.status_code == 302
    assert said(response) == [searches.ERROR_QUERY_TOO_LONG]
    assert not SavedSearch.objects.exists()


# --- /searches/ ------------------------------------------------------------------------------


def saved(shopper, query="method=handcrafted", name="Handcrafted", **kwargs):
    return SavedSearch.objects.create(shopper=shopper, query=query, name=name, **kwargs)


def test_searches_lists_each_search_with_its_name_listing_link_and_forms(shopper_client, shopper, catalog_pieces):
    search = saved(shopper, frequency=AlertFrequency.DAILY)
    body = shopper_client.get(SEARCHES).content.decode()
    assert f'href="{LISTING}?method=handcrafted"' in body
    assert 'value="Handcrafted"' in body
    assert f'action="{reverse("shoppers:search_rename", args=[search.pk])}"' in body
    assert f'action="{reverse("shoppers:search_frequency", args=[search.pk])}"' in body
    assert f'action="{reverse("shoppers:search_delete", args=[search.pk])}"' in body
    assert '<option value="daily" selected>' in body
    assert f'<label for="id_s{search.pk}-name">Name</label>' in body


def test_an_empty_searches_page_says_how_to_save_one(shopper_client):
    body = shopper_client.get(SEARCHES).content.decode()
    assert "No saved search yet" in body


def test_searches_ignores_page_parameters(shopper_client, shopper):
    saved(shopper)
    for page in ("999999", "abc", "-1"):
        assert shopper_client.get(SEARCHES, {"page": page}).status_code == 200


def test_a_stored_query_with_an_option_that_is_gone_says_so_and_keeps_the_rest(shopper_client, shopper, catalog_pieces):
    saved(shopper, query="method=handcrafted&metal=argent")
    body = shopper_client.get(SEARCHES).content.decode()
    note = searches.NOTE_USES_THE_REST % {"notes": searches.NOTE_NOT_A_FILTER % {"pair": "metal=argent"}}
    assert escape(note, quote=False) in body


def test_a_stored_query_with_an_unknown_parameter_says_so(shopper, catalog_pieces):
    notes = searches.ignored_parameters("glitter=yes&method=handcrafted")
    assert notes == [searches.NOTE_USES_THE_REST % {"notes": searches.NOTE_NOT_A_FILTER % {"pair": "glitter=yes"}}]


def test_a_refused_option_beside_valid_ones_says_the_whole_filter_is_left_out(catalog_pieces):
    notes = searches.ignored_parameters("metal=gold&metal=argent")
    expected = searches.NOTE_NOT_AN_OPTION % {"pair": "metal=argent", "filter": "Metal"}
    assert notes == [searches.NOTE_USES_THE_REST % {"notes": expected}]


def test_a_query_the_listing_understands_has_no_note(catalog_pieces):
    assert searches.ignored_parameters("method=handcrafted&metal=gold&q=ring&price_min=10") == []
    assert searches.ignored_parameters("") == []


@pytest.mark.parametrize(
    "query",
    [
        "metal=<script>alert(1)</script>",
        "price_min=abc",
        "%ZZ",
        "metal=" + "x" * 1990,
        "q=" + "y" * 1990,
        "price_min=-5&price_max=1e999&ships_within=0",
        "&&&===&",
    ],
)
def test_garbage_stored_by_hand_is_shown_safely_with_a_note(shopper_client, shopper, catalog_pieces, query):
    saved(shopper, query=query, name="<script>alert('name')</script>")
    response = shopper_client.get(SEARCHES)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in body
    assert "this search uses the rest" in body or query == "&&&===&"


def test_renaming_keeps_script_as_text(shopper_client, shopper):
    search = saved(shopper)
    response = shopper_client.post(
        reverse("shoppers:search_rename", args=[search.pk]), {f"s{search.pk}-name": "<script>x()</script> rings"}
    )
    assert response.status_code == 302
    search.refresh_from_db()
    assert search.name == "<script>x()</script> rings"
    body = shopper_client.get(SEARCHES).content.decode()
    assert "<script>x()" not in body and "&lt;script&gt;x()" in body


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("x" * 5000, searches.ERROR_NAME_TOO_LONG % {"limit": 80}),
        ("   ", searches.ERROR_NAME_EMPTY),
        ("", searches.ERROR_NAME_EMPTY),
        ("rings\u202eevil", searches.ERROR_NAME_INVISIBLE),
    ],
)
def test_a_bad_name_is_refused_with_a_message_and_nothing_saved(shopper_client, shopper, name, error):
    search = saved(shopper)
    response = shopper_client.post(reverse("shoppers:search_rename", args=[search.pk]), {f"s{search.pk}-name": name})
    assert response.status_code == 400
    assert escape(error) in response.content.decode()
    search.refresh_from_db()
    assert search.name == "Handcrafted"


def test_choosing_how_often_changes_it(shopper_client, shopper):
    search = saved(shopper)
    url = reverse("shoppers:search_frequency", args=[search.pk])
    response = shopper_client.post(url, {f"s{search.pk}-frequency": "daily"})
    assert response["Location"] == f"{SEARCHES}#search-{search.pk}"
    search.refresh_from_db()
    assert search.frequency == AlertFrequency.DAILY
    assert said(response) == [searches.MESSAGE_FREQUENCY % {"name": "Handcrafted", "when": "every day"}]


@pytest.mark.parametrize("value", ["hourly", "", "DAILY", "<script>", "x" * 5000])
def test_an_unknown_frequency_is_refused_with_a_message(shopper_client, shopper, value):
    search = saved(shopper)
    response = shopper_client.post(
        reverse("shoppers:search_frequency", args=[search.pk]), {f"s{search.pk}-frequency": value}
    )
    assert response.status_code == 400
    assert escape(searches.ERROR_FREQUENCY) in response.content.decode()
    search.refresh_from_db()
    assert search.frequency == AlertFrequency.WEEKLY


def test_turning_alerts_back_on_starts_from_now(shopper_client, shopper):
    long_ago = timezone.now() - timedelta(days=60)
    search = saved(shopper, frequency=AlertFrequency.NEVER, alerted_until=long_ago)
    shopper_client.post(reverse("shoppers:search_frequency", args=[search.pk]), {f"s{search.pk}-frequency": "weekly"})
    search.refresh_from_db()
    # The pieces of the two months alerts were off are not sent in one burst.
    assert search.alerted_until > timezone.now() - timedelta(minutes=1)


def test_deleting_removes_the_search(shopper_client, shopper):
    search = saved(shopper)
    response = shopper_client.post(reverse("shoppers:search_delete", args=[search.pk]))
    assert response.status_code == 302
    assert not SavedSearch.objects.exists()
    assert said(response) == [searches.MESSAGE_DELETED % {"name": "Handcrafted"}]


def test_edits_need_the_csrf_token(shopper):
    search = saved(shopper)
    client = Client(enforce_csrf_checks=True)
    client.force_login(shopper)
    assert client.post(reverse("shoppers:search_delete", args=[search.pk])).status_code == 403
    assert SavedSearch.objects.filter(pk=search.pk).exists()


def test_edits_are_rate_limited(shopper_client, shopper, settings):
    settings.SEARCH_EDITS_PER_HOUR = 1
    search = saved(shopper)
    url = reverse("shoppers:search_rename", args=[search.pk])
    shopper_client.post(url, {f"s{search.pk}-name": "One"})
    assert shopper_client.post(url, {f"s{search.pk}-name": "Two"}).status_code == 429
    search.refresh_from_db()
    assert search.name == "One"


def test_the_edit_urls_only_take_a_post(shopper_client, shopper):
    search = saved(shopper)
    for name in ("search_rename", "search_frequency", "search_delete"):
        assert shopper_client.get(reverse(f"shoppers:{name}", args=[search.pk])).status_code == 405


# --- Who may see and change a search ----------------------------------------------------------


EDITS = [
    ("search_rename", lambda search: {f"s{search.pk}-name": "Taken over"}),
    ("search_frequency", lambda search: {f"s{search.pk}-frequency": "daily"}),
    ("search_delete", lambda search: {}),
]


def visitors():
    return {
        "other shopper": UserFactory(),
        "maker": ArtisanFactory().user,
        "staff": StaffFactory(),
    }


@pytest.mark.parametrize(("name", "data"), EDITS)
def test_only_the_owner_may_change_a_search(client, shopper, name, data):
    search = saved(shopper)
    url = reverse(f"shoppers:{name}", args=[search.pk])
    for who, user in visitors().items():
        client.force_login(user)
        assert client.post(url, data(search)).status_code == 404, who
    client.logout()
    response = client.post(url, data(search))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login")), "anonymous"
    search.refresh_from_db()
    assert (search.name, search.frequency) == ("Handcrafted", AlertFrequency.WEEKLY)
    client.force_login(shopper)
    assert client.post(url, data(search)).status_code == 302, "owner"


def test_searches_shows_each_person_only_their_own(client, shopper):
    saved(shopper, name="Owner's rings")
    for who, user in visitors().items():
        client.force_login(user)
        response = client.get(SEARCHES)
        assert response.status_code == 200, who
        assert "Owner&#x27;s rings" not in response.content.decode(), who
    client.logout()
    response = client.get(SEARCHES)
    assert response.status_code == 302 and response["Location"] == f"{reverse('account_login')}?next={SEARCHES}"
    client.force_login(shopper)
    assert "Owner&#x27;s rings" in client.get(SEARCHES).content.decode()


def test_an_unknown_search_is_a_404(shopper_client):
    assert shopper_client.post(reverse("shoppers:search_delete", args=[999999])).status_code == 404


# --- Queries --------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 20])
def test_searches_costs_the_same_queries_whatever_the_number_of_searches(
    shopper_client, shopper, catalog_pieces, django_assert_max_num_queries, count
):
    queries = ["method=handcrafted", "metal=gold", "metal=argent", "q=ring", "price_min=10", "glitter=1"]
    for n in range(count):
        saved(shopper, query=f"{queries[n % len(queries)]}&price_max={100 + n}", name=f"Search {n}")
    shopper_client.get(SEARCHES)  # the facet options in the cache, as on a warm site
    # The session, the user, the searches (one query: their notes are read by the listing's filters, from the
    # cached facet options), then base.html's own (the visitor's maker profile...): 6 whatever the count.
    with django_assert_max_num_queries(6):
        response = shopper_client.get(SEARCHES)
    assert response.content.decode().count('class="saved-search"') == count
