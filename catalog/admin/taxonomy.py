"""
The taxonomies (categories, materials, techniques, traditions, styles, certifications), makers'
certification claims, and the search synonyms staff add to the listing's vocabulary.

Part of the admin room.
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.admin.shared import VerifyClaimsMixin
from catalog.listing import option_choices, phrase_keys, synonym_facets
from catalog.models import (
    Category,
    Certification,
    MakerCertification,
    Material,
    SearchSynonym,
    Style,
    Technique,
    Tradition,
)


class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Category)
class CategoryAdmin(TaxonomyAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]


@admin.register(Material)
class MaterialAdmin(TaxonomyAdmin):
    list_display = ["name", "kind", "colour"]
    list_filter = ["kind"]


@admin.register(Technique)
class TechniqueAdmin(TaxonomyAdmin):
    list_display = ["name", "is_traditional", "is_industrial", "origin"]
    list_filter = ["is_traditional", "is_industrial"]
    autocomplete_fields = ["artisans"]


@admin.register(Tradition)
class TraditionAdmin(TaxonomyAdmin):
    list_display = ["name", "region"]
    search_fields = ["name", "region"]
    autocomplete_fields = ["artisans"]


@admin.register(Style)
class StyleAdmin(TaxonomyAdmin):
    pass


@admin.register(Certification)
class CertificationAdmin(TaxonomyAdmin):
    list_display = ["name", "issuer", "certifies"]
    list_filter = ["certifies"]
    search_fields = ["name", "issuer"]
    # Certifiers' sites are served over HTTPS; a bare domain typed in gets that scheme.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(MakerCertification)
class MakerCertificationAdmin(VerifyClaimsMixin, admin.ModelAdmin):
    list_display = ["artisan", "certification", "certificate_number", "is_verified"]
    list_filter = ["is_verified", "certification"]
    list_select_related = ["artisan", "certification"]
    search_fields = ["artisan__name", "certification__name", "certificate_number"]
    autocomplete_fields = ["artisan", "certification"]


class SearchSynonymForm(forms.ModelForm):
    """A synonym names one option of one of the facets the listing reads from words (catalog.listing.vocabulary)."""

    facet = forms.ChoiceField(label=_("Filter"), choices=synonym_facets)

    class Meta:
        model = SearchSynonym
        fields = ["phrase", "facet", "value"]

    def clean(self):
        cleaned = super().clean()
        facet, value, phrase = cleaned.get("facet"), cleaned.get("value"), cleaned.get("phrase")
        if facet and value is not None:
            choices = dict(option_choices(facet))
            if value not in choices:
                allowed = ", ".join(f"{code} ({label})" for code, label in choices.items())
                self.add_error(
                    "value", _("Not an option of this filter. Pick one of: %(allowed)s.") % {"allowed": allowed}
                )
        if phrase is not None and not phrase_keys(phrase):
            self.add_error("phrase", _("Give at least one word a shopper would type (not only common words or signs)."))
        return cleaned


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    """What shoppers also call a facet option: their words then read as that filter in the listing's search."""

    form = SearchSynonymForm
    list_display = ["phrase", "facet", "value", "created_at"]
    list_filter = ["facet"]
    search_fields = ["phrase", "value"]
