"""The makers' services: only staff approve, suspend and verify; verifying records who and when."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from artisans.choices import ArtisanStatus
from artisans.models import Artisan
from artisans.services import ERROR_STAFF_ONLY, artisans_approve, artisans_suspend, artisans_verify
from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_approving_counts_only_the_makers_that_changed():
    ArtisanFactory.create_batch(2, status=ArtisanStatus.PENDING)
    ArtisanFactory(status=ArtisanStatus.APPROVED)
    assert artisans_approve(artisans=Artisan.objects.all(), actor=StaffFactory()) == 2
    assert set(Artisan.objects.values_list("status", flat=True)) == {ArtisanStatus.APPROVED}


def test_suspending_takes_a_maker_off_the_public_site():
    maker, other = ArtisanFactory(), ArtisanFactory()
    assert artisans_suspend(artisans=[maker], actor=StaffFactory()) == 1
    assert list(Artisan.objects.approved()) == [other]


def test_verifying_records_the_staff_member_and_the_time():
    maker = ArtisanFactory()
    staff = StaffFactory()
    assert artisans_verify(artisans=[maker], actor=staff) == 1
    maker.refresh_from_db()
    assert maker.is_verified
    assert maker.verified_by == staff
    assert timezone.now() - maker.verified_at < timedelta(minutes=1)


def test_verifying_again_keeps_the_first_check():
    first = datetime(2024, 5, 2, tzinfo=UTC)
    maker = ArtisanFactory(is_verified=True, verified_at=first)
    assert artisans_verify(artisans=Artisan.objects.all(), actor=StaffFactory()) == 0
    maker.refresh_from_db()
    assert (maker.verified_at, maker.verified_by) == (first, None)


@pytest.mark.parametrize("service", [artisans_approve, artisans_suspend, artisans_verify])
def test_only_active_staff_review_makers(service):
    maker = ArtisanFactory(status=ArtisanStatus.PENDING)
    for actor in (maker.user, UserFactory(), StaffFactory(is_active=False)):
        with pytest.raises(PermissionDenied) as refused:
            service(artisans=[maker], actor=actor)
        assert str(refused.value) == ERROR_STAFF_ONLY
    maker.refresh_from_db()
    assert (maker.status, maker.is_verified) == (ArtisanStatus.PENDING, False)
