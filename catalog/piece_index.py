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
  option, exactly as the SQL counts did), the order of the pieces under each
  sort with its key (price in cents, publication time), and each piece's
  labor hours (for the guide's medians, catalog.guide);
- on PostgreSQL, the postings of the words of the pieces' search vectors
  (`PieceIndex.search`, catalog.search.SearchPostings): `q` is matched and
  ordered by "Best match" in memory, as the facets are counted;
- the listing asks it for the result's ids (`result`), the facet counts
  (`facet_counts`) and one page of ids in order (`page`), then loads the 24
  pieces of the page by primary key.

Kept in step with the catalog
-----------------------------
Every write to the catalog moves its version on (`catalog.guide.
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
  queries compiled once per process (`_Reread`), and on PostgreSQL their
  words for the search postings in a third (catalog.search). At 100,000 pieces: 10 ms
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
"""

from __future__ import annotations

import datetime
import json
import logging
import sys
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import numpy
from django.db import connections
from django.db.models import (
    Aggregate,
    BigIntegerField,
    BinaryField,
    BooleanField,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import Expression
from django.db.models.functions import Cast, Coalesce, Round
from django.utils.dateparse import parse_datetime
from pyroaring import BitMap

from marketplace.db_router import PRIMARY
from marketplace.memory import release_freed_memory

from .cards import pieces_for_cards
from .choices import ProductionMethod
from .facets import FACETS, FLAG_KEY, facet_options
from .filters import Sort, order_pieces
from .guide import catalog_changes, catalog_version
from .models import Piece
from .search import SearchPostings, parsed_query

logger = logging.getLogger(__name__)

# Pieces per bucket of a listing order: a page is found by counting the
# result's pieces bucket by bucket, then sorting only the bucket it falls in.
BUCKET_SIZE = 1024
# A result this small is sorted whole instead of walked bucket by bucket.
SMALL_RESULT = 4096
# The sorts the index serves; relevance and "most requested" are ordered in SQL.
INDEXED_SORTS = (Sort.NEWEST, Sort.PRICE, Sort.PRICE_DESC)
# Changes to at most this many pieces are moved in the orders one by one; more re-sort the orders (in memory).
SMALL_CHANGE = 256
# More changed pieces than this between two requests: rebuilt whole rather than read again piece by piece.
MAX_UPDATE = 500
# Pieces read again per query: for many more, PostgreSQL plans to read the facets' tables whole.
READ_RUN = 64
# A catalog smaller than this is rebuilt whole in the request (well under a second); a larger one in the background.
INLINE_REBUILD_BELOW = 5_000
# After a background rebuild failed, the next one starts no sooner than this.
RETRY_SECONDS = 10

# Ids packed in one value per run of this many (a roaring container's span): see `_block`.
ID_BLOCK = 2**16

# Rows read at once where ids are read row by row (SQLite): a row's Python objects take some 180 bytes.
ROW_CHUNK = 1_000

# Rounded: SQLite keeps prices as floats, and 19.99 × 100 is 1998.9999… there.
CENTS = Cast(Round(F("price") * Value(100)), BigIntegerField())
# Labor hours as integers, scaled by their decimal places (tenths), NO_HOURS when the maker gave none:
# the guide's medians.
HOURS_PLACES = Piece._meta.get_field("labor_hours").decimal_places
NO_HOURS = -1
SCALED_HOURS = Coalesce(Cast(Round(F("labor_hours") * Value(10**HOURS_PLACES)), IntegerField()), Value(NO_HOURS))
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)


def _database():
    return connections[PRIMARY]


def _postgresql():
    return _database().vendor == "postgresql"


class _Packed(Aggregate):
    """
    PostgreSQL: integer columns of every row packed into one bytea, big-endian,
    each column by its `send` function (int4send: 4 bytes, int8send: 8). A
    million ids arrive as 4 MB of bytes instead of a list of a million Python
    ints (36 MB, and a heap fragmented by them long after they are freed).
    """

    function = "string_agg"
    template = "%(function)s(%(expressions)s, '')"
    arg_joiner = " || "
    output_field = BinaryField()

    def __init__(self, *columns):
        super().__init__(*(Func(column, function=send) for column, send in columns))


def _packed_ids(pk="pk"):
    """The `pk` of the rows, packed 4 bytes each (piece ids fit in 32 bits, as the bitmaps hold them)."""
    return _Packed((Cast(F(pk), IntegerField()), "int4send"))


def _block(pk="pk"):
    """
    The run of ID_BLOCK ids a row's `pk` falls in. Packed values are grouped by
    it so that no row PostgreSQL sends is large: libpq keeps its input buffer
    as large as the largest row it received, for the connection's life (a
    million pieces' keys in one row left 33 MB in every worker).
    """
    return ExpressionWrapper(F(pk) / Value(ID_BLOCK), output_field=BigIntegerField())


def _unpacked_ids(packed_values):
    """The BitMap of the ids packed by `_packed_ids` in each of `packed_values`."""
    ids = array("I")  # the type BitMap reads whole, without iterating
    for packed in packed_values:
        ids.frombytes(packed)
    if sys.byteorder == "little":
        ids.byteswap()
    return BitMap(ids)


def _ids(queryset):
    """The ids of `queryset` as a BitMap; on PostgreSQL packed, a value per block (a row per id costs 10x more)."""
    queryset = queryset.order_by()
    if _postgresql():
        return _unpacked_ids(queryset.values(block=_block()).annotate(ids=_packed_ids()).values_list("ids", flat=True))
    return BitMap(array("I", queryset.values_list("pk", flat=True).iterator(chunk_size=ROW_CHUNK)))


def _ids_by_key(queryset, key, pk="pk"):
    """{key as text: BitMap of the `pk` of the rows with it}; on PostgreSQL the ids of each key packed by block."""
    keyed = queryset.order_by().values(key=Cast(F(key), CharField()))
    if _postgresql():
        packed = {}
        for key, ids in keyed.values("key", block=_block(pk)).annotate(ids=_packed_ids(pk)).values_list("key", "ids"):
            packed.setdefault(key, []).append(ids)
        return {key: _unpacked_ids(values) for key, values in packed.items()}
    grouped = {}
    for key, owner in keyed.values_list("key", pk).iterator(chunk_size=ROW_CHUNK):
        grouped.setdefault(key, array("I")).append(owner)
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
    related = facet.through.objects.using(published.db).filter(
        **{f"{facet.owner}__in": published.values("pk")}, **facet.through_filter
    )
    return _ids_by_key(related, facet.through_key, pk=facet.owner)


def _correlated(condition, negated=False):
    """
    A facet's condition with its `field__in=<subquery>` lookups written as
    correlated EXISTS. The build wants the subquery read once and hashed (it
    asks about every piece); an update asks about a few, for which EXISTS
    looks up their rows by index instead of reading the subquery whole (50 ms
    for the verified certifications at 100,000 pieces, in each of 11 options).
    Under a negation IN and EXISTS differ on NULLs, so those are left as they are.
    """
    if not isinstance(condition, Q):
        return condition
    negated = negated != condition.negated
    children = []
    for child in condition.children:
        if isinstance(child, Q):
            child = _correlated(child, negated)
        elif isinstance(child, tuple) and not negated:
            lookup, value = child
            if lookup.endswith("__in") and isinstance(value, QuerySet) and len(value.query.values_select) == 1:
                inner = value.query.values_select[0]
                child = Exists(value.filter(**{inner: OuterRef(lookup.removesuffix("__in"))}))
        children.append(child)
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


# Stands for the ids of the pieces read again among the parameters of a compiled query.
_IDS = object()


class _AnyOf(Expression):
    """
    `lhs` is one of the pieces read again, with their ids as a single parameter
    (an array on PostgreSQL, a JSON list elsewhere): the query's text is the
    same whatever the pieces, so it is compiled once (`_Reread`).
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, lhs):
        super().__init__()
        self.lhs = lhs

    def get_source_expressions(self):
        return [self.lhs]

    def set_source_expressions(self, expressions):
        (self.lhs,) = expressions

    def as_sql(self, compiler, connection):
        lhs, params = compiler.compile(self.lhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*params, _IDS)
        return f"{lhs} IN (SELECT value FROM json_each(%s))", (*params, _IDS)


class _Reread:
    """
    The queries that read a few pieces again, as `_option_bitmaps` reads them
    all: one row per published piece with its price, date, a column per field
    facet and one per option of the others (flags, options counted one by one),
    and one UNION of the facets counted over a related table. Compiling them
    (some 40 conditions) costs more than running them, so each is compiled once
    per list of facets and options, and run with the ids as a parameter.
    """

    _compiled = {}

    def __init__(self, facets):
        self.options = {facet.name: {} for facet in facets}  # the options always present (as in the build)
        self.columns = []  # (facet name, option value, or None for a field facet's value)
        published = Piece.objects.published().filter(_AnyOf(F("pk")))
        annotations = {"o_pk": F("pk"), "o_cents": CENTS, "o_at": F("published_at"), "o_hours": SCALED_HOURS}
        for facet in facets:
            if facet.through:
                continue
            if facet.field:
                annotations[f"c{len(self.columns)}"] = Cast(F(facet.field), CharField())
                self.columns.append((facet.name, None))
                continue
            values = [FLAG_KEY] if facet.is_flag else [option.value for option in facet_options().get(facet.name, [])]
            for value in values:
                self.options[facet.name][value] = None
                condition = _correlated(facet.condition([value]))
                annotations[f"c{len(self.columns)}"] = ExpressionWrapper(condition, output_field=BooleanField())
                self.columns.append((facet.name, value))
        rows = published.order_by().annotate(**annotations).values_list(*annotations)
        # Over the pieces the first query found published: their related rows by index, no join.
        branches = [
            facet.through.objects.filter(_AnyOf(F(facet.owner)), **facet.through_filter)
            .order_by()
            .values_list(
                Value(facet.name, output_field=CharField()), Cast(F(facet.through_key), CharField()), facet.owner
            )
            for facet in facets
            if facet.through
        ]
        self.rows = rows.query.get_compiler(PRIMARY).as_sql()
        self.related = (
            branches[0].union(*branches[1:], all=True).query.get_compiler(PRIMARY).as_sql() if branches else None
        )

    @classmethod
    def of(cls, facets):
        counted = tuple(
            (facet.name, tuple(option.value for option in facet_options().get(facet.name, [])))
            for facet in facets
            if facet.count_each_option
        )
        key = (_database().settings_dict["NAME"], tuple(facet.name for facet in facets), counted)
        if key not in cls._compiled:
            cls._compiled[key] = cls(facets)
        return cls._compiled[key]

    def read(self, ids):
        """
        ({facet name: {option value: BitMap}}, [(id, cents, published_at, scaled hours)]) of the
        published pieces among `ids`.
        """
        options = {name: {option: BitMap() for option in always} for name, always in self.options.items()}
        pieces = []
        ids = sorted(ids)
        with _database().cursor() as cursor:
            # In runs of READ_RUN pieces: for more, PostgreSQL would rather read the conditions' tables whole.
            for start in range(0, len(ids), READ_RUN):
                for pk, cents, published_at, hours, *cells in _run(cursor, self.rows, ids[start : start + READ_RUN]):
                    pieces.append((pk, cents, _as_datetime(published_at), hours))
                    for (name, option), cell in zip(self.columns, cells, strict=True):
                        if option is None:
                            options[name].setdefault(cell, BitMap()).add(pk)
                        elif cell:
                            options[name][option].add(pk)
            if self.related and pieces:
                for name, key, owner in _run(cursor, self.related, [pk for pk, *_ in pieces]):
                    options[name].setdefault(key, BitMap()).add(owner)
        return options, pieces


def _run(cursor, compiled, ids):
    """The rows of a compiled query of `_Reread`, for these ids."""
    sql, params = compiled
    value = ids if _postgresql() else json.dumps(ids)
    cursor.execute(sql, [value if param is _IDS else param for param in params])
    return cursor.fetchall()


def _as_datetime(value):
    """A date read without Django's converters: SQLite gives it naive, or as text (in UTC)."""
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        value = parse_datetime(value)
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def _newest_key(published_at, nulls_first):
    """The newest order's key: ascending keys come newest first; an undated piece goes where the database puts it."""
    if published_at is None:
        return -(2**62) if nulls_first else 2**62
    return -((published_at - EPOCH) // MICROSECOND)


def _newest_keys():
    """A function of published_at giving the newest order's key on this database."""
    nulls_first = _postgresql()  # "-published_at" is DESC: NULLs come first on PostgreSQL, last on SQLite
    return lambda published_at: _newest_key(published_at, nulls_first)


def _listing_keys(published):
    """
    The published pieces' ids (uint32), prices in cents and newest-order keys
    (int64), and labor hours scaled (`SCALED_HOURS`, int32), as four numpy arrays in the
    same order: on PostgreSQL packed, 24 bytes a piece in one value per block,
    with the newest key computed in SQL as `_newest_key` computes it for the
    updates (the randomized tests compare an updated index with a fresh one);
    elsewhere read row by row into flat arrays. Never a Python object per
    piece for the whole catalog at once.
    """
    if _postgresql():
        newest_key = Coalesce(
            Func(F("published_at"), template="-CAST(EXTRACT(EPOCH FROM %(expressions)s) * 1000000 AS bigint)"),
            Value(_newest_key(None, nulls_first=True)),  # "-published_at" puts NULLs first on PostgreSQL
            output_field=BigIntegerField(),
        )
        packed = (
            published.order_by()
            .values(block=_block())
            .annotate(
                rows=_Packed(
                    (Cast(F("pk"), IntegerField()), "int4send"),
                    (CENTS, "int8send"),
                    (newest_key, "int8send"),
                    (SCALED_HOURS, "int4send"),
                )
            )
            .values_list("rows", flat=True)
        )
        rows = numpy.frombuffer(
            b"".join(packed), dtype=[("pk", ">u4"), ("cents", ">i8"), ("newest", ">i8"), ("hours", ">i4")]
        )
        return (
            rows["pk"].astype(numpy.uint32),
            rows["cents"].astype(numpy.int64),
            rows["newest"].astype(numpy.int64),
            rows["hours"].astype(numpy.int32),
        )
    ids, cents, dates, scaled = array("I"), array("q"), array("q"), array("i")
    newest_key = _newest_keys()
    for pk, price, published_at, hours in (
        published.order_by().values_list("pk", CENTS, "published_at", SCALED_HOURS).iterator(chunk_size=ROW_CHUNK)
    ):
        ids.append(pk)
        cents.append(price)
        dates.append(newest_key(published_at))
        scaled.append(hours)
    return tuple(
        numpy.frombuffer(values, dtype=dtype)
        for values, dtype in (
            (ids, numpy.uint32),
            (cents, numpy.int64),
            (dates, numpy.int64),
            (scaled, numpy.int32),
        )
    )


def _as_array(typecode, values):
    """A numpy array copied into an `array` once (`array(typecode, values.tobytes())` copies it twice)."""
    copied = array(typecode)
    copied.frombytes(memoryview(numpy.ascontiguousarray(values)).cast("B"))
    return copied


class Order:
    """
    The published pieces in one listing order: ascending by (key[pk], sign × pk),
    in `ids`, and cut into buckets of consecutive ids. The build cuts buckets
    of BUCKET_SIZE; an update adds a piece to, or takes it from, one bucket
    (a bucket grown to twice the size is split, an emptied one dropped).
    An Order is never changed once made: `replaced` returns a new one.
    """

    def __init__(self, ids, key, sign, buckets, starts):
        self.ids = ids  # piece ids, in order (uint32, as the bitmaps hold them)
        self.key = key  # the order's first key, indexed by piece id (an array: a dict would take 100 MB at 1M pieces)
        self.sign = sign  # +1: pieces with the same key by ascending id; -1: by descending id
        self.buckets = buckets  # BitMap of each run of ids
        self.starts = starts  # the position of each bucket's first id, then len(ids)

    @classmethod
    def of(cls, ids, keys, sign):
        """The order of the pieces `ids` (a numpy array) whose keys are `keys` (another, in the same order)."""
        key = numpy.zeros(int(ids.max()) + 1 if len(ids) else 0, dtype=numpy.int64)
        key[ids] = keys
        return cls.sorted(ids, _as_array("q", key), sign)

    @classmethod
    def sorted(cls, ids, key, sign):
        """The pieces `ids` (a numpy array) in the order of `key` (their keys, an array indexed by piece id)."""
        keys = numpy.frombuffer(key, dtype=numpy.int64)[ids] if len(ids) else numpy.zeros(0, dtype=numpy.int64)
        ordered = ids[numpy.lexsort((sign * ids.astype(numpy.int64), keys))]
        return cls.cut(_as_array("I", ordered.astype(numpy.uint32, copy=False)), key, sign)

    @classmethod
    def cut(cls, ids, key, sign):
        starts = list(range(0, len(ids), BUCKET_SIZE))
        buckets = [BitMap(ids[start : start + BUCKET_SIZE]) for start in starts]
        return cls(ids, key, sign, buckets, [*starts, len(ids)])

    # --- Reading ----------------------------------------------------------------------

    def range(self, low, high):
        """The ids at positions low..high-1, as a BitMap, whole buckets taken as they are."""
        if low >= high:
            return BitMap()
        starts = self.starts
        first = bisect_left(starts, low, 0, len(self.buckets))  # the first bucket that starts at `low` or after
        last = bisect_right(starts, high) - 1  # buckets before it end at `high` or before
        if first >= last:
            return BitMap(self.ids[low:high])
        return BitMap.union(
            BitMap(self.ids[low : starts[first]]),
            *self.buckets[first:last],
            BitMap(self.ids[starts[last] : high]),
        )

    def _sorted(self, pieces, reverse):
        """The pieces of a BitMap in this order (or its reverse)."""
        ordered = list(pieces)  # ascending ids: a stable sort by key keeps them so among equal keys
        if (self.sign < 0) != reverse:
            ordered.reverse()
        return sorted(ordered, key=self.key.__getitem__, reverse=reverse)

    def page(self, result, offset, limit, *, reverse=False):
        """The ids of `result` at positions offset..offset+limit in this order (or its reverse)."""
        if len(result) <= SMALL_RESULT:
            return self._sorted(result, reverse)[offset : offset + limit]
        found, seen = [], 0
        for bucket in reversed(self.buckets) if reverse else self.buckets:
            size = result.intersection_cardinality(bucket)
            if seen + size > offset:
                ordered = self._sorted(result & bucket, reverse)
                found.extend(ordered[max(0, offset - seen) :][: limit - len(found)])
                if len(found) >= limit:
                    break
            seen += size
        return found

    def position(self, pk, key):
        """Where a piece with this key is in `ids`, or would go."""
        ids, keyed = self.ids, self.key.__getitem__
        low, high = bisect_left(ids, key, key=keyed), bisect_right(ids, key, key=keyed)
        if self.sign > 0:
            return bisect_left(ids, pk, low, high)
        return bisect_left(ids, -pk, low, high, key=int.__neg__)

    # --- Updating ---------------------------------------------------------------------

    def replaced(self, changed, expected, added):
        """
        A new order without the pieces `changed` (a BitMap: those of them it
        holds, and it should hold those in `expected`), and with `added`, (id,
        key) pairs in any order.
        """
        key = self.key[:]
        size = max((pk for pk, _ in added), default=-1) + 1
        if size > len(key):
            key.extend(array("q", [0]) * (size - len(key)))
        if len(changed) + len(added) > SMALL_CHANGE:
            for pk, value in added:
                key[pk] = value
            kept = numpy.frombuffer(self.ids, dtype=numpy.uint32)
            kept = kept[~numpy.isin(kept, numpy.fromiter(changed, dtype=numpy.uint32, count=len(changed)))]
            members = numpy.concatenate([kept, numpy.fromiter((pk for pk, _ in added), dtype=numpy.uint32)])
            return Order.sorted(members, key, self.sign)
        order = Order(self.ids[:], key, self.sign, self.buckets[:], self.starts[:])
        for pk in changed:
            if not order._discard(pk) and pk in expected:
                raise LookupError(f"piece {pk} is not where its key puts it")
        for pk, value in added:
            key[pk] = value
            order._insert(pk, value)
        return order

    def _bucket_of(self, position):
        return min(bisect_right(self.starts, position), len(self.buckets)) - 1

    def _shift(self, bucket, by):
        starts = self.starts
        for later in range(bucket + 1, len(starts)):
            starts[later] += by

    def _discard(self, pk):
        """Take the piece out if the order holds it; whether it did."""
        if pk >= len(self.key):
            return False
        position = self.position(pk, self.key[pk])
        if position >= len(self.ids) or self.ids[position] != pk:
            return False
        del self.ids[position]
        bucket = self._bucket_of(position)
        self.buckets[bucket] = self.buckets[bucket] - BitMap([pk])
        self._shift(bucket, -1)
        if not self.buckets[bucket]:
            del self.buckets[bucket]
            del self.starts[bucket]
        return True

    def _insert(self, pk, key):
        position = self.position(pk, key)
        self.ids.insert(position, pk)
        if not self.buckets:
            self.buckets, self.starts = [BitMap([pk])], [0, 1]
            return
        bucket = self._bucket_of(position)
        self.buckets[bucket] = self.buckets[bucket] | BitMap([pk])
        self._shift(bucket, 1)
        start, end = self.starts[bucket], self.starts[bucket + 1]
        if end - start >= 2 * BUCKET_SIZE:
            middle = start + (end - start) // 2
            self.buckets[bucket : bucket + 1] = [BitMap(self.ids[start:middle]), BitMap(self.ids[middle:end])]
            self.starts.insert(bucket + 1, middle)


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
        self._search = search  # SearchPostings, read on first use (PostgreSQL only)

    @property
    def exact_through(self):
        """The latest version whose every change the index shows."""
        return self.version if self.behind_since is None else self.behind_since - 1

    @property
    def search(self):
        """
        The postings of `q`'s words (catalog.search.SearchPostings) on
        PostgreSQL, None elsewhere: read whole with the index when a worker
        builds it (`_built`), else here on first use.
        """
        if self._search is None and _postgresql():
            self._search = SearchPostings.build(Piece.objects.using(PRIMARY).published())
        return self._search

    @classmethod
    def build(cls, version=None, facets=FACETS, database=None):
        """The index of the published catalog, read whole: a few grouped queries per facet."""
        published = Piece.objects.using(PRIMARY).published()  # never a replica that may lag behind the version
        options = {facet.name: _option_bitmaps(facet, published) for facet in facets}
        members, cents, newest_keys, hours = _listing_keys(published)
        by_price = Order.of(members, cents, sign=1)
        newest = Order.of(members, newest_keys, sign=-1)
        by_id = numpy.full(int(members.max()) + 1 if len(members) else 0, NO_HOURS, dtype=numpy.int32)
        by_id[members] = hours
        hours = _as_array("i", by_id)
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
        fresh, rows = _Reread.of(self.facets).read(changed)
        options = {}
        for facet in self.facets:
            # Flags and options counted one by one have a bitmap even when empty, as in the build.
            keep_empty = facet.is_flag or facet.count_each_option
            options[facet.name] = _merged(self.options[facet.name], fresh[facet.name], changed, keep_empty)
        newest_key = _newest_keys()
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
    database = _database().settings_dict["NAME"]
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
    if index is None or index.database != _database().settings_dict["NAME"] or index.exact_through < version:
        return None
    return index


def build_before_fork(log):
    """
    Build the index once in gunicorn's master, before the workers fork
    (`when_ready`): each starts with it (shared, copy-on-write) and brings it
    up to date from the change log, instead of building its own inside a
    shopper's first request (seconds at 100,000 pieces, against the timeout).
    Without a database yet, the workers build it when first asked.
    """
    from django.db import connections

    try:
        current_index()
    except Exception:
        log.exception("The listing's index was not built before the workers started")
    finally:
        connections.close_all()  # never share the master's connections with the workers


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
        index = _built(version, _database().settings_dict["NAME"])
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
    (catalog.search): no query, unless `q` is new to the process (its parsing)
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
            base = base & _ids(filterset.filtered(in_sql))
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
            found = found & _ids(matching)
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
        """One page of "Best match": the tiers of catalog.search one after another, each newest first."""
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
