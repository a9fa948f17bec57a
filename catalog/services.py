"""
Writes to pieces that are more than saving a form: publishing, hiding and
featuring (evidence levels and certification claims are the trust room's:
catalog.trust.services); and the makers' side: sending an application to
sell, and saving, publishing, unpublishing and archiving a piece from the
studio.

Each function takes the acting user and checks what that user may do, so that
the admin and the makers' studio can share one rule; each runs in one
transaction. Bulk functions issue one UPDATE and return how many rows changed.

In the catalog's third layer, beside catalog.pages and catalog.signals (the `catalog-rooms`
contract): the studio's views and the admin call it; it builds on the trust room's services and the
catalog's version.
"""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from artisans.choices import ArtisanStatus
from artisans.models import Artisan
from artisans.services import artisan_apply
from artisans.slugs import unique_slug
from catalog.choices import PieceStatus
from catalog.models import Piece, PieceImage, PieceMaterial, Technique, Tradition
from catalog.querysets import primary_keys
from catalog.trust.services import (
    ERROR_CURATION_STAFF_ONLY,
    HOW_MADE_FIELDS,
    claims_open_for_review,
    piece_evidence_documented,
    piece_evidence_drop,
)
from catalog.versions import bump_after_update

ERROR_NOT_YOUR_PIECE = "You can publish only your own pieces."
ERROR_MAKER_NOT_APPROVED = "Your maker profile is waiting for approval: until then you can keep drafts but not publish."
ERROR_HIDDEN_BY_STAFF = (
    "Staff hid this piece, so it cannot be published. If they rejected it in a review, you may appeal "
    "from “Reviews by staff” in your studio; otherwise write to us."
)
ERROR_INCOMPLETE = "Add at least one photo of the finished piece and one material before publishing."
ERROR_NOT_YOUR_PIECE_CHANGE = "You can change only your own pieces."

Pieces = QuerySet[Piece] | Iterable[Piece]


def _is_staff(actor: AbstractBaseUser) -> bool:
    return bool(actor.is_active and actor.is_staff)


def _require_staff(actor: AbstractBaseUser) -> None:
    if not _is_staff(actor):
        raise PermissionDenied(ERROR_CURATION_STAFF_ONLY)


@transaction.atomic
def pieces_publish(*, pieces: Pieces, actor: AbstractBaseUser) -> int:
    """
    Publish the pieces; returns how many changed (those already published are left alone).

    Staff may publish any piece, including one of a maker not approved yet
    (`Piece.objects.published()` keeps it off the public site until the maker
    is approved). A maker may publish only their own pieces, only once
    approved, and never one that staff hid. `published_at` keeps its first
    value when a piece is published again, so "newest" does not reshuffle.
    """
    keys = primary_keys(pieces)
    targets = Piece.objects.filter(pk__in=keys)
    if not _is_staff(actor):
        if targets.exclude(artisan__user=actor).exists():
            raise PermissionDenied(ERROR_NOT_YOUR_PIECE)
        if targets.exclude(artisan__status=ArtisanStatus.APPROVED).exists():
            raise PermissionDenied(ERROR_MAKER_NOT_APPROVED)
        if targets.filter(status=PieceStatus.HIDDEN).exists():
            raise PermissionDenied(ERROR_HIDDEN_BY_STAFF)
        # Staff may publish what a maker could not (curation); a maker's piece
        # is public only with a photo of it and what it is made of.
        if targets.filter(
            ~models.Exists(PieceImage.objects.filter(piece=models.OuterRef("pk"), is_process_photo=False))
            | ~models.Exists(PieceMaterial.objects.filter(piece=models.OuterRef("pk")))
        ).exists():
            raise ValidationError(ERROR_INCOMPLETE, code="incomplete")
        # Repeat the checks in the UPDATE itself, in case staff acted in between.
        targets = targets.filter(artisan__user=actor, artisan__status=ArtisanStatus.APPROVED).exclude(
            status=PieceStatus.HIDDEN
        )
    now = timezone.now()
    # A piece saved as published without a date (a form that set the status) gets one too.
    changed = targets.exclude(status=PieceStatus.PUBLISHED, published_at__isnull=False).update(
        status=PieceStatus.PUBLISHED,
        published_at=Coalesce("published_at", Value(now)),
        updated_at=now,
    )
    return bump_after_update(changed, keys)


def piece_publish(*, piece: Piece, actor: AbstractBaseUser) -> Piece:
    """Publish one piece under the rules of `pieces_publish`; returns it refreshed."""
    pieces_publish(pieces=[piece], actor=actor)
    piece.refresh_from_db(fields=["status", "published_at", "updated_at"])
    return piece


