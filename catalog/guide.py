"""
"Handcrafted and mass-produced, by the numbers": the guide's figures, computed
live from the published catalog, per production method.

One query reads one row per published piece (a few columns and EXISTS flags);
the medians and shares are computed here. The result is cached under the
catalog's version, which every write to pieces moves on (catalog.signals), so
the guide is recomputed after a change and never on an unchanged catalog.
"""

import time
from array import array
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

import numpy
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .choices import Availability, MaterialKind, ProductionMethod
from .models import PersonalizationOption, PersonalizationRequest, Piece, PieceMaterial

VERSION_CACHE_KEY = "catalog:version"
GUIDE_CACHE_KEY = "catalog:guide:{version}"
STONES = (MaterialKind.GEMSTONE, MaterialKind.PEARL)
# The decimal places of Piece.price and Piece.labor_hours.
PRICE_PLACES = Piece._meta.get_field("price").decimal_places
HOURS_PLACES = Piece._meta.get_field("labor_hours").decimal_places

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
    """The guide's figures, from the cache when the catalog has not changed."""
    key = GUIDE_CACHE_KEY.format(version=catalog_version())
    figures = cache.get(key)
    if figures is None:
        figures = compute_figures()
        cache.set(key, figures, timeout=24 * 3600)
    return figures


def compute_figures():
    rows = (
        Piece.objects.published()
        .order_by()
        .annotate(
            recycled=Exists(
                PieceMaterial.objects.filter(piece=OuterRef("pk"), material__kind=MaterialKind.METAL, recycled=True)
            ),
            has_stones=Exists(PieceMaterial.objects.filter(piece=OuterRef("pk"), material__kind__in=STONES)),
            traceable=Exists(
                PieceMaterial.objects.filter(piece=OuterRef("pk"), material__kind__in=STONES).filter(
                    ~Q(origin="") | Q(certification__isnull=False, is_verified=True)
                )
            ),
            personalizable=Exists(PersonalizationOption.objects.filter(piece=OuterRef("pk"))),
            requested=Exists(PersonalizationRequest.objects.filter(piece=OuterRef("pk"))),
        )
        .values_list(
            "production_method",
            "category__name",
            "category__slug",
            "category__position",
            "price",
            "labor_hours",
            "availability",
            "lifetime_repairs",
            "recycled",
            "has_stones",
            "traceable",
            "personalizable",
            "requested",
        )
    )
    methods = list(ProductionMethod)
    counts = defaultdict(int)
    flags = defaultdict(lambda: defaultdict(int))
    with_stones = defaultdict(int)
    # Prices in cents and hours in tenths, 8 bytes each: a Decimal takes over 100, and a
    # million of them stayed in the worker's memory after the guide was computed.
    prices = defaultdict(lambda: array("q"))
    categories = {}
    hours = defaultdict(lambda: array("q"))
    for (
        method,
        category,
        slug,
        position,
        price,
        labor_hours,
        availability,
        repairs,
        recycled,
        has_stones,
        traceable,
        personalizable,
        requested,
    ) in rows.iterator(chunk_size=10_000):
        counts[method] += 1
        categories[slug] = (position, category)
        prices[(slug, method)].append(int(price.scaleb(PRICE_PLACES)))
        if labor_hours is not None:
            hours[method].append(int(labor_hours.scaleb(HOURS_PLACES)))
        with_stones[method] += has_stones
        for key, value in (
            ("recycled", recycled),
            ("traceable", traceable),
            ("personalizable", personalizable),
            ("one_of_a_kind", availability == Availability.ONE_OF_A_KIND),
            ("lifetime_repairs", repairs),
            ("requested", requested),
        ):
            flags[key][method] += bool(value)

    measures = []
    for key, title, explanation, filters in MEASURES:
        shares = []
        for method in methods:
            total = with_stones[method] if key == "traceable" else counts[method]
            listing = f"method={method.value}&{filters}"
            shares.append(Share(method.value, str(method.label), flags[key][method], total, listing))
        measures.append(Measure(key, str(title), str(explanation), shares))

    median_prices = [
        (
            name,
            slug,
            [
                (
                    method.value,
                    _median(prices[(slug, method)], PRICE_PLACES) if prices[(slug, method)] else None,
                    len(prices[(slug, method)]),
                )
                for method in methods
            ],
        )
        for slug, (_position, name) in sorted(categories.items(), key=lambda item: item[1])
    ]
    labor = [
        (method.value, str(method.label), _median(hours[method], HOURS_PLACES) if hours[method] else None)
        for method in methods
    ]
    return Figures(
        total=sum(counts.values()),
        counts={method.value: counts[method] for method in methods},
        measures=measures,
        median_prices=median_prices,
        median_labor_hours=labor,
    )


def _median(scaled, places):
    """
    `statistics.median` of the Decimals with `places` decimal places held as
    integers in `scaled`: the same value, computed from the middle one or two.
    """
    ordered = numpy.sort(numpy.frombuffer(scaled, dtype=numpy.int64))
    middle = ordered[(len(ordered) - 1) // 2 : len(ordered) // 2 + 1]
    return median(Decimal(int(value)).scaleb(-places) for value in middle)
