"""
Writes to pieces that are more than saving a form: publishing, hiding,
featuring, raising the evidence level and verifying certification claims;
and the makers' side: sending an application to sell, and saving, publishing,
unpublishing and archiving a piece from the studio.

Each function takes the acting user and checks what that user may do, so that
the admin and the makers' studio can share one rule; each runs in one
transaction. Bulk functions issue one UPDATE and return how many rows changed.
"""

from collections.abc import Iterable
from functools import partial

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

from .choices import EvidenceLevel, PieceStatus, ReviewReason, TrustAction
from .guide import bump_catalog_version
from .models import MakerCertification, Piece, PieceImage, PieceMaterial, Technique, Tradition
from .trust import (
    ERROR_FLAGGED,
    claims_open_for_review,
    open_copy_flags,
    review_open,
    trust_claims_verified,
    trust_record,
)

ERROR_STAFF_ONLY = "Only staff can hide or feature pieces and verify certification claims."
ERROR_NOT_YOUR_PIECE = "You can publish only your own pieces."
ERROR_MAKER_NOT_APPROVED = "Your maker profile is waiting for approval: until then you can keep drafts but not publish."
ERROR_HIDDEN_BY_STAFF = "This piece was hidden by staff; write to us to have it published again."
ERROR_EVIDENCE_STAFF_ONLY = "Only staff can raise the evidence level above “documented”."
ERROR_UNKNOWN_EVIDENCE_LEVEL = "Choose one of the evidence levels."
ERROR_INCOMPLETE = "Add at least one photo of the finished piece and one material before publishing."
ERROR_NOT_YOUR_PIECE_CHANGE = "You can change only your own pieces."

# The levels that need someone other than the maker to have looked.
STAFF_EVIDENCE_LEVELS = frozenset({EvidenceLevel.STAFF_VERIFIED, EvidenceLevel.STUDIO_VISITED})

Pieces = QuerySet[Piece] | Iterable[Piece]


def _catalog_changed(changed: int, pieces: Iterable[int] | None) -> int:
    """
    After a bulk update (which sends no signal): move the catalog's version on
    once committed, naming the pieces it may concern (None: any piece), so the
    listing's index re-reads only them.
    """
    if changed:
        transaction.on_commit(partial(bump_catalog_version, pieces=None if pieces is None else list(pieces)))
    return changed


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
    keys = _primary_keys(pieces)
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
    return _catalog_changed(changed, keys)


def piece_publish(*, piece: Piece, actor: AbstractBaseUser) -> Piece:
    """Publish one piece under the rules of `pieces_publish`; returns it refreshed."""
    pieces_publish(pieces=[piece], actor=actor)
    piece.refresh_from_db(fields=["status", "published_at", "updated_at"])
    return piece


@transaction.atomic
def pieces_hide(*, pieces: Pieces, actor: AbstractBaseUser) -> int:
    """Take the pieces down (staff only); returns how many were not hidden before."""
    _require_staff(actor)
    keys = _primary_keys(pieces)
    return _catalog_changed(
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
    if level in STAFF_EVIDENCE_LEVELS and open_copy_flags(piece.pk).exists():
        raise ValidationError({"evidence_level": ValidationError(ERROR_FLAGGED, code="flagged")})
    piece.evidence_level = level
    piece.evidence_raised_by = actor
    piece.evidence_raised_at = timezone.now()
    piece.save(update_fields=["evidence_level", "evidence_raised_by", "evidence_raised_at", "updated_at"])
    trust_record(
        artisan_id=piece.artisan_id, piece=piece, actor=actor, action=TrustAction.EVIDENCE_RAISED, note=level.label
    )
    return piece


@transaction.atomic
def certification_claims_verify(
    *, claims: QuerySet[MakerCertification] | QuerySet[PieceMaterial], actor: AbstractBaseUser
) -> int:
    """
    Mark certification claims (of makers or of piece materials) as checked by staff.

    Returns how many were newly verified. A material that names no
    certification has nothing to verify and is left alone. Each verification
    is an approval in the audit trail, and closes the claim's waiting item in
    the review queue.
    """
    _require_staff(actor)
    targets = claims.model.objects.filter(pk__in=_primary_keys(claims), is_verified=False).exclude(
        certification__isnull=True
    )
    verified = list(targets.select_related("certification", *(["piece"] if claims.model is PieceMaterial else [])))
    changed = targets.update(is_verified=True)
    trust_claims_verified(claims=verified, actor=actor)
    return _catalog_changed(changed, pieces_of_claims(verified))


def pieces_of_claims(claims) -> set[int]:
    """The pieces whose facets and badges count these claims: a material's piece, every piece of a maker."""
    pieces = {claim.piece_id for claim in claims if isinstance(claim, PieceMaterial)}
    makers = {claim.artisan_id for claim in claims if isinstance(claim, MakerCertification)}
    if makers:
        pieces.update(Piece.objects.filter(artisan__in=makers).values_list("pk", flat=True))
    return pieces


def certification_claim_decide(*, claim, verified: bool) -> None:
    """Staff's decision on one claim (the review queue): counted, or no longer counted, once committed."""
    changed = type(claim).objects.filter(pk=claim.pk).exclude(is_verified=verified).update(is_verified=verified)
    _catalog_changed(changed, pieces_of_claims([claim]))


# --- The makers' studio ----------------------------------------------------------

# The fields that say how a piece is made; changing one (or the steps or the
# materials) needs staff to look again at a level they raised.
HOW_MADE_FIELDS = frozenset({"production_method", "made_by", "production_partner"})


def piece_evidence_drop(*, piece: Piece, actor: AbstractBaseUser | None = None, note: str = "") -> bool:
    """
    After a change to how the piece is made (or a copy flag): a staff-raised level goes back to documented.

    Returns whether it dropped. Clears who raised the level and when, since
    the level is now the maker's again; notes the drop in the piece's history
    and queues the piece for staff to look again.
    """
    if piece.evidence_level not in STAFF_EVIDENCE_LEVELS:
        return False
    previous = EvidenceLevel(piece.evidence_level).label
    piece.evidence_level = EvidenceLevel.DOCUMENTED
    piece.evidence_raised_by = None
    piece.evidence_raised_at = None
    piece.save(update_fields=["evidence_level", "evidence_raised_by", "evidence_raised_at", "updated_at"])
    trust_record(
        artisan_id=piece.artisan_id,
        piece=piece,
        actor=actor,
        action=TrustAction.EVIDENCE_DROPPED,
        note=note or f"From “{previous}”: the way the piece is made changed.",
    )
    review_open(reason=ReviewReason.CLAIM, piece=piece, actor=actor)
    return True


def _piece_evidence_documented(*, piece: Piece, actor: AbstractBaseUser) -> None:
    # The maker's own evidence (steps or process photos) makes a bare claim
    # "documented", and asks staff to check it.
    if piece.evidence_level != EvidenceLevel.SELF_DECLARED:
        return
    if piece.production_steps.exists() or piece.images.filter(is_process_photo=True).exists():
        piece.evidence_level = EvidenceLevel.DOCUMENTED
        piece.save(update_fields=["evidence_level", "updated_at"])
        review_open(reason=ReviewReason.CLAIM, piece=piece, actor=actor)


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
    _piece_evidence_documented(piece=piece, actor=actor)
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
    updated = _catalog_changed(
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
