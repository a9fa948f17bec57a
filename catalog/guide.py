"""
"Handcrafted and mass-produced, by the numbers": the guide's figures, computed
live from the published catalog, per production method.

Every figure is counted in the listing's index, so a share is the count the
listing shows behind its link (`compute_figures`). The result is cached under
the catalog's version, which every write to pieces moves on (catalog.signals),
so the guide is recomputed after a change and never on an unchanged catalog:
in milliseconds, where reading every published piece took a minute at
1,000,000.
"""

import time
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

import numpy
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from pyroaring import BitMap

from .choices import ProductionMethod
from .models import Category, Piece

VERSION_CACHE_KEY = "catalog:version"
GUIDE_CACHE_KEY = "catalog:guide:{version}"
# The decimal places of Piece.price.
PRICE_PLACES = Piece._meta.get_field("price").decimal_places

# The change log: what each version's bump concerned, so that the listing's
# index (catalog.piece_index) re-reads only those pieces instead of the whole
# catalog. One entry per version, under CHANGES_CACHE_KEY: a tuple of piece
# ids, or EVERYTHING for a change that may concern any piece (a taxonomy
# renamed, makers approved in bulk, a bump that named no pieces).
CHANGES_CACHE_KEY = "catalog:changes:{version}"
EVERYTHING = "*"
# A reader further behind than this (a day, or this many versions) rebuilds whole
# rather than replaying the log. An entry is a few ids: 10,000 of them take about 1 MB.
CHANGES_TIMEOUT = 24 * 3600
MAX_LOG_STEPS = 10_000
# A change to more pieces than this is logged as EVERYTHING: a rebuild costs less than replaying it.
MAX_LOGGED_PIECES = 2_000
# How many taken slots a bump steps over before it gives up logging (readers then find a slot
# missing: a full rebuild).
MAX_CLAIMS = 64


def _first_version():
    """
    Where a version starts when the cache has none: the clock in nanoseconds,
    so that a cleared cache never gives again a version that a process may
    still hold figures (or the listing's index) for.
    """
    return time.time_ns()


def catalog_version():
    """A number that changes whenever a piece changes; caches of catalog figures are keyed by it."""
    version = cache.get(VERSION_CACHE_KEY)
    if version is None:
        cache.add(VERSION_CACHE_KEY, _first_version(), timeout=None)
        version = cache.get(VERSION_CACHE_KEY)
    return version


def request_catalog_version(request):
    """
    The catalog's version as `request` first read it: a page that reads it
    twice (the piece page's ETag and its sheet) reads the cache once, and
    both parts agree.
    """
    if not hasattr(request, "_catalog_version"):
        request._catalog_version = catalog_version()
    return request._catalog_version


def bump_catalog_version(pieces=None, **kwargs):
    """
    Move the catalog's version on (a signal receiver, and called after bulk
    updates), logging which pieces the change concerns: `pieces` (ids), or
    None for a change that may concern any of them.

    The log entry is written before the version moves, so that a reader who
    sees version V finds the entries of every version up to V: the bump first
    claims the first free slot above the version it read (`cache.add` is
    atomic: two writers never claim the same slot, and the claimed slots stay
    contiguous), then increments the version. Increments never outnumber
    claims, so the version never passes an unwritten slot. A reader that finds
    a slot missing all the same (expired, evicted, the cache cleared) rebuilds
    whole: a lost entry costs time, never exactness. The one loss the reader
    cannot see is a claim whose increment never came (the process died between
    the two calls): the version then lags one change behind the log until the
    next bump.
    """
    if pieces is None:
        entry = EVERYTHING
    else:
        entry = tuple(sorted({int(pk) for pk in pieces}))
        if len(entry) > MAX_LOGGED_PIECES:
            entry = EVERYTHING
    version = catalog_version()
    for slot in range(version + 1, version + 1 + MAX_CLAIMS):
        if cache.add(CHANGES_CACHE_KEY.format(version=slot), entry, timeout=CHANGES_TIMEOUT):
            break
    try:
        cache.incr(VERSION_CACHE_KEY)
    except ValueError:  # expired between the two calls: a new start, which every reader takes as "everything"
        cache.set(VERSION_CACHE_KEY, _first_version(), timeout=None)


@dataclass(frozen=True)
class Changes:
    """What moved between two versions: the pieces named by the log, and whether anything else may have."""

    pieces: frozenset
    everything: bool


def catalog_changes(since, until):
    """
    The changes of versions since+1 to until, from the log. `everything` is
    true when one of them concerned any piece, or when the log cannot tell
    (an entry missing, too many versions, or `until` not after `since`, which
    only a reset of the cache gives); `pieces` then still holds the pieces
    the log does name.
    """
    if until == since:
        return Changes(frozenset(), False)
    if until < since or until - since > MAX_LOG_STEPS:
        return Changes(frozenset(), True)
    keys = [CHANGES_CACHE_KEY.format(version=version) for version in range(since + 1, until + 1)]
    found = cache.get_many(keys)
    everything = len(found) < len(keys)
    pieces = set()
    for entry in found.values():
        if entry == EVERYTHING:
            everything = True
        else:
            pieces.update(entry)
    return Changes(frozenset(pieces), everything)


