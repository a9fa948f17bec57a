"""
Writes to pieces that are more than saving a form: publishing, hiding,
featuring, raising the evidence level and verifying certification claims.

Each function takes the acting user and checks what that user may do, so that
the admin and the makers' studio can share one rule; each runs in one
transaction. Bulk functions issue one UPDATE and return how many rows changed.
"""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from artisans.choices import ArtisanStatus

from .choices import EvidenceLevel, PieceStatus
from .models import MakerCertification, Piece, PieceMaterial

ERROR_STAFF_ONLY = "Only staff can hide or feature pieces and verify certification claims."
ERROR_NOT_YOUR_PIECE = "You can publish only your own pieces."
ERROR_MAKER_NOT_APPROVED = "Your maker profile is waiting for approval: until then you can keep drafts but not publish."
ERROR_HIDDEN_BY_STAFF = "This piece was hidden by staff; write to us to have it published again."
ERROR_EVIDENCE_STAFF_ONLY = "Only staff can raise the evidence level above “documented”."
ERROR_UNKNOWN_EVIDENCE_LEVEL = "Choose one of the evidence levels."

# The levels that need someone other than the maker to have looked.
STAFF_EVIDENCE_LEVELS = frozenset({EvidenceLevel.STAFF_VERIFIED, EvidenceLevel.STUDIO_VISITED})

Pieces = QuerySet[Piece] | Iterable[Piece]


def _is_staff(actor: AbstractBaseUser) -> bool:
    return bool(actor.is_active and actor.is_staff)


def _require_staff(actor: AbstractBaseUser) -> None:
    if not _is_staff(actor):
        raise PermissionDenied(ERROR_STAFF_ONLY)


def _primary_keys(objects: QuerySet | Iterable[models.Model]) -> list[int]:
    # A list of keys rather than a subquery: the admin hands over querysets with
    # DISTINCT and prefetches, and some databases refuse an UPDATE that selects
    # from its own table.
    if isinstance(objects, QuerySet):
        return list(objects.values_list("pk", flat=True))
    return [obj.pk for obj in objects]


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
    targets = Piece.objects.filter(pk__in=_primary_keys(pieces))
    if not _is_staff(actor):
        if targets.exclude(artisan__user=actor).exists():
            raise PermissionDenied(ERROR_NOT_YOUR_PIECE)
        if targets.exclude(artisan__status=ArtisanStatus.APPROVED).exists():
            raise PermissionDenied(ERROR_MAKER_NOT_APPROVED)
        if targets.filter(status=PieceStatus.HIDDEN).exists():
            raise PermissionDenied(ERROR_HIDDEN_BY_STAFF)
        # Repeat the checks in the UPDATE itself, in case staff acted in between.
        targets = targets.filter(artisan__user=actor, artisan__status=ArtisanStatus.APPROVED).exclude(
            status=PieceStatus.HIDDEN
        )
    now = timezone.now()
    # A piece saved as published without a date (a form that set the status) gets one too.
    return targets.exclude(status=PieceStatus.PUBLISHED, published_at__isnull=False).update(
        status=PieceStatus.PUBLISHED,
        published_at=Coalesce("published_at", Value(now)),
        updated_at=now,
    )


def piece_publish(*, piece: Piece, actor: AbstractBaseUser) -> Piece:
    """Publish one piece under the rules of `pieces_publish`; returns it refreshed."""
    pieces_publish(pieces=[piece], actor=actor)
    piece.refresh_from_db(fields=["status", "published_at", "updated_at"])
    return piece


@transaction.atomic
def pieces_hide(*, pieces: Pieces, actor: AbstractBaseUser) -> int:
    """Take the pieces down (staff only); returns how many were not hidden before."""
    _require_staff(actor)
    return (
        Piece.objects.filter(pk__in=_primary_keys(pieces))
        .exclude(status=PieceStatus.HIDDEN)
        .update(status=PieceStatus.HIDDEN, updated_at=timezone.now())
    )


@transaction.atomic
def pieces_set_featured(*, pieces: Pieces, featured: bool, actor: AbstractBaseUser) -> int:
    """Feature the pieces on the home page, or stop featuring them (staff only); returns how many changed."""
    _require_staff(actor)
    return (
        Piece.objects.filter(pk__in=_primary_keys(pieces))
        .exclude(featured=featured)
        .update(featured=featured, updated_at=timezone.now())
    )


@transaction.atomic
def piece_raise_evidence(*, piece: Piece, level: str, actor: AbstractBaseUser) -> Piece:
    """
    Set how far the piece's handcrafted claim is proven, recording who set it and when.

    Only staff may set a level above "documented". Staff may also lower a
    level (evidence found wanting); that is recorded the same way, since it is
    as much a staff judgement as raising it.
    """
    try:
        level = EvidenceLevel(level)
    except ValueError:
        raise ValidationError(
            {"evidence_level": ValidationError(ERROR_UNKNOWN_EVIDENCE_LEVEL, code="unknown_evidence_level")}
        ) from None
    if level in STAFF_EVIDENCE_LEVELS and not _is_staff(actor):
        raise PermissionDenied(ERROR_EVIDENCE_STAFF_ONLY)
    piece.evidence_level = level
    piece.evidence_raised_by = actor
    piece.evidence_raised_at = timezone.now()
    piece.save(update_fields=["evidence_level", "evidence_raised_by", "evidence_raised_at", "updated_at"])
    return piece


@transaction.atomic
def certification_claims_verify(
    *, claims: QuerySet[MakerCertification] | QuerySet[PieceMaterial], actor: AbstractBaseUser
) -> int:
    """
    Mark certification claims (of makers or of piece materials) as checked by staff.

    Returns how many were newly verified. A material that names no
    certification has nothing to verify and is left alone.
    """
    _require_staff(actor)
    return (
        claims.model.objects.filter(pk__in=_primary_keys(claims), is_verified=False)
        .exclude(certification__isnull=True)
        .update(is_verified=True)
    )
