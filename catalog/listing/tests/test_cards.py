"""
The cards' cache (catalog.listing.cards): a card found under the current catalog
version brings its piece without a query, so it must never show a piece that
is not public at that version.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict

from artisans.tests.factories import UserFactory
from catalog.listing.cards import card_bodies, pieces_for_cards
from catalog.listing.facets import facet_options
from catalog.listing.filters import PieceFilter
from catalog.listing.index import current_index
from catalog.listing.result import IndexedResult
from catalog.models import Piece
from catalog.services import pieces_hide
from catalog.tests.factories import PieceFactory
from catalog.versions import bump_catalog_version
from marketplace import db_router

pytestmark = pytest.mark.django_db


def grid(ids):
    return card_bodies(pieces_for_cards(ids, Piece.objects.published()))


def test_a_cached_card_brings_its_slug_and_title_without_a_query(django_assert_num_queries):
    pieces = [PieceFactory(title=f"Ring <i>{n}</i>", price=Decimal("90")) for n in range(3)]
    ids = [piece.pk for piece in reversed(pieces)]
    cold = grid(ids)
    with django_assert_num_queries(0):
        warm = grid(ids)
    assert warm == cold
    assert [(piece.pk, piece.slug, piece.title) for piece, _ in warm] == [(p.pk, p.slug, p.title) for p in pieces[::-1]]
    assert "Ring &lt;i&gt;2&lt;/i&gt;" in warm[0][1]
    # Nothing but what is drawn around the card is loaded: anything else would be a query, not a wrong default.
    assert warm[0][0].get_deferred_fields() >= {"price", "description", "status"}


def test_a_card_is_stored_under_the_version_read_before_its_piece(django_assert_num_queries):
    piece = PieceFactory(title="Before")
    loaded = pieces_for_cards([piece.pk], Piece.objects.published())  # version V read, then the piece
    Piece.objects.filter(pk=piece.pk).update(title="After")
    bump_catalog_version(pieces=[piece.pk])  # a change lands between loading and storing the card
    assert "Before" in card_bodies(loaded)[0][1]  # the card shows the piece as loaded, stored under V
    with django_assert_num_queries(4):  # at the new version nothing is cached: loaded again
        (fresh, card), *_ = grid([piece.pk])
    assert fresh.title == "After" and "After" in card


def test_a_piece_hidden_after_its_card_was_cached_is_not_shown_even_by_a_stale_index(
    client, django_capture_on_commit_callbacks
):
    kept, hidden = PieceFactory(), PieceFactory()
    index = current_index()  # an index that still holds the piece, as during a background rebuild
    client.get("/pieces/")  # both cards cached
    with django_capture_on_commit_callbacks(execute=True):
        pieces_hide(pieces=[hidden], actor=UserFactory(is_staff=True))
    result = IndexedResult(PieceFilter(QueryDict(), queryset=Piece.objects.published()), index)
    assert hidden.pk in result.ids
    assert [piece.pk for piece in result[0:24]] == [kept.pk]


def test_cards_are_read_from_the_primary_and_never_cached_from_a_replica(client):
    # A replica behind the primary would have its old rows kept under the new version, and shown without a query.
    [PieceFactory() for _ in range(3)]
    current_index(), facet_options()  # built and cached before: only the cards are left to read
    replica_allowed = []

    def record(execute, sql, params, many, context):
        replica_allowed.append(db_router._replica_reads.get())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        client.get("/pieces/")  # every card rendered: its piece, photos, materials and steps
    assert len(replica_allowed) == 4 and not any(replica_allowed)

    piece = PieceFactory(title="Read from a replica")
    from_replica = list(Piece.objects.filter(pk=piece.pk).for_cards())
    from_replica[0]._state.db = "replica"
    assert "Read from a replica" in card_bodies(from_replica)[0][1]  # shown,
    assert not hasattr(pieces_for_cards([piece.pk], Piece.objects.published())[0], "cached_card")  # not kept
