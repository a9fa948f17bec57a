"""
Piece cards' HTML, cached per piece and catalog version.

A grid of 24 cards is most of the work of rendering the listing, the maker
page and the home page; the card itself shows the piece and nothing of the
visitor, so its HTML is kept in the cache (one `get_many` for the grid) until
the catalog's version moves on. What depends on the visitor, the compare
button with its CSRF token, is rendered around it on every request, from the
piece's slug and title, which the cache keeps beside the card.

A card is stored under the version read *before* its piece was, and only
from a piece read from the primary database (a replica may lag behind the
version): it may then show its piece as it is at a later version than the
key's, never an earlier one. So a card found under the current version
belongs to a piece that is public at that version (hiding a piece moves the
version on), and its piece needs no query.

Part of the listing room, at the bottom of its flow (it reads only the data and the catalog's
version): result, the pages' views (the home page) and the template tags (`piece_cards`) call it.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from catalog.models import Piece
from catalog.versions import catalog_version
from marketplace.db_router import PRIMARY, replica_reads

CARD_TEMPLATE = "catalog/partials/_piece_card.html"
# The first row of a grid loads its photos at once; the others lazily.
EAGER_CARDS = 4
CARD_TIMEOUT = 24 * 3600
# What the cache keeps of a piece beside its card (what is drawn around the card), in the model's
# order of fields, which is the order `Model.from_db` takes values in.
AROUND_THE_CARD = [field.attname for field in Piece._meta.concrete_fields if field.attname in {"id", "slug", "title"}]


def _card_prefix():
    return f"catalog:card:{settings.RELEASE}:{catalog_version()}"


def _card_key(prefix, pk, index):
    return f"{prefix}:{pk}:{index < EAGER_CARDS:d}"


def pieces_for_cards(ids, pieces):
    """
    The pieces of `ids`, in that order, for a grid: a piece whose card the
    cache holds comes from the cache with its slug and title, without a
    query; the others from the queryset `pieces`, fully loaded for their cards
    (`for_cards()`, four queries). Each piece carries its card's key, and its
    card when found, for `card_bodies`.
    """
    prefix = _card_prefix()
    keys = {pk: _card_key(prefix, pk, index) for index, pk in enumerate(ids)}
    found = cache.get_many(list(keys.values()))
    loaded = {}
    for pk, key in keys.items():
        if (cached := found.get(key)) is not None:
            slug, title, card = cached
            loaded[pk] = piece = _around_the_card(pieces.db, id=pk, slug=slug, title=title)
            piece.cached_card = card
    if missing := [pk for pk in ids if pk not in loaded]:
        with replica_reads(allowed=False):
            loaded.update((piece.pk, piece) for piece in pieces.filter(pk__in=missing).for_cards())
    for pk, piece in loaded.items():
        piece.card_key = keys[pk]
    return [loaded[pk] for pk in ids if pk in loaded]


def _around_the_card(database, **values):
    """A piece with only what is drawn around its card; any other field is deferred (a query, never a default)."""
    return Piece.from_db(database, AROUND_THE_CARD, [values[name] for name in AROUND_THE_CARD])


def card_bodies(pieces):
    """[(piece, card HTML), ...] in the order of `pieces`, rendering only the cards not cached yet."""
    # A queryset is read after the version (the module's docstring says why); a list was read already.
    prefix = _card_prefix() if isinstance(pieces, QuerySet) else None
    with replica_reads(allowed=False):
        pieces = list(pieces)
    cards, keys, unknown = {}, {}, []
    for index, piece in enumerate(pieces):
        if hasattr(piece, "cached_card"):  # found by pieces_for_cards
            cards[index] = piece.cached_card
        elif hasattr(piece, "card_key"):  # looked for by pieces_for_cards, and missing
            keys[index] = piece.card_key
        else:
            prefix = prefix or _card_prefix()
            keys[index] = _card_key(prefix, piece.pk, index)
            unknown.append(keys[index])
    found = cache.get_many(unknown) if unknown else {}
    rendered = {}
    for index, key in keys.items():
        if key in found:
            _slug, _title, cards[index] = found[key]
        else:
            piece = pieces[index]
            cards[index] = render_to_string(CARD_TEMPLATE, {"piece": piece, "eager": index < EAGER_CARDS})
            if piece._state.db == PRIMARY:
                rendered[key] = (piece.slug, piece.title, cards[index])
    if rendered:
        cache.set_many(rendered, timeout=CARD_TIMEOUT)
    return [(piece, mark_safe(cards[index])) for index, piece in enumerate(pieces)]
