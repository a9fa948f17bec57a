"""
The listing's in-memory index: a compressed bitmap (pyroaring) of published
piece ids per facet option, and the published pieces in each listing order.

Counting facets in SQL means one grouped scan per facet over the filtered
result, which at 100,000 pieces costs seconds. A search engine counts facets
the other way round: it keeps, for every option, the set of matching
documents, and a count is the size of an intersection of sets, computed in
microseconds. This module does the same:

- `PieceIndex.build()` reads, in a few grouped queries, the published pieces
  of every option of every facet of `catalog.listing.facets.FACETS` (grouped by the
  facet's `field` or `through` table, or filtered by its `condition` option by
  option, exactly as the SQL counts did), the order of the pieces under each
  sort with its key (price in cents, publication time), and each piece's
  labor hours (for the guide's medians, catalog.pages.guide);
- the postings of the pieces' words (`PieceIndex.search`,
  catalog.listing.search.SearchPostings), the same on every database: `q` is
  read (catalog.listing.reading), matched and ordered by "Best match" in
  memory, as the facets are counted;
- the listing's entry point (catalog.listing.result.IndexedResult) asks it
  for the result's ids (`chosen`, `price_range`), the facet counts
  (`facet_counts`) and one page of ids in order (`page`), then loads the 24
  pieces of the page by primary key.

Kept in step with the catalog
-----------------------------
Every write to the catalog moves its version on (`catalog.versions.
bump_catalog_version`, from catalog.signals and the bulk services) and logs
which pieces the write concerns: one piece, or a few (a piece saved, its
materials, steps or techniques changed, a personalization request sent for
it, published, hidden), the pieces of one maker (the maker edited, a
certification of theirs verified), or "everything" (a taxonomy renamed, makers
approved or suspended in bulk, more than `MAX_LOGGED_PIECES` pieces).
`current_index()` compares the worker's index with the version on each
request:

- Pieces named by the log are read again (`PieceIndex.updated`): removed from
  every bitmap and order, then added back from their rows as they are now,
  read with the facets' own conditions restricted to their ids, in two
  queries compiled once per process (`Reread`), and their words for the
  search postings in a few more (catalog.listing.search). At 100,000 pieces: 10 ms
  for one piece, 27 ms for 50 (25 and 55 ms on a loaded machine), in the
  request that first sees the version (bench/README.md, "The listing's index
  after a write"). A piece deleted, unpublished or whose maker is no longer public is
  simply not added back.
- "Everything" (or a log that cannot tell: an entry expired or evicted, the
  cache cleared, the worker too far behind, more than `MAX_UPDATE` pieces)
  needs a full rebuild: 6 to 7 s at 100,000 pieces (13 to 19 s loaded). A
  catalog under `INLINE_REBUILD_BELOW` pieces is rebuilt at once, in the
  request. A larger one is rebuilt by a background thread of the worker, while
  requests keep being answered from the index it had, in which the pieces
  named by the log since are still read again on each request. A worker with
  no index yet (it just started) builds one in its first listing request.

So the stale window is: none for a change to named pieces (the version is
bumped inside the writing transaction, for its own later reads, and again
once it commits; every worker reads the pieces again in its next request),
and for a change to everything, the time of one full build from the first
request that sees it (7 s at 100,000 pieces, 16 s on a loaded machine), during
which the listing shows the catalog as before that change, with later changes
to named pieces applied. An index knows where it stands:
`behind_since` is the first version whose change it does not show yet (None
when exact). The worker then installs the rebuilt index at its next request,
after reading again the pieces named by the log since the rebuild started, so
it never goes back to an older index than it had (`exact_through` only moves
forward) and converges to the exact counts. A rebuild that fails is logged,
the previous index is kept, and the next request after `RETRY_SECONDS` tries
again.

Each worker keeps its own index and rebuilds it itself; the log is in the
shared cache (Redis in production). With the per-process cache of development
(locmem) a single process sees every bump it makes, which is what runserver
needs. The index reads the primary database, never a replica that may lag
behind the version. Known limit: a worker that reads the index inside a
transaction that wrote pieces and then rolls back keeps those rows until they
change again (the same was true of the full rebuild).

A facet declared in FACETS is indexed, counted and kept in step with no change
here.

Part of the listing room: below its entry point (catalog.listing.result), above the orders
(catalog.listing.orders) and the reads (catalog.listing.reads) it is built from;
catalog.pages.sheets and catalog.pages.guide read it too.
"""

from __future__ import annotations

import logging
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import numpy
from django.db import connections
from pyroaring import BitMap

