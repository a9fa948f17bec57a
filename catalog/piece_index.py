"""
The listing's in-memory index: a compressed bitmap (pyroaring) of published
piece ids per facet option, and the published pieces in each listing order.

Counting facets in SQL means one grouped scan per facet over the filtered
result, which at 100,000 pieces costs seconds. A search engine counts facets
the other way round: it keeps, for every option, the set of matching
documents, and a count is the size of an intersection of sets, computed in
microseconds. This module does the same:

- `PieceIndex.build()` reads, in a few grouped queries, the published pieces
  of every option of every facet of `catalog.facets.FACETS` (grouped by the
  facet's `field` or `through` table, or filtered by its `condition` option by
  option, exactly as the SQL counts did), the price of every piece, and the
  order of the pieces under each sort;
- `current_index()` rebuilds it when the catalog's version moves on
  (`catalog.guide.bump_catalog_version`, which every write to the catalog
  calls), so the counts are exact, never minutes old;
- the listing asks it for the result's ids (`result`), the facet counts
  (`facet_counts`) and one page of ids in order (`page`), then loads the 24
  pieces of the page by primary key.

A facet declared in FACETS is indexed and counted with no change here.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import BigIntegerField, CharField, F, Value
from django.db.models.functions import Cast
from pyroaring import BitMap

from .facets import FACETS, FLAG_KEY, facet_options
from .filters import Sort, order_pieces
from .guide import catalog_version
from .models import Piece

# Pieces per bucket of a listing order: a page is found by counting the
# result's pieces bucket by bucket, then sorting only the bucket it falls in.
BUCKET_SIZE = 1024
# A result this small is sorted whole instead of walked bucket by bucket.
SMALL_RESULT = 4096
# The sorts the index serves; relevance and "most requested" are ordered in SQL.
INDEXED_SORTS = (Sort.NEWEST, Sort.PRICE, Sort.PRICE_DESC)


def _postgresql():
    return connection.vendor == "postgresql"


def _ids(queryset):
    """The ids of `queryset` as a BitMap; on PostgreSQL in one array (a row per id costs 10x more)."""
    queryset = queryset.order_by()
    if _postgresql():
        return BitMap(queryset.aggregate(ids=ArrayAgg("pk", default=Value([])))["ids"])
    return BitMap(queryset.values_list("pk", flat=True).iterator(chunk_size=20_000))


def _ids_by_key(queryset, key, pk="pk"):
    """{key as text: BitMap of the `pk` of the rows with it}; on PostgreSQL one array per key."""
    keyed = queryset.order_by().values(key=Cast(F(key), CharField()))
    if _postgresql():
        return {key: BitMap(ids) for key, ids in keyed.annotate(ids=ArrayAgg(pk)).values_list("key", "ids")}
    grouped = {}
    for key, owner in keyed.values_list("key", pk).iterator(chunk_size=20_000):
        grouped.setdefault(key, []).append(owner)
    return {key: BitMap(ids) for key, ids in grouped.items()}


def _option_bitmaps(facet, published):
    """{option value: BitMap of published pieces with it} for one facet, like `Facet.count_branches`."""
    if facet.is_flag:
        return {FLAG_KEY: _ids(published.filter(facet.condition([FLAG_KEY])))}
    if facet.count_each_option:
        values = [option.value for option in facet_options().get(facet.name, [])]
        return {value: _ids(published.filter(facet.condition([value]))) for value in values}
    if facet.field:
        return _ids_by_key(published, facet.field)
    related = facet.through.objects.filter(**{f"{facet.owner}__in": published.values("pk")}, **facet.through_filter)
    return _ids_by_key(related, facet.through_key, pk=facet.owner)


@dataclass
class Order:
    """The published pieces in one listing order, cut into buckets of BUCKET_SIZE."""

    ids: array  # piece ids, in order (uint32, as the bitmaps hold them)
    rank: array  # position in `ids`, indexed by piece id (an array: a dict would take 100 MB at 1M pieces)
    buckets: list  # BitMap of each run of BUCKET_SIZE ids

    @classmethod
    def of(cls, ids):
        ids = array("I", ids)
        rank = array("l", [-1]) * ((max(ids) + 1) if ids else 0)
        for position, pk in enumerate(ids):
            rank[pk] = position
        buckets = [BitMap(ids[start : start + BUCKET_SIZE]) for start in range(0, len(ids), BUCKET_SIZE)]
        return cls(ids, rank, buckets)

    def range(self, low, high):
        """The ids at positions low..high-1, as a BitMap, whole buckets taken as they are."""
        first, last = -(-low // BUCKET_SIZE), high // BUCKET_SIZE
        if first >= last:
            return BitMap(self.ids[low:high])
        return BitMap.union(
            BitMap(self.ids[low : first * BUCKET_SIZE]),
            *self.buckets[first:last],
            BitMap(self.ids[last * BUCKET_SIZE : high]),
        )

    def page(self, result, offset, limit, *, reverse=False):
        """The ids of `result` at positions offset..offset+limit in this order (or its reverse)."""
        if len(result) <= SMALL_RESULT:
            ordered = sorted(result, key=self.rank.__getitem__, reverse=reverse)
            return ordered[offset : offset + limit]
        found, seen = [], 0
        for bucket in reversed(self.buckets) if reverse else self.buckets:
            size = result.intersection_cardinality(bucket)
            if seen + size > offset:
                ordered = sorted(result & bucket, key=self.rank.__getitem__, reverse=reverse)
                found.extend(ordered[max(0, offset - seen) :][: limit - len(found)])
                if len(found) >= limit:
                    break
            seen += size
        return found


class PieceIndex:
    """Bitmaps of the published pieces by facet option, their prices, and their listing orders."""

    def __init__(self, version, universe, options, by_price, cents, newest):
        self.version = version
        self.universe = universe
        self.options = options  # {facet name: {option value: BitMap}}
        self.by_price = by_price  # Order by price, then id
        self.cents = cents  # the prices in cents, in the order of by_price
        self.newest = newest  # Order newest first

    @classmethod
    def build(cls, version=None, facets=FACETS):
        published = Piece.objects.published()
        options = {facet.name: _option_bitmaps(facet, published) for facet in facets}
        cents = Cast(F("price") * Value(100), BigIntegerField())
        # Two flat arrays rather than a list of a million tuples: the worker's memory stays small.
        ids, prices = array("I"), array("q")
        for pk, price in published.order_by("price", "id").values_list("pk", cents).iterator(chunk_size=20_000):
            ids.append(pk)
            prices.append(price)
        newest = published.order_by(*Sort.orderings[Sort.NEWEST]).values_list("pk", flat=True)
        by_price = Order.of(ids)
        return cls(
            version,
            BitMap.union(BitMap(), *by_price.buckets),
            options,
            by_price,
            prices,
            Order.of(newest.iterator(chunk_size=20_000)),
        )

    # --- Filtering --------------------------------------------------------------------

    def chosen(self, facet, values):
        """The published pieces with any of the chosen options of a facet (OR within a facet)."""
        bitmaps = self.options[facet.name]
        keys = [FLAG_KEY] if facet.is_flag else values
        return BitMap.union(BitMap(), *(bitmaps[key] for key in keys if key in bitmaps))

    def price_range(self, low=None, high=None):
        """The published pieces priced from `low` to `high` (Decimals, either may be None), bounds included."""
        start = 0 if low is None else bisect_left(self.cents, int((low * 100).to_integral_value(ROUND_CEILING)))
        end = len(self.cents)
        if high is not None:
            end = bisect_right(self.cents, int((Decimal(high) * 100).to_integral_value(ROUND_FLOOR)))
        return self.by_price.range(start, max(start, end))

    # --- Counting and paging ----------------------------------------------------------

    def facet_counts(self, chosen, base, facets=FACETS):
        """
        {facet: {option: count}}: for each facet, how many pieces of `base`
        (the result before any facet filter) under every chosen facet but its
        own have each option. `chosen` is {facet name: BitMap} of the active facets.
        """
        everything = BitMap.intersection(base, *chosen.values()) if chosen else base
        counts = {}
        for facet in facets:
            if facet.name in chosen:
                others = [bitmap for name, bitmap in chosen.items() if name != facet.name]
                within = BitMap.intersection(base, *others) if others else base
            else:
                within = everything
            counts[facet.name] = {
                value: within.intersection_cardinality(bitmap) for value, bitmap in self.options[facet.name].items()
            }
        return counts

    def page(self, result, sort, offset, limit):
        """The ids of one page of `result` under an indexed sort."""
        if sort == Sort.NEWEST:
            return self.newest.page(result, offset, limit)
        return self.by_price.page(result, offset, limit, reverse=sort == Sort.PRICE_DESC)


_current = None
_lock = threading.Lock()


def current_index():
    """The index of the catalog as it is now, rebuilt (once per process) when its version has moved on."""
    global _current
    version = (catalog_version(), connection.settings_dict["NAME"])
    index = _current
    if index is not None and index.version == version:
        return index
    with _lock:
        if _current is None or _current.version != version:
            _current = PieceIndex.build(version)
        return _current


# Filters the index cannot answer are applied in SQL to the published pieces, once.
SQL_FILTERS = ("q", "ships_within")


class IndexedResult:
    """
    The listing's result for one request, read from the index: its pieces'
    ids, its facet counts, and its pages (a sequence the paginator slices:
    only the page's 24 pieces are loaded, by primary key).
    """

    def __init__(self, filterset, index=None):
        self.index = index = index or current_index()
        self.filterset = filterset
        selections = filterset.selections
        self.sort = selections.get("sort") or (Sort.RELEVANCE if selections.get("q") else Sort.NEWEST)
        base = index.universe
        if "price_min" in selections or "price_max" in selections:
            base = base & index.price_range(selections.get("price_min"), selections.get("price_max"))
        in_sql = [name for name in SQL_FILTERS if name in selections]
        if in_sql:
            base = base & _ids(filterset.filtered(in_sql))
        chosen = {f.name: index.chosen(f, selections[f.name]) for f in FACETS if f.name in selections}
        self.ids = BitMap.intersection(base, *chosen.values()) if chosen else base
        self.facet_counts = index.facet_counts(chosen, base)

    def count(self):
        return len(self.ids)

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, page):
        """The pieces of a slice of the result, in the listing's order, ready for their cards."""
        start, stop = page.start or 0, page.stop
        if self.sort in INDEXED_SORTS:
            ids = self.index.page(self.ids, self.sort, start, stop - start)
            pieces = {piece.pk: piece for piece in Piece.objects.published().filter(pk__in=ids).for_cards()}
            return [pieces[pk] for pk in ids if pk in pieces]
        # Relevance and "most requested" are ordered by the database.
        selections = self.filterset.selections
        ordered = order_pieces(self.filterset.qs, sort=selections.get("sort"), q=selections.get("q"))
        return list(ordered.for_cards()[start:stop])
