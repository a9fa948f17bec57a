"""
The listing's facets: every distinction a shopper filters on, defined once.

Each `Facet` knows its URL parameter, its label and group in the facet column,
the condition it puts on pieces, and how to count, for each of its options,
the pieces the current result would hold with that option added. Counts use
the usual faceted-search meaning: a facet's own selection is left out of its
counts, so choosing "Rings" still shows how many earrings there are.

The pieces' listing counts from its in-memory index (catalog.listing.index),
which reads each facet the way `Facet.count_branches` groups it; the makers'
directory counts in SQL: one query (a UNION ALL of one grouped branch per
facet), whatever the number of facets or active filters.

Part of the listing room, at the bottom of its flow: every module above it in the room reads the
facets; the pages' views (the makers' directory) and the signals (which forget the options when a
taxonomy changes) use them too.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field

from django.conf import settings
from django.core.cache import cache
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _
from django_countries import countries as countries_registry

from artisans.choices import MakerType, WorkshopSize
from catalog.choices import (
    Availability,
    CertificationScope,
    Construction,
    EvidenceLevel,
    GemSource,
    MadeBy,
    MaterialKind,
    PersonalizationKind,
    ProductionMethod,
    StepDoneBy,
    StoneTreatment,
)
from catalog.models import (
    Category,
    Certification,
    MakerCertification,
    Material,
    PersonalizationOption,
    PersonalizationRequest,
    Piece,
    PieceMaterial,
    ProductionStep,
    SearchSynonym,
    Style,
    Technique,
    Tradition,
)

# Pieces in stock are sent within this many days; made-to-order ones take their lead time.
READY_STOCK_DAYS = 3
PLATED = (Construction.PLATED, Construction.GOLD_FILLED, Construction.VERMEIL)
STONES = (MaterialKind.GEMSTONE, MaterialKind.PEARL)
FLAG_KEY = "1"


def _materials(*conditions, **lookups):
    """EXISTS a material row of the piece matching the lookups: a piece is never repeated by a join."""
    return Exists(PieceMaterial.objects.filter(*conditions, piece=OuterRef("pk"), **lookups))


def _through(relation, **lookups):
    return Exists(relation.through.objects.filter(piece=OuterRef("pk"), **lookups))


def _mostly_by_hand():
    """At least three quarters of the piece's recorded steps done by the maker's hand or hand tools."""
    by_hand = Count("pk", filter=Q(done__in=[StepDoneBy.BY_HAND, StepDoneBy.WITH_HAND_TOOLS]))
    # One grouped pass over the steps (a hashed IN), not two counts per piece.
    pieces = (
        ProductionStep.objects.order_by()
        .values("piece")
        .annotate(hand=by_hand, steps=Count("pk"))
        .filter(GreaterThanOrEqual(F("hand") * 4, F("steps") * 3))
        .values("piece")
    )
    return Q(pk__in=pieces)


def _verified_certification(**lookups):
    """A certification claim that staff verified, on one of the piece's materials or on its maker."""
    on_certification = {f"certification__{key}": value for key, value in lookups.items()}
    # IN subqueries rather than correlated EXISTS: each is computed once and hashed.
    on_material = PieceMaterial.objects.filter(is_verified=True, **on_certification).values("piece")
    on_maker = MakerCertification.objects.filter(is_verified=True, **on_certification).values("artisan")
    return Q(pk__in=on_material) | Q(artisan__in=on_maker)