from catalog.choices import ProductionMethod
from catalog.listing.facets import FACETS, FLAG_KEY
from catalog.listing.filters import Sort
from catalog.listing.orders import Order, as_array
from catalog.listing.reading import Reader
from catalog.listing.reads import (
    NO_HOURS,
    Reread,
    listing_keys,
    newest_keys,
    option_bitmaps,
    primary_database,
)
from catalog.listing.search import SearchPostings
from catalog.listing.vocabulary import vocabulary as current_vocabulary
from catalog.models import Piece
from catalog.versions import catalog_changes, catalog_version
from marketplace.db_router import PRIMARY
from marketplace.memory import release_freed_memory

logger = logging.getLogger(__name__)

# More changed pieces than this between two requests: rebuilt whole rather than read again piece by piece.
MAX_UPDATE = 500

# A catalog smaller than this is rebuilt whole in the request (well under a second); a larger one in the background.
INLINE_REBUILD_BELOW = 5_000

# The facet counts of this many states are kept per index (PieceIndex.facet_counts): some 1.2 KB each.
COUNTED_STATES = 512

# After a background rebuild failed, the next one starts no sooner than this.
RETRY_SECONDS = 10


class PieceIndex:
    """Bitmaps of the published pieces by facet option, and their listing orders."""

    def __init__(
        self,
        version,
        universe,
        options,
        by_price,
        newest,
        hours,
        *,
        database=None,
        facets=FACETS,
        behind_since=None,
        search=None,
    ):
        self.version = version  # the catalog's version the index was last brought to
        self.database = database
        self.universe = universe
        self.options = options  # {facet name: {option value: BitMap}}
        self.by_price = by_price  # Order by price (in cents), then id
        self.newest = newest  # Order newest first, then by id descending
        self.hours = hours  # each piece's labor hours as SCALED_HOURS, indexed by id (an `array`)
        self.facets = facets
        # The first version whose change (to everything) the index does not show yet; None when exact.
        self.behind_since = behind_since
        self._search = search  # SearchPostings, read on first use
        self._reader = None
        self._counted = OrderedDict()  # facet counts by state (`facet_counts`), the latest last
        self._counting = threading.Lock()  # runserver's threads share the index

    @property
    def exact_through(self):
        """The latest version whose every change the index shows."""
        return self.version if self.behind_since is None else self.behind_since - 1

    @property
    def search(self):
        """
        The postings of the pieces' words (catalog.listing.search.SearchPostings):
        read whole with the index when a worker builds it (`_built`), else here on first use.
        """
        if self._search is None:
            self._search = SearchPostings.build(Piece.objects.using(PRIMARY).published())
        return self._search

    def reader(self):
        """How `q` is read against this index's words and the facets' vocabulary now (catalog.listing.reading)."""
        vocabulary = current_vocabulary()
        if self._reader is None or self._reader.vocabulary is not vocabulary:
            self._reader = Reader(self.search, vocabulary)
            with self._counting:
                self._counted.clear()  # a state's words may read otherwise now
        return self._reader

    @classmethod
    def build(cls, version=None, facets=FACETS, database=None):
        """The index of the published catalog, read whole: a few grouped queries per facet."""
        published = Piece.objects.using(PRIMARY).published()  # never a replica that may lag behind the version
        options = {facet.name: option_bitmaps(facet, published) for facet in facets}
        members, cents, newest_keys, hours = listing_keys(published)
        by_price = Order.of(members, cents, sign=1)
        newest = Order.of(members, newest_keys, sign=-1)
        by_id = numpy.full(int(members.max()) + 1 if len(members) else 0, NO_HOURS, dtype=numpy.int32)
        by_id[members] = hours
        hours = as_array("i", by_id)
        del members, cents, newest_keys, by_id
        universe = BitMap.union(BitMap(), *by_price.buckets)
        index = cls(version, universe, options, by_price, newest, hours, database=database, facets=facets)
        release_freed_memory()  # the packed rows and sort buffers, which glibc would keep (marketplace.memory)
        return index

    def updated(self, changed, version, *, behind=False):
        """
        A new index at `version`: this one with the pieces `changed` (ids) read
        again, as they are now; `behind`: a change to everything is among those
        up to `version`, which the new index does not show.
        """
        changed = BitMap(changed)
        behind_since = self.behind_since
        if behind and behind_since is None:
            behind_since = self.version + 1
        if not changed:
            return self._with(version, behind_since)
        fresh, rows = Reread.of(self.facets).read(changed)
        options = {}
        for facet in self.facets:
            # Flags and options counted one by one have a bitmap even when empty, as in the build.
            keep_empty = facet.is_flag or facet.count_each_option
            options[facet.name] = _merged(self.options[facet.name], fresh[facet.name], changed, keep_empty)
        newest_key = newest_keys()
        before = self.universe & changed
        hours = self.hours[:]  # a piece no longer published keeps its value: only the universe's are read
        hours.extend(array("i", [NO_HOURS]) * (max((pk for pk, *_ in rows), default=-1) + 1 - len(hours)))
        for pk, _, _, scaled in rows:
            hours[pk] = scaled
        index = PieceIndex(
            version,
            (self.universe - changed) | BitMap(pk for pk, *_ in rows),
            options,
            self.by_price.replaced(changed, before, [(pk, cents) for pk, cents, *_ in rows]),
            self.newest.replaced(changed, before, [(pk, newest_key(at)) for pk, _, at, _ in rows]),
            hours,
            database=self.database,
            facets=self.facets,
            behind_since=behind_since,
            search=self._search and self._search.updated(changed, SearchPostings.build(_published_among(changed))),
        )
        return index

    def _with(self, version, behind_since):
        return PieceIndex(
            version,
            self.universe,
            self.options,
            self.by_price,
            self.newest,
            self.hours,
            database=self.database,
            facets=self.facets,
            behind_since=behind_since,
            search=self._search,
        )

    # --- Filtering --------------------------------------------------------------------

    def chosen(self, facet, values):
        """The published pieces with any of the chosen options of a facet (OR within a facet)."""
        bitmaps = self.options[facet.name]
        keys = [FLAG_KEY] if facet.is_flag else values
        return BitMap.union(BitMap(), *(bitmaps[key] for key in keys if key in bitmaps))

    def price_range(self, low=None, high=None):
        """The published pieces priced from `low` to `high` (Decimals, either may be None), bounds included."""
        ids, cents = self.by_price.ids, self.by_price.key.__getitem__
        start = 0
        if low is not None:
            start = bisect_left(ids, int((low * 100).to_integral_value(ROUND_CEILING)), key=cents)
        end = len(ids)
        if high is not None:
            end = bisect_right(ids, int((Decimal(high) * 100).to_integral_value(ROUND_FLOOR)), key=cents)
        return self.by_price.range(start, max(start, end))

    def made_the_other_way(self, piece, limit):
        """
        The ids of the `limit` published pieces of `piece`'s category made the
        other way, nearest in its price first, the newest (highest id) first
        among equals: `PieceQuerySet.made_the_other_way`, the rule in SQL,
        answered without a query. A category is a facet, and so is the method.
        """
        other = ProductionMethod.the_other_way(piece.production_method)
        candidates = self.options["category"].get(piece.category.slug, BitMap()) & self.options["method"].get(
            other, BitMap()
        )
        candidates.discard(piece.pk)
        if not candidates:
            return []
        ids = numpy.frombuffer(candidates.to_array(), dtype=numpy.uint32).astype(numpy.int64)
        cents = int((piece.price * 100).to_integral_value())
        distance = numpy.abs(numpy.frombuffer(self.by_price.key, dtype=numpy.int64)[ids] - cents)
        if len(ids) > limit:  # only the pieces as near as the `limit`-th nearest, ties included, are sorted
            near = distance <= numpy.partition(distance, limit - 1)[limit - 1]
            ids, distance = ids[near], distance[near]
        return ids[numpy.lexsort((-ids, distance))][:limit].tolist()

    # --- Counting and paging ----------------------------------------------------------

    def facet_counts(self, chosen, base, facets=FACETS, *, state=None):
        """
        {facet: {option: count}}: for each facet, how many pieces of `base`
        (the result before any facet filter) under every chosen facet but its
        own have each option. `chosen` is {facet name: BitMap} of the active facets.

        `state` (hashable) names what `chosen` and `base` were made from: the
        counts of the last COUNTED_STATES states are kept, as arrays (4 bytes an
        option). They change only with the index, which a change to the catalog
        replaces, and with how words are read (`reader`, which clears them).
        """
        if state is None:
            return self._counted_now(chosen, base, facets)
        with self._counting:
            if (kept := self._counted.get(state)) is not None:
                self._counted.move_to_end(state)
        if kept is not None:
            return {
                facet.name: dict(zip(self.options[facet.name], counts, strict=True))
                for facet, counts in zip(facets, kept, strict=True)
            }
        counts = self._counted_now(chosen, base, facets)
        with self._counting:
            self._counted[state] = [array("I", counts[facet.name].values()) for facet in facets]
            if len(self._counted) > COUNTED_STATES:
                self._counted.popitem(last=False)
        return counts

    def _counted_now(self, chosen, base, facets):
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


