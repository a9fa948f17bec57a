"""
The listing's filters under the URL parameters shoppers bookmark and share.

One `MultipleChoiceFilter` per facet of catalog.listing.facets (several values of a
parameter combine with OR, different parameters with AND), plus `q`,
`price_min`, `price_max`, `ships_within` and `sort`. A value that does not
validate is left out of the filtering and reported to the shopper by the page.

Part of the listing room: below its entry points and the index (which read `Sort`), above search
(`q`) and the facets.
"""

import copy
from decimal import Decimal
from functools import partial

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from artisans.models import Artisan
from catalog.choices import Availability
from catalog.listing.facets import (
    ARTISAN_FACETS,
    ARTISAN_FACETS_BY_NAME,
    FACETS,
    FACETS_BY_NAME,
    READY_STOCK_DAYS,
    option_choices,
)
from catalog.models import Piece

MAX_PRICE = Decimal("10000000")
MAX_QUERY_LENGTH = 200
# The longest wait a shopper can ask for: a year.
MAX_SHIPS_WITHIN_DAYS = 365

ERROR_PRICE_RANGE = _("is below the lowest price asked for, so it was left out.")


class Sort:
    """The listing's orders, under the `sort` parameter."""

    NEWEST = "newest"
    PRICE = "price"
    PRICE_DESC = "-price"
    RELEVANCE = "relevance"
    REQUESTED = "requested"
    choices = [
        (NEWEST, _("Newest")),
        (PRICE, _("Price, low to high")),
        (PRICE_DESC, _("Price, high to low")),
        (RELEVANCE, _("Best match")),
        (REQUESTED, _("Most requested")),
    ]
    orderings = {
        NEWEST: ("-published_at", "-id"),
        PRICE: ("price", "id"),
        PRICE_DESC: ("-price", "-id"),
        REQUESTED: ("-requests_count", "-published_at", "-id"),
    }


SHIPS_WITHIN_CHOICES = [(3, _("3 days")), (7, _("a week")), (14, _("2 weeks")), (30, _("a month"))]


class PieceFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("price_min"), cleaned.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", forms.ValidationError(ERROR_PRICE_RANGE, code="price_range"))
        return cleaned


class Filters(dict):
    """
    The filters of a FilterSet class, which django-filter deep-copies for every
    FilterSet: some 35 for the listing, a tenth of its time. A filter holds
    nothing of a request but its parent, which the FilterSet sets on its copy,
    so a shallow copy of each is enough; a method filter's FilterMethod is
    bound again to its copy (django-filter's `method` setter), for the copy's parent.
    """

    def __deepcopy__(self, memo):
        copies = {}
        for name, each in self.items():
            copies[name] = each = copy.copy(each)
            each.method = each.method
        return copies


class FormFields(dict):
    """
    The fields of a FilterSet's form class, which Django deep-copies for every
    form. The form validates the request's parameters and is never rendered,
    and validating changes no field, so a shallow copy of each is enough.
    """

    def __deepcopy__(self, memo):
        return {name: copy.copy(field) for name, field in self.items()}


class FacetFilterSet(django_filters.FilterSet):
    """
    A FilterSet whose filters are facets (catalog.listing.facets), with what their page
    needs. Its form validates the request's parameters and is never rendered;
    the form class is made once per FilterSet class, not for every request.
    """

    facets_by_name = {}

    @classmethod
    def get_filters(cls):
        return Filters(super().get_filters())

    def get_form_class(self):
        form_class = type(self).__dict__.get("form_class")
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields = FormFields(form_class.base_fields)
            type(self).form_class = form_class
        return form_class

    def filter_facet(self, queryset, name, value):
        return queryset.filter(self.facets_by_name[name].condition(value))

    @property
    def selections(self):
        """The valid, non-empty values of the request, by parameter."""
        if not self.is_bound:
            return {}
        self.form.is_valid()
        return {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "", [])}

    def queryset_without(self, facet_name):
        """The rows under every active filter except the facet `facet_name` (for its counts)."""
        return self.filtered([name for name in self.selections if name != facet_name])

    def filtered(self, names):
        """The rows under the active filters named."""
        queryset = self.queryset
        for name, value in self.selections.items():
            if name in names:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    @property
    def ignored(self):
        """The parameters whose values were not understood, with what was wrong, for the page to show."""
        if not self.is_bound or self.form.is_valid():
            return []
        return [(self.form.fields[name].label, " ".join(messages)) for name, messages in self.form.errors.items()]


class BasePieceFilter(FacetFilterSet):
    facets_by_name = FACETS_BY_NAME

    # Validated here, read and matched by the index (catalog.listing.reading, catalog.listing.search).
    q = django_filters.CharFilter(method="keep", max_length=MAX_QUERY_LENGTH, label=_("Search"))
    words = django_filters.CharFilter(method="keep", max_length=MAX_QUERY_LENGTH, label=_("Your words"))
    price_min = django_filters.NumberFilter(
        field_name="price", lookup_expr="gte", min_value=0, max_value=MAX_PRICE, label=_("Price from")
    )
    price_max = django_filters.NumberFilter(
        field_name="price", lookup_expr="lte", min_value=0, max_value=MAX_PRICE, label=_("Price to")
    )
    ships_within = django_filters.NumberFilter(
        method="filter_ships_within", min_value=1, max_value=MAX_SHIPS_WITHIN_DAYS, label=_("Ready to ship within")
    )
    # Validated here, applied by `order_pieces` after every filter.
    sort = django_filters.ChoiceFilter(choices=Sort.choices, method="keep", empty_label=None, label=_("Sort by"))

    class Meta:
        model = Piece
        fields = []
        form = PieceFilterForm

    def filter_ships_within(self, queryset, name, value):
        ready = Q(stock__gt=0) & ~Q(availability=Availability.MADE_TO_ORDER)
        made_in_time = Q(availability=Availability.MADE_TO_ORDER, lead_time_days__lte=value)
        return queryset.filter(made_in_time | ready) if value >= READY_STOCK_DAYS else queryset.filter(made_in_time)

    def keep(self, queryset, name, value):
        return queryset


def _facet_filter(facet):
    return django_filters.MultipleChoiceFilter(
        choices=partial(option_choices, facet.name),
        method="filter_facet",
        widget=forms.CheckboxSelectMultiple,
        label=facet.label,
        distinct=False,
    )


def facet_filterset(name, base, facets):
    """A FilterSet class with one filter per facet, in the order of the facet column, before base's own."""
    return type(name, (base,), {"__module__": __name__, **{facet.name: _facet_filter(facet) for facet in facets}})


class BaseArtisanFilter(FacetFilterSet):
    facets_by_name = ARTISAN_FACETS_BY_NAME

    class Meta:
        model = Artisan
        fields = []


PieceFilter = facet_filterset("PieceFilter", BasePieceFilter, FACETS)
ArtisanFilter = facet_filterset("ArtisanFilter", BaseArtisanFilter, ARTISAN_FACETS)


def order_pieces(queryset, *, sort):
    """The pieces in a listing order, in SQL: the rule the index's orders keep (newest first by default)."""
    if sort == Sort.REQUESTED:
        queryset = queryset.with_requests_count()
    return queryset.order_by(*Sort.orderings.get(sort, Sort.orderings[Sort.NEWEST]))
