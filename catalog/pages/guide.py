"""
"Handcrafted and mass-produced, by the numbers": the guide's figures, computed
live from the published catalog, per production method.

Every figure is counted in the listing's index, so a share is the count the
listing shows behind its link (`compute_figures`). The result is cached under
the catalog's version, which every write to pieces moves on (catalog.signals),
so the guide is recomputed after a change and never on an unchanged catalog:
in milliseconds, where reading every published piece took a minute at
1,000,000.

Part of the pages room: the guide's view (views.GuideView) calls `guide_figures`; it reads the
listing's index (catalog.listing.index).
"""

from dataclasses import dataclass
from decimal import Decimal
from statistics import median

import numpy
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from pyroaring import BitMap

from catalog import listing
from catalog.choices import ProductionMethod
from catalog.models import Category, Piece
from catalog.versions import catalog_version

GUIDE_CACHE_KEY = "catalog:guide:{version}"
# The decimal places of Piece.price.
PRICE_PLACES = Piece._meta.get_field("price").decimal_places


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
    version = catalog_version()
    key = GUIDE_CACHE_KEY.format(version=version)
    figures = cache.get(key)
    if figures is None:
        index = listing.current_index()
        figures = compute_figures(index)
        if index.exact_through >= version:
            cache.set(key, figures, timeout=24 * 3600)
    return figures


def compute_figures(index=None):
    """
    The figures, counted in the listing's index (catalog.listing.index): each
    share is the number of pieces of a method that the listing shows under
    the share's filter, the link beside it; a median is taken from the
    index's prices (of a category and method) or labor hours (of a method).
    One query: the categories' names.
    """

    index = index or listing.current_index()
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
            query = f"method={method.value}&{filters}"
            count = pieces.intersection_cardinality(having)
            shares.append(Share(method.value, str(method.label), count, len(pieces), query))
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
        hours = hours[hours != listing.NO_HOURS]
        labor.append((method.value, str(method.label), _median(hours, listing.HOURS_PLACES) if len(hours) else None))
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