def _published_among(ids):
    return Piece.objects.using(PRIMARY).published().filter(pk__in=list(ids))


def _built(version, database):
    """The index read whole, with its search postings: what a worker builds off the request path when it can."""
    index = PieceIndex.build(version, database=database)
    index.search  # noqa: B018 (read now, not in a shopper's first search)
    return index


def _merged(current, fresh, changed, keep_empty):
    """One facet's {option: BitMap} with the `changed` pieces taken out, then added back where `fresh` has them."""
    merged = {}
    for key, bitmap in current.items():
        added = fresh.get(key)
        if added:
            bitmap = (bitmap - changed) | added
        elif bitmap.intersect(changed):
            bitmap = bitmap - changed
        if bitmap or keep_empty:
            merged[key] = bitmap
    for key, added in fresh.items():
        if key not in merged and (added or keep_empty):
            merged[key] = added
    return merged


# --- The worker's index ---------------------------------------------------------------

_current = None
_lock = threading.Lock()
_rebuild = None  # the background rebuild's thread
_rebuilt = None  # the index it built, installed by the next request
_rebuild_failed_at = None


def current_index():
    """
    The index of the catalog as it is now (module docstring: as far as a
    background rebuild allows), brought up to the catalog's version first.
    """
    global _current
    version = catalog_version()
    database = primary_database().settings_dict["NAME"]
    index = _current
    if (
        index is not None
        and index.version == version
        and index.database == database
        and _rebuilt is None
        and (index.behind_since is None or _rebuilding())
    ):
        return index
    with _lock:
        _current = _advanced(_current, version, database)
        return _current


