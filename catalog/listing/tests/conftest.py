"""Fixtures shared by the piece index's tests."""

import pytest

from catalog.listing.index import PieceIndex
from catalog.listing.tests.index_helpers import BUILD


@pytest.fixture
def builds(monkeypatch):
    """How many times the index was built whole (by current_index, not by the tests' own comparisons)."""
    count = {"n": 0}

    def counted(cls, *args, **kwargs):
        count["n"] += 1
        return BUILD(cls, *args, **kwargs)

    monkeypatch.setattr(PieceIndex, "build", classmethod(counted))
    return count