@dataclass(frozen=True)
class Facet:
    """
    One facet of the listing: its URL parameter, label and group, and how it
    filters (`condition(values)`, OR within the facet) and counts.

    Counts are grouped by `field` (a path from Piece), or over a related table
    (`through`, grouped by `through_key`), or counted option by option
    (`count_each_option`, for options that two tables can carry); a facet with
    none of these is a flag with the single option "1". A facet grouped by a
    `field` or a `through` table filters on the same values unless it says
    otherwise.
    """

    name: str
    label: str
    group: str
    condition: object = None
    field: str = ""
    through: type | None = None
    through_key: str = ""
    through_filter: dict = dataclass_field(default_factory=dict)
    count_each_option: bool = False
    # The field by which `through` rows point at the counted rows.
    owner: str = "piece"

    def __post_init__(self):
        if self.condition is None:
            object.__setattr__(self, "condition", self._filter_on_grouped_values)

    def _filter_on_grouped_values(self, values):
        """The pieces (or makers) having one of `values` where the facet groups its counts."""
        if self.field:
            return Q(**{f"{self.field}__in": values})
        related = self.through.objects.filter(**{self.owner: OuterRef("pk")}, **self.through_filter)
        return Exists(related.filter(**{f"{self.through_key}__in": values}))

    @property
    def is_flag(self):
        return not (self.field or self.through or self.count_each_option)

    def count_branches(self, pieces: QuerySet, options):
        """Grouped queries of (facet, option, count) over `pieces`, for the UNION."""
        name = Value(self.name, output_field=CharField())
        if self.is_flag or self.count_each_option:
            values = [FLAG_KEY] if self.is_flag else [option.value for option in options]
            return [
                pieces.filter(self.condition([value]))
                .values(key=Value(value, output_field=CharField()))
                .annotate(facet=name, n=Count("pk"))
                .values_list("facet", "key", "n")
                for value in values
            ]
        if self.field:
            grouped = pieces.values(key=Cast(F(self.field), CharField()))
            return [grouped.annotate(facet=name, n=Count("pk")).values_list("facet", "key", "n")]
        related = self.through.objects.filter(
            **{f"{self.owner}__in": pieces.values("pk")}, **self.through_filter
        ).order_by()
        grouped = related.values(key=Cast(F(self.through_key), CharField()))
        return [grouped.annotate(facet=name, n=Count(self.owner, distinct=True)).values_list("facet", "key", "n")]


# The facet column's groups. Each facet belongs to one, named in the article's terms.
HOW_MADE, MATERIALS, UNIQUENESS, PERSONALIZATION, ETHICS, HERITAGE, PRICE = (
    _("How it is made"),
    _("Materials and durability"),
    _("How many exist"),
    _("Personalization"),
    _("Ethics"),
    _("Heritage and style"),
    _("Price and delivery"),
)
# The column shows them in the order shoppers use them: price and delivery first (the filter
# most of them reach for), then the article's argument. Only the display order: the canonical
# URL follows FACETS, so that no shared address changes.
GROUPS = [PRICE, HOW_MADE, MATERIALS, UNIQUENESS, PERSONALIZATION, ETHICS, HERITAGE]

