"""The listing's page around its cards: the Filters dialog, "Show N pieces", and what htmx gets back."""

import pytest
from django.urls import reverse

from catalog.tests.factories import CategoryFactory, PieceFactory

pytestmark = pytest.mark.django_db

LISTING = reverse("catalog:piece_list")


@pytest.fixture
def pieces():
    earrings = CategoryFactory(name="Earrings", slug="earrings")
    return [PieceFactory(), PieceFactory(), PieceFactory(category=earrings)]


def test_the_facet_column_is_a_dialog_opened_by_a_filters_link_that_works_without_javascript(client, pieces):
    body = client.get(LISTING).content.decode()
    assert '<a class="button listing__filters-button" id="filters-open" href="#filters">Filters</a>' in body
    assert '<dialog class="filters" id="filters" aria-labelledby="filters-title">' in body
    # Without JavaScript the form goes to the results, which closes the :target panel on a phone.
    assert f'action="{LISTING}#results"' in body
    assert '<section class="listing__results" id="results"' in body
    assert "js/listing.js" in body


def test_show_n_pieces_counts_the_result(client, pieces):
    assert '<span class="filters__show-count">Show 3 pieces</span>' in client.get(LISTING).content.decode()
    body = client.get(LISTING, {"category": "rings"}).content.decode()
    assert '<span class="filters__show-count">Show 2 pieces</span>' in body
    # Without JavaScript the count would not follow the ticks: CSS shows these words instead.
    assert '<span class="filters__show-plain">Show the matching pieces</span>' in body
    assert "Filters (1 chosen)" in body


def test_the_result_count_can_take_focus_and_a_live_region_waits_outside_the_swapped_part(client, pieces):
    body = client.get(LISTING).content.decode()
    assert '<p class="listing__count" id="result-count" tabindex="-1">3 pieces</p>' in body
    listing_end = body.index('<p class="visually-hidden" id="listing-status" role="status"></p>')
    assert listing_end > body.index('id="results"')


def test_htmx_gets_the_listing_alone_with_its_title(client, pieces):
    response = client.get(LISTING, {"category": "rings"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and "listing-status" not in body
    assert body.lstrip().startswith("<title>")
    assert response["HX-Push-Url"] == f"{LISTING}?category=rings"


def test_htmx_history_restore_gets_the_whole_page(client, pieces):
    # The back button with htmx's history cache off asks the server for the page again: the whole page.
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = client.get(LISTING, {"category": "rings"}, headers=headers)
    body = response.content.decode()
    assert body.startswith("<!doctype html>")
    assert body.count("<title>") == 1
    assert "HX-Push-Url" not in response
    assert "HX-History-Restore-Request" in response["Vary"]
