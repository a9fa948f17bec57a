"""
The listing's filters, under the URL parameters shoppers bookmark and share:
`method`, `category`, `metal`, `price_min`, `price_max` and `sort`.

Several values of one parameter combine with OR (`method=handcrafted&method=hand_finished`),
different parameters with AND. A value that does not validate is left out
of the filtering and reported back to the shopper by the view.
"""

from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from .choices import MaterialKind, ProductionMethod
from .models import Category, Material, Piece, PieceMaterial

MAX_PRICE = Decimal("10000000")


class SortChoices:
    NEWEST = "newest"
    PRICE = "price"
    PRICE_DESC = "-price"
    choices = [
        (NEWEST, _("Newest")),
        (PRICE, _("Price, low to high")),
        (PRICE_DESC, _("Price, high to low")),
    ]
    orderings = {
        NEWEST: ("-published_at", "-id"),
        PRICE: ("price", "id"),
        PRICE_DESC: ("-price", "-id"),
    }


class PieceFilter(django_filters.FilterSet):
    # distinct=False throughout: no filter joins a to-many relation (metals go
    # through EXISTS), so rows never repeat and DISTINCT would only cost time.
    method = django_filters.MultipleChoiceFilter(
        field_name="production_method",
        choices=ProductionMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
        label=_("How it is made"),
    )
    category = django_filters.ModelMultipleChoiceFilter(
        field_name="category__slug",
        to_field_name="slug",
        queryset=Category.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
        label=_("Category"),
    )
    metal = django_filters.ModelMultipleChoiceFilter(
        to_field_name="slug",
        queryset=Material.objects.filter(kind=MaterialKind.METAL),
        widget=forms.CheckboxSelectMultiple,
        method="filter_metal",
        distinct=False,
        label=_("Metal"),
    )
    price_min = django_filters.NumberFilter(
        field_name="price", lookup_expr="gte", min_value=0, max_value=MAX_PRICE, label=_("Price from")
    )
    price_max = django_filters.NumberFilter(
        field_name="price", lookup_expr="lte", min_value=0, max_value=MAX_PRICE, label=_("Price to")
    )
    sort = django_filters.ChoiceFilter(
        choices=SortChoices.choices, method="sort_pieces", empty_label=None, label=_("Sort by")
    )

    class Meta:
        model = Piece
        fields = []

    def filter_metal(self, queryset, name, value):
        # An EXISTS subquery, not a join: a piece with two matching metals is
        # still one row, and the count stays right without DISTINCT.
        if not value:
            return queryset
        return queryset.filter(Exists(PieceMaterial.objects.filter(piece=OuterRef("pk"), material__in=value)))

    def sort_pieces(self, queryset, name, value):
        return queryset.order_by(*SortChoices.orderings.get(value, SortChoices.orderings[SortChoices.NEWEST]))

    @property
    def ignored(self):
        """The parameters whose values were not understood, with what was wrong, for the page to show."""
        if not self.is_bound or self.form.is_valid():
            return []
        return [
            (self.form.fields[name].label if name in self.form.fields else name, " ".join(messages))
            for name, messages in self.form.errors.items()
        ]
