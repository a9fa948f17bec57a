"""
Keep caches in step with the rows they were built from, and check stored photos and descriptions for copies.

In the catalog's third layer, beside catalog.pages and catalog.services (the `catalog-rooms`
contract): connected by catalog.apps (`connect()`) at startup; it calls the listing (facets'
options, search vectors), the trust room (copies) and the catalog's version; and at sign-in, the
shoppers room (a visitor's saves kept in the session join their account).
"""

from functools import partial

from django.contrib.auth.signals import user_logged_in
from django.core import signals as core_signals
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from artisans.models import Artisan
from artisans.signals import makers_status_changed
from catalog.listing import (
    facet_options_request_finished,
    facet_options_request_started,
    forget_facet_options,
)
from catalog.models import (
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
    SearchSynonym,
    Style,
    Technique,
    Tradition,
)
from catalog.shoppers.saves import session_saves_join
from catalog.trust.copies import description_check, photo_check
from catalog.versions import bump_catalog_version

# The facet column's options: the taxonomies, and the countries of makers.
FACET_OPTION_SOURCES = [Category, Certification, Material, Style, Technique, Tradition, Artisan, SearchSynonym]
# What the catalog's figures (the guide), the listing's index (catalog.listing.index:
# every facet's condition) and the cached cards and piece pages (catalog.listing.cards,
# catalog.pages.sheets) are computed from. Bulk updates send no signal: the services
# that make them bump the version themselves.
CATALOG_SOURCES = [
    Piece,
    PieceImage,
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

# The pieces a saved or deleted row concerns, for the change log that lets the listing's index
# re-read only them (catalog.versions.bump_catalog_version). A source not listed here (a taxonomy:
# a renamed slug or a changed kind moves every piece that uses it) concerns every piece.
PIECES_OF_ROW = {
    Piece: lambda row: [row.pk],
    PieceImage: lambda row: [row.piece_id],
    PieceMaterial: lambda row: [row.piece_id],
    PersonalizationOption: lambda row: [row.piece_id],
    PersonalizationRequest: lambda row: [row.piece_id],
    ProductionStep: lambda row: [row.piece_id],
    # A maker's status, workshop and country, and their certifications, are facets of all their pieces.
    MakerCertification: lambda row: _pieces_of_maker(row.artisan_id, row._state.db),
    Artisan: lambda row: _pieces_of_maker(row.pk, row._state.db),
}
# The field by which a row of PIECES_OF_ROW belongs to its piece or maker, if it may be moved.
OWNER_FIELD = {
    PieceImage: "piece_id",
    PieceMaterial: "piece_id",
    PersonalizationOption: "piece_id",
    PersonalizationRequest: "piece_id",
    ProductionStep: "piece_id",
    MakerCertification: "artisan_id",
}


def _pieces_of_maker(artisan_id, database=None):
    """The ids of a maker's pieces, from the database the row was written to (never a replica)."""
    pieces = Piece.objects.using(database or "default").filter(artisan_id=artisan_id)
    return list(pieces.values_list("pk", flat=True))


def _bump(pieces):
    """
    Bump the version now, for what the same transaction reads next, and again
    once the transaction commits: another worker that read the rows between
    the two saw them as before the commit, and must read them again.
    """
    bump_catalog_version(pieces=pieces)
    transaction.on_commit(partial(bump_catalog_version, pieces=pieces))


def remember_owner(sender, instance, raw=False, **kwargs):
    """Before a row of a piece (or maker) is changed: the one it belonged to, which changes too if it moves."""
    if raw or instance._state.adding or instance.pk is None:
        return
    field = OWNER_FIELD[sender]
    stored = sender._default_manager.using(kwargs.get("using") or "default").filter(pk=instance.pk)
    instance._catalog_previous_owner = stored.values_list(field, flat=True).first()


def catalog_changed(sender=None, instance=None, created=False, **kwargs):
    """A row the catalog is computed from was saved or deleted (or makers changed status in bulk)."""
    pieces_of = PIECES_OF_ROW.get(sender)
    if instance is None or (pieces_of is None and not created):
        _bump(None)  # anything may have changed
        return
    if pieces_of is None or (created and sender is Artisan):
        _bump([])  # a new taxonomy entry or maker: no piece is theirs yet
        return
    pieces = [pk for pk in pieces_of(instance) if pk is not None]
    previous = getattr(instance, "_catalog_previous_owner", None)
    if previous is not None and previous != getattr(instance, OWNER_FIELD[sender]):
        pieces += _pieces_of_maker(previous, instance._state.db) if sender is MakerCertification else [previous]
    _bump(pieces)


def catalog_relation_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """
    A technique, tradition or style added to or removed from pieces: from a
    piece (`instance`), or from the taxonomy's side (`pk_set` are pieces).
    """
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            _bump([instance.pk])
        return
    if action == "pre_clear":
        instance._catalog_cleared_pieces = list(instance.pieces.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove"):
        _bump(pk_set or [])
    elif action == "post_clear":
        _bump(getattr(instance, "_catalog_cleared_pieces", None))


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
    core_signals.request_started.connect(facet_options_request_started, dispatch_uid="facet-options-request-started")
    core_signals.request_finished.connect(facet_options_request_finished, dispatch_uid="facet-options-request-finished")
    # A visitor's saves kept in the session join their account when they sign in (or up).
    user_logged_in.connect(session_saves_join, dispatch_uid="shoppers-session-saves-join")
    post_save.connect(photo_stored, sender=PieceImage, dispatch_uid="copies-photo")
    post_save.connect(description_stored, sender=Piece, dispatch_uid="copies-description")
    for model in FACET_OPTION_SOURCES:
        post_save.connect(forget_facet_options, sender=model, dispatch_uid=f"facet-options-save-{model.__name__}")
        post_delete.connect(forget_facet_options, sender=model, dispatch_uid=f"facet-options-delete-{model.__name__}")
    makers_status_changed.connect(catalog_changed, dispatch_uid="catalog-version-makers")
    for model in OWNER_FIELD:
        pre_save.connect(remember_owner, sender=model, dispatch_uid=f"catalog-version-owner-{model.__name__}")
    for model in CATALOG_SOURCES:
        post_save.connect(catalog_changed, sender=model, dispatch_uid=f"catalog-version-save-{model.__name__}")
        post_delete.connect(catalog_changed, sender=model, dispatch_uid=f"catalog-version-delete-{model.__name__}")
    for through in CATALOG_RELATIONS:
        m2m_changed.connect(
            catalog_relation_changed, sender=through, dispatch_uid=f"catalog-version-m2m-{through.__name__}"
        )
