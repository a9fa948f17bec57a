"""Keep caches in step with the rows they were built from, and check stored photos and descriptions for copies."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from artisans.models import Artisan
from artisans.signals import makers_status_changed

from .copies import description_check, photo_check
from .facets import forget_facet_options
from .guide import bump_catalog_version
from .models import (
    Category,
    Certification,
    MakerCertification,
    Material,
    PersonalizationOption,
    PersonalizationRequest,
    Piece,
    PieceImage,
    PieceMaterial,
    ProductionStep,
    Style,
    Technique,
    Tradition,
)
from .search import refresh_search_vectors

# The facet column's options: the taxonomies, and the countries of makers.
FACET_OPTION_SOURCES = [Category, Certification, Material, Style, Technique, Tradition, Artisan]
# What the catalog's figures (the guide) and the listing's index (catalog.piece_index:
# every facet's condition) are computed from. Bulk updates send no signal: the
# services that make them bump the version themselves.
CATALOG_SOURCES = [
    Piece,
    PieceMaterial,
    PersonalizationOption,
    PersonalizationRequest,
    ProductionStep,
    MakerCertification,
    Category,
    Certification,
    Material,
    Technique,
    Tradition,
    Style,
    Artisan,
]
CATALOG_RELATIONS = [Piece.techniques.through, Piece.traditions.through, Piece.styles.through]


def catalog_changed(**kwargs):
    """
    Bump the version now, for what the same transaction reads next, and again
    once the transaction commits: another worker that rebuilt its index between
    the two saw the rows before the commit, and must not keep that index.
    """
    bump_catalog_version()
    transaction.on_commit(bump_catalog_version)


# Where the texts of a piece's search vector live: {model: the pieces a saved row's text is part of}.
SEARCH_TEXT_SOURCES = {
    Piece: lambda row: Piece.objects.filter(pk=row.pk),
    PieceMaterial: lambda row: Piece.objects.filter(pk=row.piece_id),
    Artisan: lambda row: Piece.objects.filter(artisan_id=row.pk),
    Material: lambda row: Piece.objects.filter(materials__material=row),
    Technique: lambda row: Piece.objects.filter(techniques=row),
    Tradition: lambda row: Piece.objects.filter(traditions=row),
}
SEARCH_TEXT_RELATIONS = [Piece.techniques.through, Piece.traditions.through]


def refresh_search_text(sender, instance, **kwargs):
    refresh_search_vectors(SEARCH_TEXT_SOURCES[sender](instance))


def refresh_search_text_of_relation(sender, instance, action, reverse, pk_set, **kwargs):
    """A technique or tradition added to or removed from pieces (from either side of the relation)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        refresh_search_vectors(Piece.objects.filter(pk=instance.pk))
    elif pk_set:
        refresh_search_vectors(Piece.objects.filter(pk__in=pk_set))


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
    makers_status_changed.connect(catalog_changed, dispatch_uid="catalog-version-makers")
    for model in CATALOG_SOURCES:
        post_save.connect(catalog_changed, sender=model, dispatch_uid=f"catalog-version-save-{model.__name__}")
        post_delete.connect(catalog_changed, sender=model, dispatch_uid=f"catalog-version-delete-{model.__name__}")
    for model in SEARCH_TEXT_SOURCES:
        post_save.connect(refresh_search_text, sender=model, dispatch_uid=f"search-text-save-{model.__name__}")
    post_delete.connect(refresh_search_text, sender=PieceMaterial, dispatch_uid="search-text-delete-material")
    for through in SEARCH_TEXT_RELATIONS:
        m2m_changed.connect(
            refresh_search_text_of_relation, sender=through, dispatch_uid=f"search-text-m2m-{through.__name__}"
        )
    for through in CATALOG_RELATIONS:
        m2m_changed.connect(catalog_changed, sender=through, dispatch_uid=f"catalog-version-m2m-{through.__name__}")
