"""Keep caches in step with the rows they were built from, and check stored photos and descriptions for copies."""

from django.db.models.signals import post_delete, post_save

from artisans.models import Artisan
from artisans.signals import makers_status_changed

from .copies import description_check, photo_check
from .facets import forget_facet_options
from .guide import bump_catalog_version
from .models import (
    Category,
    Certification,
    Material,
    PersonalizationOption,
    PersonalizationRequest,
    Piece,
    PieceImage,
    PieceMaterial,
    Style,
    Technique,
    Tradition,
)

# The facet column's options: the taxonomies, and the countries of makers.
FACET_OPTION_SOURCES = [Category, Certification, Material, Style, Technique, Tradition, Artisan]
# What the catalog's figures (the guide) are computed from. Bulk updates send
# no signal: the services that make them bump the version themselves.
CATALOG_SOURCES = [Piece, PieceMaterial, PersonalizationOption, PersonalizationRequest, Category, Artisan]


def photo_stored(sender, instance, raw=False, update_fields=None, **kwargs):
    """Every photo saved through a model (studio, admin) is hashed and compared at once."""
    if raw or (update_fields is not None and "image" not in update_fields):
        return
    photo_check(instance)


def description_stored(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "description" not in update_fields):
        return
    description_check(instance)


def connect():
    post_save.connect(photo_stored, sender=PieceImage, dispatch_uid="copies-photo")
    post_save.connect(description_stored, sender=Piece, dispatch_uid="copies-description")
    for model in FACET_OPTION_SOURCES:
        post_save.connect(forget_facet_options, sender=model, dispatch_uid=f"facet-options-save-{model.__name__}")
        post_delete.connect(forget_facet_options, sender=model, dispatch_uid=f"facet-options-delete-{model.__name__}")
    makers_status_changed.connect(bump_catalog_version, dispatch_uid="catalog-version-makers")
    for model in CATALOG_SOURCES:
        post_save.connect(bump_catalog_version, sender=model, dispatch_uid=f"catalog-version-save-{model.__name__}")
        post_delete.connect(bump_catalog_version, sender=model, dispatch_uid=f"catalog-version-delete-{model.__name__}")
