"""
Makers and request threads show a shopper by their public name, never their email address: the studio's
inbox, a request's page on the maker's side (its heading and its thread) and the shopper's own page.
"""

import pytest
from django.urls import reverse

from artisans.tests.factories import ArtisanFactory, UserFactory
from catalog.models import Profile
from catalog.tests.factories import PersonalizationRequestFactory, PieceFactory

pytestmark = pytest.mark.django_db


def a_request(**shopper_fields):
    maker = ArtisanFactory(name="Oficina Ferro")
    shopper = UserFactory(email="ada.lovelace@mail.test", **shopper_fields)
    request = PersonalizationRequestFactory(piece=PieceFactory(artisan=maker), shopper=shopper)
    request.messages.create(author=shopper, body="Could it be a little wider?")
    return request


def maker_pages(client, request):
    client.force_login(request.artisan.user)
    for url in (reverse("studio:requests"), reverse("studio:request_detail", args=[request.pk])):
        yield client.get(url).content.decode()


def assert_no_address(page):
    assert "ada.lovelace" not in page and "mail.test" not in page


def test_the_maker_sees_the_first_name_and_initial_never_the_address(client):
    request = a_request(first_name="Ada", last_name="Lovelace")
    for page in maker_pages(client, request):
        assert "Ada L." in page and "Lovelace" not in page
        assert_no_address(page)


def test_the_maker_and_the_shopper_see_the_chosen_display_name(client):
    request = a_request(first_name="Ada", last_name="Lovelace")
    Profile.objects.create(user=request.shopper, display_name="Countess <of> Numbers")
    for page in maker_pages(client, request):
        assert "Countess &lt;of&gt; Numbers" in page
        assert_no_address(page)
    client.force_login(request.shopper)
    assert "Countess &lt;of&gt; Numbers" in client.get(reverse("requests:detail", args=[request.pk])).content.decode()


def test_a_shopper_with_no_names_appears_as_a_shopper(client):
    request = a_request()
    for page in maker_pages(client, request):
        assert "A shopper" in page
        assert_no_address(page)


@pytest.mark.parametrize("count", [2, 8])
def test_the_inbox_reads_the_shoppers_names_without_a_query_per_row(client, count, django_assert_max_num_queries):
    maker = ArtisanFactory()
    for n in range(count):
        shopper = UserFactory(first_name=f"Shopper{n}", last_name="Smith")
        if n % 2:
            Profile.objects.create(user=shopper, display_name=f"Chosen {n}")
        PersonalizationRequestFactory(piece=PieceFactory(artisan=maker), shopper=shopper)
    client.force_login(maker.user)
    # savepoint and release, session, user, maker, count, requests with piece, shopper and profile
    with django_assert_max_num_queries(8):
        page = client.get(reverse("studio:requests")).content.decode()
    assert "Chosen 1" in page and "Shopper0 S." in page
