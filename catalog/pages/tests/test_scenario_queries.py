"""
The pages `make bench` measures (bench/run.py), each at two catalog sizes:
the number of queries a request costs does not grow with the catalog.
"""

import re

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from artisans.tests.factories import ArtisanFactory
from catalog.admin.tests.test_admin_query_counts import PIECE_LIST_QUERIES
from catalog.models import Piece
from catalog.tests.factories import MaterialFactory, piece_with_details

pytestmark = pytest.mark.django_db
LISTING = reverse("catalog:piece_list")


@pytest.fixture(scope="module")
def catalog_media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def media_root(settings, catalog_media):
    """The module's catalogs keep their photos in one folder for all its tests (overrides the root fixture)."""
    settings.MEDIA_ROOT = catalog_media
    return catalog_media


@pytest.fixture(scope="module", params=[3, 30], ids=["3 pieces", "30 pieces"])
def catalog(request, django_db_setup, django_db_blocker, catalog_media):
    """
    A catalog of 3 or 30 pieces for every test of the module, rolled back after the last: built once per
    size rather than once per test (the photos' renditions take seconds); each test's own writes are
    still rolled back by its `django_db`.
    """
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=catalog_media), transaction.atomic():
        silver = MaterialFactory(name="Sterling silver", slug="sterling-silver")
        makers = [ArtisanFactory(), ArtisanFactory()]
        for n in range(request.param):
            piece = piece_with_details(artisan=makers[n % 2], title=f"Hammered ring {n}", featured=n % 3 == 0)
            piece.materials.update(material=silver)
        yield Piece.objects.published()
        transaction.set_rollback(True)


# Each scenario: its URL for a catalog, and the most queries it may cost once warm.
SCENARIOS = {
    # Counts, facets and the page's ids come from the index, the cards with the slugs and
    # titles drawn around them from the cache (catalog.listing.cards): no query.
    "listing, no filter": (lambda pieces: LISTING, 0),
    "listing, 3 filters": (lambda pieces: LISTING + "?method=handcrafted&metal=sterling-silver&price_max=900", 0),
    # `q` matched and ordered by "Best match" in the index's postings: no query (the cards cached).
    "listing, q + 2 filters": (
        lambda pieces: LISTING + "?q=hammered&method=handcrafted&availability=one_of_a_kind",
        0,
    ),
    "listing, last page": (lambda pieces: LISTING + "?sort=price&page=last", 0),
    # The piece's sheet and the comparison's columns from the cache (catalog.pages.sheets);
    # cold, 10 and 8 queries (catalog/pages/tests/test_pages.py).
    "piece page": (lambda pieces: pieces.first().get_absolute_url(), 0),
    "compare, 3 pieces": (
        lambda pieces: reverse("catalog:compare") + "?pieces=" + ",".join(p.slug for p in pieces[:3]),
        0,
    ),
    # The featured pieces' ids (their cards from the cache) and collections (their pieces and photos).
    "home": (lambda pieces: reverse("catalog:home"), 4),
    "guide": (lambda pieces: reverse("catalog:guide"), 2),
    # The maker, process photos, techniques, traditions; the count and the page's ids (cards cached).
    "maker page": (lambda pieces: pieces.first().artisan.get_absolute_url(), 6),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_each_bench_page_costs_the_same_queries_at_any_size(client, django_assert_max_num_queries, catalog, scenario):
    url_of, most = SCENARIOS[scenario]
    url = url_of(catalog)
    assert client.get(url).status_code == 200  # warm: the listing's index, the facet options, the guide
    with django_assert_max_num_queries(most):
        assert client.get(url).status_code == 200


def test_the_admin_piece_list_costs_the_same_queries_at_any_size(admin_client, django_assert_max_num_queries, catalog):
    url = reverse("admin:catalog_piece_changelist")
    with django_assert_max_num_queries(PIECE_LIST_QUERIES):
        assert admin_client.get(url).status_code == 200


def test_a_listing_page_whose_cards_are_cached_costs_no_query_and_reads_the_same(
    client, django_assert_num_queries, catalog
):
    cold = client.get(LISTING)  # every card rendered, its piece fully loaded (4 queries), and cached
    with django_assert_num_queries(0):
        warm = client.get(LISTING)
    assert without_csrf_tokens(warm) == without_csrf_tokens(cold)
    assert all(piece.get_absolute_url().encode() in warm.content for piece in catalog[:24])


def without_csrf_tokens(response):
    """The page, its CSRF tokens (masked afresh for every response) blanked."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
