"""
Staff decisions about makers: approving, suspending and verifying them.

Each function takes the acting user and refuses anyone who is not staff, so
that a view reusing it cannot skip the check; each runs in one transaction
with one UPDATE, which makes two staff members acting at once safe.
"""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .choices import ArtisanStatus
from .models import Artisan

ERROR_STAFF_ONLY = "Only staff can approve, suspend or verify makers."

Artisans = QuerySet[Artisan] | Iterable[Artisan]


def _require_staff(actor: AbstractBaseUser) -> None:
    if not (actor.is_active and actor.is_staff):
        raise PermissionDenied(ERROR_STAFF_ONLY)


def _primary_keys(artisans: Artisans) -> list[int]:
    # A list of keys rather than a subquery: the admin hands over annotated
    # querysets, and some databases refuse an UPDATE that selects from its own table.
    if isinstance(artisans, QuerySet):
        return list(artisans.values_list("pk", flat=True))
    return [artisan.pk for artisan in artisans]


@transaction.atomic
def artisans_set_status(*, artisans: Artisans, status: str, actor: AbstractBaseUser) -> int:
    """Put the makers in `status`; returns how many changed (those already in it are left alone)."""
    _require_staff(actor)
    status = ArtisanStatus(status)
    return (
        Artisan.objects.filter(pk__in=_primary_keys(artisans))
        .exclude(status=status)
        .update(status=status, updated_at=timezone.now())
    )


def artisans_approve(*, artisans: Artisans, actor: AbstractBaseUser) -> int:
    """Approve the makers: their published pieces become public. Returns how many changed."""
    return artisans_set_status(artisans=artisans, status=ArtisanStatus.APPROVED, actor=actor)


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
