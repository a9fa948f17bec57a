"""
What the catalog admin's pages share: inline autocompletes that cost no query per row, list filters over
the article's distinctions, staff's verification of certification claims, read-only pages, and the
tables left out of the admin's index.

Part of the admin room: the other admin modules import it.
"""

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Exists, OuterRef
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from artisans.admin import bulk_action
from catalog.choices import MaterialKind
from catalog.models import (
    Certification,
    MakerCertification,
    Material,
    PieceMaterial,
)
from catalog.trust.services import certification_claims_verify

MESSAGE_CLAIMS_VERIFIED = "Verified %(count)d certification claim."
MESSAGE_CLAIMS_VERIFIED_PLURAL = "Verified %(count)d certification claims."


class PrelabelledAutocompleteSelect(AutocompleteSelect):
    """
    An autocomplete that labels its selected option from the row it belongs to.

    Django's widget fetches the selected option's label with one query per
    form, so an inline of n rows costs n queries. `PrelabelledInlineFormSet`
    hands each widget the label of the object its row already loaded; the
    widget falls back to the query only for a value it was not told about
    (a form re-shown after an error with another option chosen).
    """

    known_choices = None  # {str(primary key): label}, set per form

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        known = self.known_choices or {}
        if not selected or not selected <= known.keys():
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for option_value in sorted(selected):
            options.append(self.create_option(name, option_value, known[option_value], selected, len(options)))
        return [(None, options, 0)]


class PrelabelledInlineFormSet(BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        for name, form_field in form.fields.items():
            widget = getattr(form_field.widget, "widget", form_field.widget)  # unwrap the add/change links
            if not isinstance(widget, PrelabelledAutocompleteSelect):
                continue
            model_field = form.instance._meta.get_field(name)
            if model_field.is_cached(form.instance) and (related := getattr(form.instance, name)) is not None:
                widget.known_choices = {str(related.pk): form_field.label_from_instance(related)}
        return form


class PrelabelledAutocompleteInline:
    """
    An inline mixin: its autocomplete fields are joined to the rows and labelled from them.

    `related` names further relations the row's __str__ reads, joined the same way.
    """

    formset = PrelabelledInlineFormSet
    related = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.autocomplete_fields, *self.related)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = PrelabelledAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- List filters over the article's distinctions ------------------------------


def has_material(**conditions):
    """Whether the piece has a material matching `conditions`, as an EXISTS that never duplicates pieces."""
    return Exists(PieceMaterial.objects.filter(piece=OuterRef("pk"), **conditions))


class MetalFilter(admin.SimpleListFilter):
    title = _("metal")
    parameter_name = "metal"

    def lookups(self, request, model_admin):
        return Material.objects.filter(kind=MaterialKind.METAL).order_by("name").values_list("slug", "name")

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(has_material(material__kind=MaterialKind.METAL, material__slug=self.value()))


class RecycledMetalFilter(admin.SimpleListFilter):
    title = _("recycled metal")
    parameter_name = "recycled"

    def lookups(self, request, model_admin):
        return [("yes", _("Has recycled metal")), ("no", _("No recycled metal"))]

    def queryset(self, request, queryset):
        recycled_metal = has_material(material__kind=MaterialKind.METAL, recycled=True)
        if self.value() == "yes":
            return queryset.filter(recycled_metal)
        if self.value() == "no":
            return queryset.filter(~recycled_metal)
        return queryset


class CertificationFilter(admin.SimpleListFilter):
    """Pieces claiming a certification, on one of their materials or through their maker, verified or not."""

    title = _("certification claimed")
    parameter_name = "certification"

    def lookups(self, request, model_admin):
        return Certification.objects.order_by("name").values_list("slug", "name")

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        held_by_maker = Exists(
            MakerCertification.objects.filter(artisan=OuterRef("artisan"), certification__slug=self.value())
        )
        return queryset.filter(has_material(certification__slug=self.value()) | held_by_maker)


class VerifyClaimsMixin:
    """The action that marks certification claims as checked by staff."""

    actions = ["verify_claims"]

    verify_claims = bulk_action(
        lambda claims, actor: certification_claims_verify(claims=claims, actor=actor),
        description=_("Mark the selected certification claims as verified"),
        messages=(MESSAGE_CLAIMS_VERIFIED, MESSAGE_CLAIMS_VERIFIED_PLURAL),
        state=_("verified"),
        permissions=["change"],
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows staff read but never write: they are written by the request's two parties."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class Machinery:
    """
    A table staff never browse on its own: the site's machinery (copy detection's hashes, the
    view counters) or rows edited inside their parent's page (a piece's steps, a request's thread).

    Left out of the admin's index and its side menu, so that the index lists what staff curate;
    its pages stay reachable by URL and by the links that point to them.
    """

    def has_module_permission(self, request):
        return False
