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


def card_bodies(pieces):
    """[(piece, card HTML), ...] in the order of `pieces`, rendering only the cards not cached yet."""
    pieces = list(pieces)
    prefix = f"catalog:card:{settings.RELEASE}:{catalog_version()}"
    keys = [f"{prefix}:{piece.pk}:{index < EAGER_CARDS:d}" for index, piece in enumerate(pieces)]
    found = cache.get_many(keys)
    rendered = {}
    for index, (piece, key) in enumerate(zip(pieces, keys, strict=True)):
        if key not in found:
            rendered[key] = render_to_string(CARD_TEMPLATE, {"piece": piece, "eager": index < EAGER_CARDS})
    if rendered:
        cache.set_many(rendered, timeout=CARD_TIMEOUT)
    return [(piece, mark_safe(found.get(key) or rendered[key])) for piece, key in zip(pieces, keys, strict=True)]