@dataclass(frozen=True)
class Share:
    """One method's share of pieces with a property, and the listing URL of those pieces."""

    method: str
    label: str
    count: int
    total: int
    filters: str

    @property
    def percent(self):
        return round(100 * self.count / self.total) if self.total else 0


@dataclass(frozen=True)
class Bar:
    """Where one share is drawn in its chart (SVG units; 100% is `Measure.BAR_LENGTH` wide)."""

    share: Share
    y: int
    width: int
    value_x: int


@dataclass(frozen=True)
class Measure:
    """A figure compared across the production methods."""

    key: str
    title: str
    explanation: str
    shares: list

    BAR_LENGTH = 480
    ROW_HEIGHT = 64

    @property
    def chart_height(self):
        return self.ROW_HEIGHT * len(self.shares)

    @property
    def bars(self):
        bars = []
        for index, share in enumerate(self.shares):
            width = round(self.BAR_LENGTH * share.percent / 100)
            bars.append(Bar(share, index * self.ROW_HEIGHT, width, width + 8))
        return bars


@dataclass(frozen=True)
class Figures:
    total: int
    counts: dict
    measures: list
    median_prices: list  # [(category name, slug, [(method, median or None, count)])]
    median_labor_hours: list  # [(method, label, median or None)]


MEASURES = [
    ("recycled", _("Made with recycled metal"), _("At least one of the piece's metals is recycled."), "recycled=1"),
    (
        "traceable",
        _("Stones that can be traced"),
        _("Of the pieces set with stones: the origin is disclosed or a certificate verified."),
        "traceable=1",
    ),
    (
        "personalizable",
        _("Can be personalized"),
        _("Engraving, sizing, another metal or stone, or a custom design."),
        "personalizable=1",
    ),
    ("one_of_a_kind", _("One of a kind"), _("Only one will ever exist."), "availability=one_of_a_kind"),
    (
        "requested",
        _("Asked for by shoppers"),
        _("At least one shopper sent a personalization request for the piece."),
        "requested=1",
    ),
    (
        "lifetime_repairs",
        _("Repaired for life"),
        _("The maker repairs the piece for as long as it is worn."),
        "repairs=1",
    ),
]


def guide_figures():
    """
    The guide's figures, from the cache when the catalog has not changed.
    Figures from an index that does not yet show every change up to the
    version (a background rebuild) are shown but not kept.
    """
    from .piece_index import current_index

    version = catalog_version()
    key = GUIDE_CACHE_KEY.format(version=version)
    figures = cache.get(key)
    if figures is None:
        index = current_index()
        figures = compute_figures(index)
        if index.exact_through >= version:
            cache.set(key, figures, timeout=24 * 3600)
    return figures


def compute_figures(index=None):
    """
    The figures, counted in the listing's index (catalog.piece_index): each
    share is the number of pieces of a method that the listing shows under
    the share's filter, the link beside it; a median is taken from the
    index's prices (of a category and method) or labor hours (of a method).
    One query: the categories' names.
    """
    from .piece_index import HOURS_PLACES, NO_HOURS, current_index

    index = index or current_index()
    methods = list(ProductionMethod)
    of_method = {method: index.options["method"].get(method.value, BitMap()) for method in methods}
    with_stones = BitMap.union(BitMap(), *index.options["gemstone"].values(), *index.options["pearl"].values())

    measures = []
    for key, title, explanation, filters in MEASURES:
        facet, value = filters.split("=")
        having = index.options[facet].get(value, BitMap())
        shares = []
        for method in methods:
            pieces = of_method[method] & with_stones if key == "traceable" else of_method[method]
            listing = f"method={method.value}&{filters}"
            count = pieces.intersection_cardinality(having)
            shares.append(Share(method.value, str(method.label), count, len(pieces), listing))
        measures.append(Measure(key, str(title), str(explanation), shares))

    cents = numpy.frombuffer(index.by_price.key, dtype=numpy.int64)
    in_category = index.options["category"]
    median_prices = []
    shown = Category.objects.filter(slug__in=[slug for slug, pieces in in_category.items() if pieces])
    for category in shown.order_by("position", "name"):
        cells = []
        for method in methods:
            pieces = in_category[category.slug] & of_method[method]
            prices = cents[numpy.frombuffer(pieces.to_array(), dtype=numpy.uint32)]
            cells.append((method.value, _median(prices, PRICE_PLACES) if pieces else None, len(pieces)))
        median_prices.append((category.name, category.slug, cells))

    scaled_hours = numpy.frombuffer(index.hours, dtype=numpy.int32)
    labor = []
    for method in methods:
        hours = scaled_hours[numpy.frombuffer(of_method[method].to_array(), dtype=numpy.uint32)]
        hours = hours[hours != NO_HOURS]
        labor.append((method.value, str(method.label), _median(hours, HOURS_PLACES) if len(hours) else None))
    return Figures(
        total=len(index.universe),
        counts={method.value: len(of_method[method]) for method in methods},
        measures=measures,
        median_prices=median_prices,
        median_labor_hours=labor,
    )


def _median(scaled, places):
    """
    `statistics.median` of the Decimals with `places` decimal places held as
    integers in `scaled` (a numpy array): the same value, computed from the
    middle one or two.
    """
    ordered = numpy.sort(scaled)
    middle = ordered[(len(ordered) - 1) // 2 : len(ordered) // 2 + 1]
    return median(Decimal(int(value)).scaleb(-places) for value in middle)
