"""
Piece cards' HTML, cached per piece and catalog version.

A grid of 24 cards is most of the work of rendering the listing, the maker
page and the home page; the card itself shows the piece and nothing of the
visitor, so its HTML is kept in the cache (one `get_many` for the grid) until
the catalog's version moves on. What depends on the visitor, the compare
button with its CSRF token, is rendered around it on every request.
"""

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .guide import catalog_version

CARD_TEMPLATE = "catalog/partials/_piece_card.html"
# The first row of a grid loads its photos at once; the others lazily.
EAGER_CARDS = 4
CARD_TIMEOUT = 24 * 3600


def _card_keys(pks):
    prefix = f"catalog:card:{settings.RELEASE}:{catalog_version()}"
    return [f"{prefix}:{pk}:{index < EAGER_CARDS:d}" for index, pk in enumerate(pks)]


def pieces_for_cards(ids, pieces):
    """
    The pieces of `ids` (from the queryset `pieces`), in that order, for a grid:
    fully loaded (`for_cards()`, four queries) only where the cache holds no
    card; a cached card's piece needs only what is drawn around the card (its
    slug and title: the compare button), one light query. The cards found
    ride along on the pieces, so `card_bodies` does not ask the cache twice.
    """
    keys = _card_keys(ids)
    found = cache.get_many(keys)
    cached = {pk: html for pk, key in zip(ids, keys, strict=True) if (html := found.get(key)) is not None}
    loaded = {}
    if cached:
        loaded.update(pieces.filter(pk__in=list(cached)).only("pk", "slug", "title").in_bulk())
        for pk, piece in loaded.items():
            piece.cached_card = cached[pk]
    missing = [pk for pk in ids if pk not in cached]
    if missing:
        loaded.update((piece.pk, piece) for piece in pieces.filter(pk__in=missing).for_cards())
    return [loaded[pk] for pk in ids if pk in loaded]


def card_bodies(pieces):
    """[(piece, card HTML), ...] in the order of `pieces`, rendering only the cards not cached yet."""
    pieces = list(pieces)
    if all(hasattr(piece, "cached_card") for piece in pieces):  # found by pieces_for_cards
        return [(piece, mark_safe(piece.cached_card)) for piece in pieces]
    keys = _card_keys([piece.pk for piece in pieces])
    found = cache.get_many(keys)
    rendered = {}
    for index, (piece, key) in enumerate(zip(pieces, keys, strict=True)):
        if key not in found:
            rendered[key] = render_to_string(CARD_TEMPLATE, {"piece": piece, "eager": index < EAGER_CARDS})
    if rendered:
        cache.set_many(rendered, timeout=CARD_TIMEOUT)
    return [(piece, mark_safe(found.get(key) or rendered[key])) for piece, key in zip(pieces, keys, strict=True)]