@transaction.atomic
def pieces_hide(*, pieces: Pieces, actor: AbstractBaseUser) -> int:
    """Take the pieces down (staff only); returns how many were not hidden before."""
    _require_staff(actor)
    keys = primary_keys(pieces)
    return bump_after_update(
        Piece.objects.filter(pk__in=keys)
        .exclude(status=PieceStatus.HIDDEN)
        .update(status=PieceStatus.HIDDEN, updated_at=timezone.now()),
        keys,
    )


@transaction.atomic
def pieces_set_featured(*, pieces: Pieces, featured: bool, actor: AbstractBaseUser) -> int:
    """Feature the pieces on the home page, or stop featuring them (staff only); returns how many changed."""
    _require_staff(actor)
    return (
        Piece.objects.filter(pk__in=primary_keys(pieces))
        .exclude(featured=featured)
        .update(featured=featured, updated_at=timezone.now())
    )


# --- The makers' studio ----------------------------------------------------------


@transaction.atomic
def piece_save(*, piece_form, formsets: dict, actor: AbstractBaseUser) -> Piece:
    """
    Save a maker's piece with its steps, materials, photos and options, all or nothing.

    The piece belongs to `actor`'s maker profile (a new one) or must already
    (an edit). The cover photo comes first among the photos. When how the piece
    is made changed, `piece_evidence_drop` applies; a piece with steps or
    process photos is at least documented.
    """
    piece = piece_form.instance
    artisan = Artisan.objects.owned_by(actor).get()
    if piece.pk and piece.artisan_id != artisan.pk:
        raise PermissionDenied(ERROR_NOT_YOUR_PIECE_CHANGE)
    how_made_changed = bool(HOW_MADE_FIELDS & set(piece_form.changed_data)) or any(
        formsets[name].has_changed() for name in ("steps", "materials")
    )
    is_new = piece.pk is None
    piece = piece_form.save(commit=False)
    piece.artisan = artisan
    if is_new:
        piece.slug = unique_slug(Piece.objects, piece.title, max_length=150, fallback="piece")
        piece.status = PieceStatus.DRAFT
    piece.save()
    piece_form.save_m2m()
    for formset in formsets.values():
        formset.instance = piece
        formset.save()
    _photos_put_cover_first(piece=piece, photo_forms=formsets["photos"].forms)
    if how_made_changed and not is_new:
        piece_evidence_drop(piece=piece, actor=actor)
    piece_evidence_documented(piece=piece, actor=actor)
    claims_open_for_review(claims=piece.materials.all())
    return piece


def _photos_put_cover_first(*, piece: Piece, photo_forms) -> None:
    cover = next(
        (
            form.instance
            for form in photo_forms
            if form.cleaned_data.get("is_cover") and not form.cleaned_data.get("DELETE") and form.instance.pk
        ),
        None,
    )
    if cover is None:
        return
    photos = sorted(piece.images.all(), key=lambda photo: (photo.pk != cover.pk, photo.position, photo.pk))
    for position, photo in enumerate(photos):
        if photo.position != position:
            PieceImage.objects.filter(pk=photo.pk).update(position=position)


@transaction.atomic
def piece_set_status(*, piece: Piece, status: str, actor: AbstractBaseUser) -> Piece:
    """
    The maker takes their piece back to draft (unpublish) or archives it; publishing is `piece_publish`.

    A piece hidden by staff stays hidden.
    """
    status = PieceStatus(status)
    if status not in (PieceStatus.DRAFT, PieceStatus.ARCHIVED):
        raise ValueError(f"piece_set_status cannot set {status}")
    updated = bump_after_update(
        Piece.objects.owned_by(actor)
        .filter(pk=piece.pk)
        .exclude(status=PieceStatus.HIDDEN)
        .update(status=status, updated_at=timezone.now()),
        [piece.pk],
    )
    if not updated and not Piece.objects.owned_by(actor).filter(pk=piece.pk).exists():
        raise PermissionDenied(ERROR_NOT_YOUR_PIECE_CHANGE)
    if not updated:
        raise PermissionDenied(ERROR_HIDDEN_BY_STAFF)
    piece.refresh_from_db(fields=["status", "updated_at"])
    return piece


@transaction.atomic
def artisan_application_submit(
    *,
    artisan: Artisan,
    user: AbstractBaseUser,
    techniques: Iterable[Technique],
    traditions: Iterable[Tradition],
    photo_formset,
) -> Artisan:
    """
    Send `user`'s application to sell (artisans' `artisan_apply`) with the techniques and
    traditions they work in and their process photos, all or nothing.
    """
    photos = photo_formset.save(commit=False)
    for photo in photo_formset.deleted_objects:
        photo.delete()
    artisan = artisan_apply(artisan=artisan, user=user, new_photos=[p for p in photos if not p.pk])
    for photo in photos:
        if photo.pk:
            photo.save()
    artisan.techniques.set(techniques)
    artisan.traditions.set(traditions)
    return artisan
