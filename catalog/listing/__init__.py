"""
The listing room: how pieces are found. Facets (catalog.listing.facets), the
filter forms and sorts (filters), search (words, vocabulary, reading, search:
what a shopper types read as filters, typos corrected, words matched), the in-memory index of
published pieces per facet option (index, with its SQL reads and its orders),
the cards' cache (cards), and the two entry points the pages call:
`IndexedResult` (result: one request's pieces, counts and pages) and
`ListingState` (state: the facet column, the chips, the canonical URL).

Data flows down through it, never back up: result → index → filters → search
→ facets (the `listing-flow` contract in pyproject.toml); orders and reads
sit under the index, outside the contract's layers. The room reads the
catalog's version (catalog.versions) and the data (models, querysets, choices,
formats); nothing else of catalog's.

This module is the room's front door: the other rooms import the names below
from `catalog.listing`, never its modules (the `listing-front-door` contract),
so that what the room offers is this list, and its modules can be split or
renamed without touching a page. The pages call the two entry points and the
cards (home, a maker's pieces), the makers' directory its filter and facets,
the piece page `index_through`, the guide the index's labor hours, the alerts of saved
searches `selected_ids` (the pieces many states select at once); the
signals, the demo and a migration keep facets' options and search vectors
fresh; gunicorn builds the index before it forks its workers.
"""

from catalog.listing.cards import card_bodies, pieces_for_cards
from catalog.listing.facets import (
    ARTISAN_FACETS,
    MAKERS,
    facet_options_request_finished,
    facet_options_request_started,
    forget_facet_options,
    option_choices,
)
from catalog.listing.filters import ArtisanFilter, PieceFilter
from catalog.listing.index import PieceIndex, current_index, index_through, wait_for_rebuild
from catalog.listing.reads import HOURS_PLACES, NO_HOURS
from catalog.listing.result import IndexedResult, selected_ids
from catalog.listing.state import ListingState, querystring
from catalog.listing.suggest import suggestions
from catalog.listing.vocabulary import phrase_keys, synonym_facets
from catalog.listing.warm import build_before_fork

__all__ = [
    "ARTISAN_FACETS",
    "HOURS_PLACES",
    "MAKERS",
    "NO_HOURS",
    "ArtisanFilter",
    "IndexedResult",
    "ListingState",
    "PieceFilter",
    "PieceIndex",
    "build_before_fork",
    "card_bodies",
    "current_index",
    "facet_options_request_finished",
    "facet_options_request_started",
    "forget_facet_options",
    "index_through",
    "option_choices",
    "phrase_keys",
    "pieces_for_cards",
    "querystring",
    "selected_ids",
    "suggestions",
    "synonym_facets",
    "wait_for_rebuild",
]
