"""
The taxonomies (categories, materials, techniques, traditions, styles, certifications) and makers'
certification claims.

Part of the admin room.
"""

from django.contrib import admin
from django.db import models

from catalog.admin.shared import VerifyClaimsMixin
from catalog.models import (
    Category,
    Certification,
    MakerCertification,
    Material,
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
