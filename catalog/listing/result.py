"""
The listing's entry point for one request (`IndexedResult`): the filters
validated by catalog.listing.filters are answered from the in-memory index
(catalog.listing.index), `q` from its word postings (catalog.listing.search), what the
index cannot answer in SQL; the result's page of cards comes from the cards'
cache (catalog.listing.cards). Views call this, and it calls down.
"""

from __future__ import annotations

import logging

from pyroaring import BitMap

from catalog.listing.cards import pieces_for_cards
from catalog.listing.facets import FACETS
from catalog.listing.filters import Sort, order_pieces
from catalog.listing.index import current_index
from catalog.listing.reads import ids_of
from catalog.listing.search import parsed_query
from catalog.models import Piece
from marketplace.db_router import PRIMARY

logger = logging.getLogger(__name__)

# The sorts the index serves; relevance and "most requested" are ordered in SQL.
INDEXED_SORTS = (Sort.NEWEST, Sort.PRICE, Sort.PRICE_DESC)


# Filters the index cannot answer are applied in SQL to the published pieces, once; `q` only where the
# index has no search postings (SQLite) or for a phrase's check.
SQL_FILTERS = ("q", "ships_within")
# A phrase's candidates up to this many are checked by id; more, by the vectors' GIN index (as q was before the
# postings: its cost grows with the pieces having all the phrase's words, 1.5 s for two common ones at 1M pieces).
PHRASE_CHECKED_BY_ID = 5_000


class IndexedResult:
    """
    The listing's result for one request, read from the index: its pieces'
    ids, its facet counts, and its pages (a sequence the paginator slices:
    only the page's 24 pieces are loaded, by primary key). A search (`q`) is
    matched and ordered by "Best match" in the index's postings on PostgreSQL
    (catalog.listing.search): no query, unless `q` is new to the process (its parsing)
    or holds a phrase (its check).
    """

    def __init__(self, filterset, index=None):
        self.index = index = index or current_index()
        self.filterset = filterset
        selections = filterset.selections
        q = selections.get("q")
        self.sort = selections.get("sort") or (Sort.RELEVANCE if q else Sort.NEWEST)
        base = index.universe
        if "price_min" in selections or "price_max" in selections:
            base = base & index.price_range(selections.get("price_min"), selections.get("price_max"))
        self.searched, self.query = _searched(q, index)
        in_sql = [name for name in SQL_FILTERS if name in selections and not (name == "q" and self.searched)]
        if in_sql:
            base = base & ids_of(filterset.filtered(in_sql))
        if self.searched:
            base = self._matching(base)
        chosen = {f.name: index.chosen(f, selections[f.name]) for f in FACETS if f.name in selections}
        self.ids = BitMap.intersection(base, *chosen.values()) if chosen else base
        self.facet_counts = index.facet_counts(chosen, base)

    def _matching(self, base):
        """The pieces of `base` matching `q`, from the postings (a phrase's candidates checked in SQL)."""
        found, exact = self.index.search.matches(self.query, base)
        if not exact and found:
            matching = self.filterset.filtered(["q"])
            if len(found) <= PHRASE_CHECKED_BY_ID:
                matching = matching.filter(pk__in=list(found))
            found = found & ids_of(matching)
        return found

    def count(self):
        return len(self.ids)

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, page):
        """The pieces of a slice of the result, in the listing's order, ready for their cards."""
        start, stop = page.start or 0, page.stop
        if self.sort in INDEXED_SORTS:
            ids = self.index.page(self.ids, self.sort, start, stop - start)
            return pieces_for_cards(ids, Piece.objects.published())
        if self.sort == Sort.RELEVANCE and self.searched:
            return pieces_for_cards(self._best_match_page(start, stop - start), Piece.objects.published())
        # "Most requested" (and the fallback's "Best match") are ordered by the database.
        selections = self.filterset.selections
        ordered = order_pieces(self.filterset.qs, sort=selections.get("sort"), q=selections.get("q"))
        return list(ordered.for_cards()[start:stop])

    def _best_match_page(self, offset, limit):
        """One page of "Best match": the tiers of catalog.listing.search one after another, each newest first."""
        ids = []
        for tier in self.index.search.best_match_tiers(self.query, self.ids):
            if limit <= 0:
                break
            if offset >= len(tier):
                offset -= len(tier)
                continue
            found = self.index.page(tier, Sort.NEWEST, offset, limit)
            ids += found
            offset, limit = 0, limit - len(found)
        return ids


def _searched(q, index):
    """(whether the index's postings answer `q`, its parsed tree): not on SQLite, nor for a form they cannot read."""
    if not q or index.search is None:
        return False, None
    try:
        return True, parsed_query(q, PRIMARY)
    except ValueError:
        logger.warning("A search the postings cannot read went to SQL: %r", q)
        return False, None
