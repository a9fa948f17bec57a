"""The facet column as the listing state draws it: groups in the order shoppers use them, long lists folded."""

import pytest
from django.urls import reverse

from catalog.listing.facets import PRICE
from catalog.listing.state import SHOWN_OPTIONS, FacetBlock, FacetOption
from catalog.tests.factories import PieceFactory, TechniqueFactory

pytestmark = pytest.mark.django_db

LISTING = reverse("catalog:piece_list")


def block_of(count, checked=()):
    options = [FacetOption(f"t{n}", f"Technique {n:02}", 1, n in checked) for n in range(count)]
    return FacetBlock("technique", "Technique", False, options)


def groups(client, **params):
    return client.get(LISTING, params).context["listing"].facet_groups


def test_price_and_delivery_come_first_and_open(client):
    PieceFactory()
    first, *_rest = groups(client)
    label, _blocks, is_open = first
    assert label == str(PRICE) and is_open
    body = client.get(LISTING).content.decode()
    # The price range is the first field of the column after search and sort, not after 160 options.
    assert body.index('name="price_min"') < body.index('name="method"')


def test_a_short_list_is_not_folded():
    block = block_of(SHOWN_OPTIONS + 2)
    assert block.folded is None
    assert block.shown is block


def test_a_long_list_shows_its_first_options_and_folds_the_rest():
    block = block_of(18)
    assert [o.value for o in block.shown.options] == [f"t{n}" for n in range(SHOWN_OPTIONS)]
    assert [o.value for o in block.folded.options] == [f"t{n}" for n in range(SHOWN_OPTIONS, 18)]
    assert not block.folded_checked
    # The block itself keeps every option: counts and chips read them all.
    assert len(block.options) == 18


def test_a_fold_holding_a_chosen_option_is_drawn_open():
    assert block_of(18, checked={15}).folded_checked
    assert not block_of(18, checked={2}).folded_checked


def test_the_page_folds_a_long_list_and_never_hides_a_ticked_option(client):
    PieceFactory()
    techniques = [TechniqueFactory(name=f"Technique {n:02}", slug=f"technique-{n:02}") for n in range(18)]
    body = client.get(LISTING).content.decode()
    assert '<details class="facet__more" data-fold="technique">' in body
    assert '<summary>12 more<span class="visually-hidden"> in Technique</span></summary>' in body
    ticked = techniques[-1].slug
    body = client.get(LISTING, {"technique": ticked}).content.decode()
    assert '<details class="facet__more" open data-fold="technique">' in body
    assert f'name="technique" value="{ticked}" checked' in body
