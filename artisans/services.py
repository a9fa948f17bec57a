"""
Applying to sell, and staff decisions about makers: approving, refusing,
suspending and verifying them.

Each staff function takes the acting user and refuses anyone who is not
staff, so that a view reusing it cannot skip the check; each runs in one
transaction with one UPDATE, which makes two staff members acting at once
safe. The maker's email about approval or refusal is queued with the decision
(the outbox sends it once committed).
"""

from collections.abc import Iterable
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .choices import ArtisanStatus
from .emails import application_decision_send
from .models import Artisan, ProcessPhoto
from .signals import makers_status_changed
from .slugs import unique_slug

ERROR_STAFF_ONLY = "Only staff can approve, suspend or verify makers."
ERROR_REFUSAL_REASON = "Say why the application is refused; the maker reads it and can re-apply."
ERROR_PROCESS_PHOTO_REQUIRED = "Add at least one photo of your workshop, tools or hands at work."
ERROR_ALREADY_SELLING = "Your application was approved already; edit your profile in your studio."

Artisans = QuerySet[Artisan] | Iterable[Artisan]


def _require_staff(actor: AbstractBaseUser) -> None:
    if not (actor.is_active and actor.is_staff):
        raise PermissionDenied(ERROR_STAFF_ONLY)


def _primary_keys(artisans: Artisans | list[int]) -> list[int]:
    # A list of keys rather than a subquery: the admin hands over annotated
    # querysets, and some databases refuse an UPDATE that selects from its own table.
    if isinstance(artisans, QuerySet):
        return list(artisans.values_list("pk", flat=True))
    return [getattr(artisan, "pk", artisan) for artisan in artisans]


@transaction.atomic
def artisans_set_status(*, artisans: Artisans, status: str, actor: AbstractBaseUser) -> int:
    """Put the makers in `status`; returns how many changed (those already in it are left alone)."""
    _require_staff(actor)
    status = ArtisanStatus(status)
    changed = (
        Artisan.objects.filter(pk__in=_primary_keys(artisans))
        .exclude(status=status)
        .update(status=status, updated_at=timezone.now())
    )
    if changed:
        transaction.on_commit(partial(makers_status_changed.send, sender=Artisan))
    return changed


@transaction.atomic
def artisan_apply(*, artisan: Artisan, user: AbstractBaseUser, new_photos: Iterable[ProcessPhoto] = ()) -> Artisan:
    """
    Send (or send again) `user`'s application to sell, from an unsaved or edited `artisan`.

    The maker is pending until staff decide; a previous refusal is cleared, and
    the application goes to the back of the queue. At least one process photo
    is needed, counting those already saved. An approved or suspended maker
    cannot re-apply through this (their status is staff's to change).
    """
    if artisan.pk and Artisan.objects.filter(pk=artisan.pk).exclude(status=ArtisanStatus.PENDING).exists():
        raise ValidationError(ERROR_ALREADY_SELLING, code="already_selling")
    new_photos = list(new_photos)
    existing = artisan.process_photos.count() if artisan.pk else 0
    if not new_photos and not existing:
        raise ValidationError(ERROR_PROCESS_PHOTO_REQUIRED, code="process_photo_required")
    artisan.user = user
    artisan.status = ArtisanStatus.PENDING
    if not artisan.slug:
        artisan.slug = unique_slug(
            Artisan.objects, artisan.name, max_length=120, fallback="maker", exclude_pk=artisan.pk
        )
    artisan.applied_at = timezone.now()
    artisan.refusal_reason = ""
    artisan.refused_by = None
    artisan.refused_at = None
    artisan.full_clean()
    artisan.save()
    for position, photo in enumerate(new_photos, start=existing):
        photo.artisan = artisan
        photo.position = position
        photo.full_clean()
        photo.save()
    return artisan


def _notify(artisan_pks: list[int], *, approved: bool) -> None:
    for artisan in Artisan.objects.filter(pk__in=artisan_pks).select_related("user"):
        application_decision_send(artisan=artisan, approved=approved)


@transaction.atomic
def artisans_approve(*, artisans: Artisans, actor: AbstractBaseUser) -> int:
    """
    Approve the makers: their published pieces become public. Returns how many changed.

    Each newly approved maker is emailed; a suspended maker approved again is
    reinstated, and their published pieces come back at once.
    """
    _require_staff(actor)
    changing = list(
        Artisan.objects.filter(pk__in=_primary_keys(artisans))
        .exclude(status=ArtisanStatus.APPROVED)
        .values_list("pk", flat=True)
    )
    changed = artisans_set_status(artisans=changing, status=ArtisanStatus.APPROVED, actor=actor)
    Artisan.objects.filter(pk__in=changing).update(refusal_reason="", refused_by=None, refused_at=None)
    _notify(changing, approved=True)
    return changed


@transaction.atomic
def artisans_refuse(*, artisans: Artisans, reason: str, actor: AbstractBaseUser) -> int:
    """
    Refuse the pending applications with a reason, recording who and when; returns how many.

    The makers stay pending so that they can edit the application and send it
    again; each is emailed the reason. Approved or suspended makers are left alone.
    """
    _require_staff(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(ERROR_REFUSAL_REASON, code="reason_required")})
    refusing = list(
        Artisan.objects.filter(pk__in=_primary_keys(artisans), status=ArtisanStatus.PENDING).values_list(
            "pk", flat=True
        )
    )
    now = timezone.now()
    changed = Artisan.objects.filter(pk__in=refusing).update(
        refusal_reason=reason, refused_by=actor, refused_at=now, updated_at=now
    )
    _notify(refusing, approved=False)
    return changed


def artisans_suspend(*, artisans: Artisans, actor: AbstractBaseUser) -> int:
    """Suspend the makers: none of their pieces are shown. Returns how many changed."""
    return artisans_set_status(artisans=artisans, status=ArtisanStatus.SUSPENDED, actor=actor)


@transaction.atomic
def artisans_verify(*, artisans: Artisans, actor: AbstractBaseUser) -> int:
    """
    Mark the makers as verified by `actor`, now; returns how many were newly verified.

    A maker verified before keeps the name and date of that first check.
    """
    _require_staff(actor)
    now = timezone.now()
    return Artisan.objects.filter(pk__in=_primary_keys(artisans), is_verified=False).update(
        is_verified=True, verified_by=actor, verified_at=now, updated_at=now
    )
