"""The hostile suite's own instrument: a snapshot sees any row written, and nothing else."""

import pytest

from catalog.models import Piece

from .world import changed_tables, snapshot

pytestmark = pytest.mark.django_db


def test_a_snapshot_sees_a_row_changed_added_or_deleted_and_nothing_when_nothing_was_written(world):
    quiet = snapshot()
    assert changed_tables(quiet, snapshot()) == []

    Piece.objects.filter(pk=world.piece.pk).update(title="Renamed by the snapshot test")
    renamed = snapshot()
    assert changed_tables(quiet, renamed) == ["catalog.piece"]

    world.piece.materials.all().delete()
    assert "catalog.piecematerial" in changed_tables(renamed, snapshot())
