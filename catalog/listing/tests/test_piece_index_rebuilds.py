"""Full rebuilds: after a lost change log, in the background while the old index answers; and edits that need none."""

import threading
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from catalog import versions
from catalog.listing import index as piece_index
from catalog.listing.index import PieceIndex, current_index, wait_for_rebuild
from catalog.listing.tests.index_helpers import BUILD, fresh, said
from catalog.tests.factories import CategoryFactory, MaterialFactory, PieceFactory, PieceMaterialFactory
from catalog.versions import catalog_version

pytestmark = pytest.mark.django_db
LISTING = reverse("catalog:piece_list")


# --- Falling back, rebuilding in the background --------------------------------------------


def test_a_lost_change_log_falls_back_to_a_full_rebuild(builds):
    pieces = [PieceFactory(price=Decimal(n * 10)) for n in range(1, 6)]
    current_index()
    before = builds["n"]
    pieces[0].price = Decimal("999")
    pieces[0].save()
    start = current_index().version
    deleted = pieces[1].pk
    pieces[1].delete()
    for version in range(start + 1, catalog_version() + 1):
        cache.delete(versions.CHANGES_CACHE_KEY.format(version=version))
    index = current_index()
    assert builds["n"] == before + 1
    assert said(index) == said(fresh())
    assert deleted not in index.universe

    cache.clear()  # the whole cache: the version starts again, further on
    pieces[2].price = Decimal("1")
    pieces[2].save()
    index = current_index()
    assert builds["n"] == before + 2 and said(index) == said(fresh())


def test_a_piece_edit_costs_the_listing_three_queries_not_a_rebuild(client, django_assert_max_num_queries, builds):
    pieces = [PieceFactory() for _ in range(6)]
    client.get(LISTING)
    before = builds["n"]
    pieces[0].price = Decimal("5")
    pieces[0].save()
    # The page's pieces, images, materials and steps; then the piece read again: its row, its related rows,
    # and its words (its texts, its related rows' names).
    with django_assert_max_num_queries(8):
        response = client.get(LISTING, {"sort": "price"})
    assert builds["n"] == before
    assert response.context["object_list"][0] == pieces[0]


class Gate:
    """Holds the background rebuild until released, so that the test sees the stale window."""

    def __init__(self, monkeypatch, fail=False):
        self.open, self.started, self.fail = threading.Event(), threading.Event(), fail

        def gated(cls, *args, **kwargs):
            if threading.current_thread().name == "piece-index-rebuild":
                self.started.set()
                assert self.open.wait(30)
                if self.fail:
                    raise RuntimeError("the database went away")
            return BUILD(cls, *args, **kwargs)

        monkeypatch.setattr(PieceIndex, "build", classmethod(gated))


@pytest.fixture
def large(monkeypatch):
    """The catalog counts as large: a change to everything is rebuilt in the background."""
    monkeypatch.setattr(piece_index, "INLINE_REBUILD_BELOW", 0)
    monkeypatch.setattr(piece_index, "RETRY_SECONDS", 0)
    piece_index._current = None  # no index yet: the first is built in the request
    yield
    wait_for_rebuild(30)
    piece_index._current = piece_index._rebuilt = piece_index._rebuild_failed_at = None


@pytest.mark.django_db(transaction=True)
def test_a_change_to_everything_is_rebuilt_in_the_background_while_the_previous_index_answers(large, monkeypatch):
    silver = MaterialFactory(name="Silver", slug="silver")
    pieces = [PieceFactory(price=Decimal(n * 10)) for n in range(1, 7)]
    for piece in pieces[:3]:
        PieceMaterialFactory(piece=piece, material=silver)
    gate = Gate(monkeypatch)
    before = current_index()  # none yet: built in the request

    silver.slug = "sterling"  # a change to everything
    silver.save()
    stale = current_index()
    assert gate.started.wait(10), "a background rebuild started"
    assert stale.behind_since is not None and stale.exact_through == before.version
    assert set(stale.options["metal"]) == {"silver"}, "the previous index answers meanwhile"

    pieces[5].price = Decimal("1")  # a change to one piece, made while the rebuild runs
    pieces[5].save()
    during = current_index()
    assert during.behind_since == stale.behind_since and during.version == catalog_version()
    assert list(during.by_price.ids)[0] == pieces[5].pk, "changes to named pieces still show at once"

    gate.open.set()
    assert wait_for_rebuild(30)
    after = current_index()
    assert after.behind_since is None and after.version == catalog_version()
    assert after.exact_through > during.exact_through
    assert said(after) == said(fresh())
    assert set(after.options["metal"]) == {"sterling"}


@pytest.mark.django_db(transaction=True)
def test_a_failed_background_rebuild_keeps_the_previous_index_and_is_tried_again(large, monkeypatch):
    category = CategoryFactory(name="Rings", slug="rings")
    PieceFactory(category=category)
    current_index()
    gate = Gate(monkeypatch, fail=True)
    category.slug = "bands"
    category.save()
    current_index()
    gate.open.set()
    assert wait_for_rebuild(30)
    monkeypatch.setattr(piece_index, "RETRY_SECONDS", 3600)
    stale = current_index()
    assert stale.behind_since is not None and set(stale.options["category"]) == {"rings"}
    assert wait_for_rebuild(0), "no new try before RETRY_SECONDS"
    monkeypatch.setattr(piece_index, "RETRY_SECONDS", 0)
    gate.fail = False
    current_index()
    assert wait_for_rebuild(30)
    after = current_index()
    assert after.behind_since is None and set(after.options["category"]) == {"bands"}


def test_a_rebuilt_index_older_than_the_one_served_is_not_installed(builds):
    PieceFactory()
    served = current_index()
    older = fresh()
    older.version, older.database = served.version - 1, served.database
    piece_index._rebuilt = older
    assert current_index() is served
    assert piece_index._rebuilt is None


def test_an_order_that_no_longer_matches_its_keys_is_rebuilt_not_served(builds):
    pieces = [PieceFactory(price=Decimal(n)) for n in range(1, 5)]
    index = current_index()
    index.by_price.key[pieces[0].pk] = 10**9  # the piece is no longer where its key says
    pieces[0].price = Decimal("50")
    pieces[0].save()
    before = builds["n"]
    after = current_index()
    assert builds["n"] == before + 1
    assert after.behind_since is None and said(after) == said(fresh())


def test_prices_in_cents_are_exact_on_every_database(client):
    """SQLite holds prices as floats: 19.99 × 100 is 1998.999…, which a cast alone makes 1998."""
    cheaper, dearer = PieceFactory(price=Decimal("19.98")), PieceFactory(price=Decimal("19.99"))

    def listed(**params):
        return [piece.pk for piece in client.get(LISTING, params).context["object_list"]]

    assert listed(price_max="19.98") == [cheaper.pk]
    assert listed(price_min="19.99") == [dearer.pk]
    dearer.price = Decimal("0.29")  # read again by the update, with the same rounding
    dearer.save()
    assert listed(price_max="0.29") == [dearer.pk]
    assert listed(sort="price") == [dearer.pk, cheaper.pk]