FACETS = [
    Facet(
        "method",
        _("Production method"),
        HOW_MADE,
        field="production_method",
    ),
    Facet("made_by", _("Made by"), HOW_MADE, field="made_by"),
    Facet(
        "technique",
        _("Technique"),
        HOW_MADE,
        through=Piece.techniques.through,
        through_key="technique__slug",
    ),
    Facet(
        "by_hand",
        _("Mostly by the maker's hands (¾ of the steps or more)"),
        HOW_MADE,
        condition=lambda v: _mostly_by_hand(),
    ),
    Facet(
        "no_bought_components",
        _("No bought components"),
        HOW_MADE,
        condition=lambda v: Q(uses_bought_components=False),
    ),
    # How far the piece's claim about its making is proven, whatever its method (a mass-produced piece
    # can be verified as made as described): two thresholds, each including the levels above it. The
    # words name no method, so that the count holds exactly what the label says.
    Facet(
        "documented",
        _("Making documented, at least (process photos or steps)"),
        HOW_MADE,
        condition=lambda v: ~Q(evidence_level=EvidenceLevel.SELF_DECLARED),
    ),
    Facet(
        "verified",
        _("How it is made, verified by staff"),
        HOW_MADE,
        condition=lambda v: Q(evidence_level__in=[EvidenceLevel.STAFF_VERIFIED, EvidenceLevel.STUDIO_VISITED]),
    ),
    Facet("category", _("Category"), HOW_MADE, field="category__slug"),
    Facet(
        "metal",
        _("Metal"),
        MATERIALS,
        through=PieceMaterial,
        through_key="material__slug",
        through_filter={"material__kind": MaterialKind.METAL},
    ),
    Facet(
        "solid",
        _("Solid precious metal only (no plating)"),
        MATERIALS,
        condition=lambda v: _materials(material__kind=MaterialKind.METAL)
        & ~_materials(Q(material__is_precious=False) | Q(construction__in=PLATED), material__kind=MaterialKind.METAL),
    ),
    Facet(
        "recycled",
        _("Recycled metal"),
        MATERIALS,
        condition=lambda v: _materials(material__kind=MaterialKind.METAL, recycled=True),
    ),
    Facet(
        "gemstone",
        _("Gemstone"),
        MATERIALS,
        through=PieceMaterial,
        through_key="material__slug",
        through_filter={"material__kind": MaterialKind.GEMSTONE},
    ),
    Facet(
        "gem_source",
        _("Natural or lab-grown"),
        MATERIALS,
        through=PieceMaterial,
        through_key="gem_source",
        through_filter={"material__kind__in": STONES, "gem_source__in": GemSource.values},
    ),
    Facet(
        "pearl",
        _("Pearl"),
        MATERIALS,
        through=PieceMaterial,
        through_key="material__slug",
        through_filter={"material__kind": MaterialKind.PEARL},
    ),
    Facet(
        "untreated",
        _("Untreated stones only"),
        MATERIALS,
        condition=lambda v: _materials(material__kind__in=STONES)
        & ~_materials(material__kind__in=STONES, treatment__in=[StoneTreatment.TREATED, StoneTreatment.SIMULANT]),
    ),
    Facet(
        "repairs",
        _("Repaired by the maker for life"),
        MATERIALS,
        condition=lambda v: Q(lifetime_repairs=True),
    ),
    Facet(
        "availability",
        _("Availability"),
        UNIQUENESS,
        field="availability",
    ),
    Facet(
        "personalizable",
        _("Can be personalized"),
        PERSONALIZATION,
        condition=lambda v: Exists(PersonalizationOption.objects.filter(piece=OuterRef("pk"))),
    ),
    Facet(
        "personalization",
        _("Personalization"),
        PERSONALIZATION,
        through=PersonalizationOption,
        through_key="kind",
    ),
    Facet(
        "requested",
        _("Already asked for in a personalization request"),
        PERSONALIZATION,
        condition=lambda v: Exists(PersonalizationRequest.objects.filter(piece=OuterRef("pk"))),
    ),
    Facet(
        "traceable",
        _("Traceable or certified stones"),
        ETHICS,
        condition=lambda v: _materials(
            ~Q(origin="") | Q(certification__isnull=False, is_verified=True), material__kind__in=STONES
        ),
    ),
    Facet(
        "fair_labor",
        _("Fair-trade or living-wage certified"),
        ETHICS,
        condition=lambda v: _verified_certification(
            certifies__in=[CertificationScope.FAIR_TRADE, CertificationScope.LIVING_WAGE]
        ),
    ),
    Facet(
        "certification",
        _("Certification (verified)"),
        ETHICS,
        condition=lambda v: _verified_certification(slug__in=v),
        count_each_option=True,
    ),
    Facet(
        "workshop",
        _("Workshop size"),
        ETHICS,
        field="artisan__workshop_size",
    ),
    Facet(
        "traditional",
        _("Uses a traditional technique"),
        HERITAGE,
        condition=lambda v: _through(Piece.techniques, technique__is_traditional=True),
    ),
    Facet(
        "tradition",
        _("Tradition"),
        HERITAGE,
        through=Piece.traditions.through,
        through_key="tradition__slug",
    ),
    Facet(
        "style",
        _("Style"),
        HERITAGE,
        through=Piece.styles.through,
        through_key="style__slug",
    ),
    Facet(
        "transparent",
        _("Transparent pricing (materials and labor shown)"),
        PRICE,
        condition=lambda v: Q(materials_cost__isnull=False, labor_cost__isnull=False),
    ),
    Facet(
        "country",
        _("Maker's country"),
        HERITAGE,
        field="artisan__country",
    ),
]
FACETS_BY_NAME = {f.name: f for f in FACETS}

# The makers' directory: the same machinery over makers instead of pieces.
MAKERS = _("Makers")
ARTISAN_FACETS = [
    Facet("country", _("Country"), MAKERS, field="country"),
    Facet("maker_type", _("Kind of maker"), MAKERS, field="maker_type"),
    Facet("workshop", _("Workshop size"), MAKERS, field="workshop_size"),
    Facet(
        "technique",
        _("Technique"),
        MAKERS,
        through=Technique.artisans.through,
        through_key="technique__slug",
        owner="artisan",
    ),
    Facet(
        "tradition",
        _("Tradition"),
        MAKERS,
        through=Tradition.artisans.through,
        through_key="tradition__slug",
        owner="artisan",
    ),
]
ARTISAN_FACETS_BY_NAME = {f.name: f for f in ARTISAN_FACETS}


# --- Options: every facet's values with their labels ---------------------------------

OPTIONS_CACHE_KEY = f"catalog:facet-options:{settings.RELEASE}"
# A request reads the options from the cache once, though each facet it filters by asks
# for them as its field validates, and the facet column draws them: the request's copy
# lives from `facet_options_request_started` to `facet_options_request_finished`, and is
# dropped when they are forgotten.
_this_request = threading.local()