def index_through(version):
    """
    The worker's index as it is, if it shows every change up to `version`,
    else None: a page that can do without it (the piece page) neither waits
    for a build nor reads pieces again; the listing keeps it up to date.
    """
    index = _current
    if index is None or index.database != primary_database().settings_dict["NAME"] or index.exact_through < version:
        return None
    return index


def _advanced(index, version, database):
    """`index` brought to `version`: read again where the log says, rebuilt whole where it cannot."""
    if index is None or index.database != database:
        return _built(version, database)  # none to answer from meanwhile
    index = _installed(index)
    if index.version != version:
        changes = catalog_changes(index.version, version)
        behind = changes.everything or len(changes.pieces) > MAX_UPDATE
        if behind and len(index.universe) < INLINE_REBUILD_BELOW:
            return _built(version, database)
        try:
            index = index.updated(changes.pieces if len(changes.pieces) <= MAX_UPDATE else (), version, behind=behind)
        except LookupError:  # an order that does not hold what it should: rebuilt like a change to everything
            logger.exception("The listing's index is inconsistent; rebuilding it.")
            index = index._with(version, index.behind_since or index.version + 1)
    if index.behind_since is not None:
        if len(index.universe) < INLINE_REBUILD_BELOW:
            return _built(version, database)
        _start_rebuild()
    return index


def _installed(index):
    """The index rebuilt in the background, if one is waiting and shows more than `index`; else `index`."""
    global _rebuilt
    rebuilt, _rebuilt = _rebuilt, None
    if rebuilt is None or rebuilt.database != index.database or rebuilt.version <= index.exact_through:
        return index
    return rebuilt


def _rebuilding():
    return _rebuild is not None and _rebuild.is_alive()


def _start_rebuild():
    global _rebuild
    if _rebuilding() or _rebuilt is not None:
        return
    if _rebuild_failed_at is not None and time.monotonic() - _rebuild_failed_at < RETRY_SECONDS:
        return
    _rebuild = threading.Thread(target=_rebuild_whole, name="piece-index-rebuild", daemon=True)
    _rebuild.start()


def _rebuild_whole():
    """The background rebuild: the whole index at the version read before its first query."""
    global _rebuilt, _rebuild_failed_at
    started = time.monotonic()
    try:
        version = catalog_version()
        index = _built(version, primary_database().settings_dict["NAME"])
    except Exception:
        _rebuild_failed_at = time.monotonic()
        logger.exception("The listing's index could not be rebuilt; the previous one is kept.")
    else:
        _rebuild_failed_at = None
        _rebuilt = index
        logger.info("The listing's index was rebuilt in %.1f s (version %s).", time.monotonic() - started, version)
    finally:
        connections.close_all()  # this thread's connections


def wait_for_rebuild(timeout=None):
    """Wait for a background rebuild of this process to end (tests, the benchmark); True if none is running."""
    thread = _rebuild
    if thread is not None:
        thread.join(timeout)
    return not _rebuilding()
