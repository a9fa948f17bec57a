"""
How the listing's index reads the catalog: the grouped queries that give, per
facet option, the ids of its published pieces as compressed bitmaps
(`option_bitmaps`), the pieces' keys in each listing order (`listing_keys`),
and the re-reading of a few changed pieces in queries compiled once per
process (`Reread`). Used by catalog.listing.index, and for a few helpers by
catalog.listing.result (`ids_of`) and catalog.pages.guide (`HOURS_PLACES`,
`NO_HOURS`).

Part of the listing room, below the index (outside the `listing-flow`
contract's layers, which name its entry points, index, filters, search,
facets and cards).
"""

from __future__ import annotations

import datetime
import json
import sys
from array import array

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

from catalog.listing.facets import FLAG_KEY, facet_options
from catalog.models import Piece
from marketplace.db_router import PRIMARY

# Pieces read again per query: for many more, PostgreSQL plans to read the facets' tables whole.
READ_RUN = 64

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


def primary_database():
    return connections[PRIMARY]


def on_postgresql():
    return primary_database().vendor == "postgresql"


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


def ids_of(queryset):
    """The ids of `queryset` as a BitMap; on PostgreSQL packed, a value per block (a row per id costs 10x more)."""
    queryset = queryset.order_by()
    if on_postgresql():
        return _unpacked_ids(queryset.values(block=_block()).annotate(ids=_packed_ids()).values_list("ids", flat=True))
    return BitMap(array("I", queryset.values_list("pk", flat=True).iterator(chunk_size=ROW_CHUNK)))


def _ids_by_key(queryset, key, pk="pk"):
    """{key as text: BitMap of the `pk` of the rows with it}; on PostgreSQL the ids of each key packed by block."""
    keyed = queryset.order_by().values(key=Cast(F(key), CharField()))
    if on_postgresql():
        packed = {}
        for key, ids in keyed.values("key", block=_block(pk)).annotate(ids=_packed_ids(pk)).values_list("key", "ids"):
            packed.setdefault(key, []).append(ids)
        return {key: _unpacked_ids(values) for key, values in packed.items()}
    grouped = {}
    for key, owner in keyed.values_list("key", pk).iterator(chunk_size=ROW_CHUNK):
        grouped.setdefault(key, array("I")).append(owner)
    return {key: BitMap(ids) for key, ids in grouped.items()}


def option_bitmaps(facet, published):
    """{option value: BitMap of published pieces with it} for one facet, like `Facet.count_branches`."""
    if facet.is_flag:
        return {FLAG_KEY: ids_of(published.filter(facet.condition([FLAG_KEY])))}
    if facet.count_each_option:
        values = [option.value for option in facet_options().get(facet.name, [])]
        return {value: ids_of(published.filter(facet.condition([value]))) for value in values}
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
    same whatever the pieces, so it is compiled once (`Reread`).
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


class Reread:
    """
    The queries that read a few pieces again, as `option_bitmaps` reads them
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
        key = (primary_database().settings_dict["NAME"], tuple(facet.name for facet in facets), counted)
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
        with primary_database().cursor() as cursor:
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
    """The rows of a compiled query of `Reread`, for these ids."""
    sql, params = compiled
    value = ids if on_postgresql() else json.dumps(ids)
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


def newest_keys():
    """A function of published_at giving the newest order's key on this database."""
    nulls_first = on_postgresql()  # "-published_at" is DESC: NULLs come first on PostgreSQL, last on SQLite
    return lambda published_at: _newest_key(published_at, nulls_first)


def listing_keys(published):
    """
    The published pieces' ids (uint32), prices in cents and newest-order keys
    (int64), and labor hours scaled (`SCALED_HOURS`, int32), as four numpy arrays in the
    same order: on PostgreSQL packed, 24 bytes a piece in one value per block,
    with the newest key computed in SQL as `_newest_key` computes it for the
    updates (the randomized tests compare an updated index with a fresh one);
    elsewhere read row by row into flat arrays. Never a Python object per
    piece for the whole catalog at once.
    """
    if on_postgresql():
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
    newest_key = newest_keys()
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