CHOICE_OPTIONS = {
    "maker_type": MakerType,
    "method": ProductionMethod,
    "made_by": MadeBy,
    "availability": Availability,
    "gem_source": GemSource,
    "personalization": PersonalizationKind,
    "workshop": WorkshopSize,
}
TAXONOMY_OPTIONS = {
    "category": Category.objects.all(),
    "metal": Material.objects.filter(kind=MaterialKind.METAL),
    "gemstone": Material.objects.filter(kind=MaterialKind.GEMSTONE),
    "pearl": Material.objects.filter(kind=MaterialKind.PEARL),
    "technique": Technique.objects.all(),
    "tradition": Tradition.objects.all(),
    "style": Style.objects.all(),
    "certification": Certification.objects.all(),
}


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    explanation: str = ""
    synonyms: tuple[
        str, ...
    ] = ()  # what shoppers also call it (catalog.models.SearchSynonym, catalog.listing.vocabulary)


def facet_options():
    """
    {facet name: [Option, ...]} for every facet, in display order.

    The taxonomies and makers' countries come from one UNION query, kept in the
    cache until a taxonomy or a maker changes (catalog.signals).
    """
    if (options := getattr(_this_request, "options", None)) is not None:
        return options
    options = cache.get(OPTIONS_CACHE_KEY)
    if options is None:
        options = _load_options()
        cache.set(OPTIONS_CACHE_KEY, options, timeout=None)
    if getattr(_this_request, "started", False):
        _this_request.options = options
    return options


def forget_facet_options(**kwargs):
    _this_request.options = None
    cache.delete(OPTIONS_CACHE_KEY)


def facet_options_request_started(**kwargs):
    _this_request.started, _this_request.options = True, None


def facet_options_request_finished(**kwargs):
    _this_request.started, _this_request.options = False, None


@contextmanager
def facet_options_held():
    """
    The facet options read once for a block of work outside a request, as a request holds them
    (the alerts read thousands of listing states in one run: reading the options from the cache
    for each would be most of the run). Inside a request, the request's hold is left as it is.
    """
    if getattr(_this_request, "started", False):
        yield
        return
    facet_options_request_started()
    try:
        yield
    finally:
        facet_options_request_finished()


def _load_options():
    from artisans.models import Artisan

    options = {name: [] for name in [*FACETS_BY_NAME, *ARTISAN_FACETS_BY_NAME]}
    for name, choices in CHOICE_OPTIONS.items():
        options[name] = [Option(str(member.value), str(member.label), str(member.explanation)) for member in choices]
    branches = [
        queryset.order_by().annotate(facet=Value(name, output_field=CharField())).values_list("facet", "slug", "name")
        for name, queryset in TAXONOMY_OPTIONS.items()
    ]
    # Every maker's country, not only approved makers': approving in bulk sends
    # no signal, and a country whose makers are not public just counts 0.
    countries = (
        Artisan.objects.order_by()
        .values("country")
        .distinct()
        .annotate(facet=Value("country", output_field=CharField()), name=Cast("country", CharField()))
        .values_list("facet", "country", "name")
    )
    rows = branches[0].union(*branches[1:], countries, all=True)
    for name, value, label in rows:
        if name == "country":
            label = str(countries_registry.name(value))
        options[name].append(Option(value, label))
    for name in TAXONOMY_OPTIONS:
        if name != "category":
            options[name].sort(key=lambda option: option.label)
    options["country"].sort(key=lambda option: option.label)
    synonyms = defaultdict(list)
    for facet, value, phrase in SearchSynonym.objects.order_by("phrase").values_list("facet", "value", "phrase"):
        synonyms[facet, value].append(phrase)
    for name, listed in options.items():
        if name in FACETS_BY_NAME and FACETS_BY_NAME[name].is_flag:
            listed.append(Option(FLAG_KEY, str(FACETS_BY_NAME[name].label)))
        options[name] = [replace(option, synonyms=tuple(synonyms[name, option.value])) for option in listed]
    return options


def option_choices(name):
    """The (value, label) choices of a facet, for its form field."""
    if name in FACETS_BY_NAME and FACETS_BY_NAME[name].is_flag:
        return [(FLAG_KEY, FACETS_BY_NAME[name].label)]
    return [(option.value, option.label) for option in facet_options()[name]]


# --- Counts ---------------------------------------------------------------------------


def facet_counts(queryset_without, facets=None):
    """
    {facet name: {option value: count}} in one query.

    `queryset_without(name)` returns the result's pieces filtered by every
    active filter except the facet `name`: the count of an option is then how
    many pieces the result would hold with that option added.
    """
    options = facet_options()
    branches = [
        branch
        for f in (facets or FACETS)
        for branch in f.count_branches(queryset_without(f.name).order_by(), options.get(f.name, []))
    ]
    counts = defaultdict(dict)
    for name, value, count in branches[0].union(*branches[1:], all=True):
        counts[name][value] = count
    return counts
