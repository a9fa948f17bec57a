"""The catalog's change log (catalog.versions): each write logs the pieces it concerns, or that everything changed."""

import pytest
from django.core.cache import cache

from artisans.choices import ArtisanStatus, WorkshopSize
from artisans.models import Artisan
from artisans.services import artisans_set_status
from artisans.tests.factories import ArtisanFactory, UserFactory
from catalog import versions
from catalog.services import pieces_hide
from catalog.tests.factories import PieceFactory, PieceMaterialFactory, StyleFactory, TechniqueFactory
from catalog.versions import EVERYTHING, bump_catalog_version, catalog_changes, catalog_version

pytestmark = pytest.mark.django_db


# --- The change log ----------------------------------------------------------------------


def test_a_bump_logs_its_pieces_and_the_changes_since_a_version_are_their_union():
    start = catalog_version()
    bump_catalog_version(pieces=[3, 1])
    bump_catalog_version(pieces=[2, 3])
    bump_catalog_version(pieces=[])
    assert catalog_version() == start + 3
    changes = catalog_changes(start, start + 3)
    assert changes.pieces == {1, 2, 3} and not changes.everything
    assert catalog_changes(start + 1, start + 3).pieces == {2, 3}
    assert catalog_changes(start + 3, start + 3).pieces == set()


def test_a_change_the_log_cannot_name_is_a_change_to_everything(monkeypatch):
    start = catalog_version()
    bump_catalog_version()
    assert catalog_changes(start, start + 1).everything
    monkeypatch.setattr(versions, "MAX_LOGGED_PIECES", 3)
    bump_catalog_version(pieces=[1, 2, 3, 4])
    assert cache.get(versions.CHANGES_CACHE_KEY.format(version=start + 2)) == EVERYTHING
    bump_catalog_version(pieces=[5])
    # A lost entry, a range too long to replay, or a version that went back: the log cannot tell.
    assert not catalog_changes(start + 2, start + 3).everything
    cache.delete(versions.CHANGES_CACHE_KEY.format(version=start + 3))
    assert catalog_changes(start + 2, start + 3).everything
    assert catalog_changes(start, start + versions.MAX_LOG_STEPS + 1).everything
    assert catalog_changes(start + 3, start).everything


def test_a_bump_steps_over_a_slot_another_writer_claimed_and_the_version_never_passes_an_unwritten_one():
    start = catalog_version()
    # Another writer claimed the next slot and has not incremented yet.
    assert cache.add(versions.CHANGES_CACHE_KEY.format(version=start + 1), (99,))
    bump_catalog_version(pieces=[5])
    assert catalog_version() == start + 1
    assert catalog_changes(start, start + 1).pieces == {99}
    cache.incr(versions.VERSION_CACHE_KEY)  # the other writer's increment
    assert catalog_changes(start, start + 2).pieces == {5, 99}


def logged(since):
    return catalog_changes(since, catalog_version())


def test_each_write_logs_the_pieces_it_concerns(django_capture_on_commit_callbacks):
    maker, other = ArtisanFactory(), ArtisanFactory()
    first, second = PieceFactory(artisan=maker), PieceFactory(artisan=maker)
    third = PieceFactory(artisan=other)
    style = StyleFactory()
    style.pieces.add(first, third)
    row = PieceMaterialFactory(piece=first)

    since = catalog_version()
    row.piece = second
    row.save()
    assert logged(since).pieces == {first.pk, second.pk}, "a material moved: both pieces"

    since = catalog_version()
    style.pieces.clear()
    assert logged(since).pieces == {first.pk, third.pk}, "a style cleared from its pieces"

    since = catalog_version()
    maker.workshop_size = WorkshopSize.FACTORY
    maker.save()
    assert logged(since).pieces == {first.pk, second.pk}, "a maker's facets are their pieces'"

    since = catalog_version()
    with django_capture_on_commit_callbacks(execute=True):
        pieces_hide(pieces=[third], actor=UserFactory(is_staff=True))
    assert logged(since).pieces == {third.pk} and not logged(since).everything

    since = catalog_version()
    TechniqueFactory()
    assert logged(since).pieces == set() and not logged(since).everything, "nothing uses a new technique yet"

    since = catalog_version()
    style.slug = "renamed"
    style.save()
    assert logged(since).everything, "a renamed taxonomy"

    since = catalog_version()
    with django_capture_on_commit_callbacks(execute=True):
        artisans_set_status(
            artisans=Artisan.objects.filter(pk=other.pk),
            status=ArtisanStatus.SUSPENDED,
            actor=UserFactory(is_staff=True),
        )
    assert logged(since).everything, "makers' status changed in bulk"
