"""
The listing's index is built without a Python object per piece: the build's
peak of Python memory (tracemalloc, which sees numpy's arrays too) grows with
the catalog by about what the index keeps, never by a list of every id or a
row object per piece. At a million pieces such lists took hundreds of MB that
the worker kept afterwards (bench/README.md, worker memory).
"""

import tracemalloc

import pytest

from artisans.tests.factories import ArtisanFactory
from catalog.listing.index import PieceIndex
from catalog.models import Piece
from catalog.tests.factories import CategoryFactory, PieceFactory

pytestmark = pytest.mark.django_db

# The build's peak per piece, in bytes: 20 for its ids and keys read, 12 for each of the two
# orders kept, and their sort's transient arrays (8 bytes each); measured 72 on PostgreSQL and
# 106 on SQLite (read row by row, in chunks), against 211 and 264 when the build read its ids
# as lists of Python ints (28 bytes each, plus the list's 8) and its rows 20,000 at a time.
PEAK_PER_PIECE = 120


def add_pieces(count, **fields):
    Piece.objects.bulk_create(PieceFactory.build_batch(count, **fields), batch_size=1000)


def build_peak():
    """The most Python memory allocated at once while the index is built, in bytes."""
    tracemalloc.start()
    try:
        PieceIndex.build()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_build_holds_no_python_object_per_piece():
    fields = {"artisan": ArtisanFactory(), "category": CategoryFactory()}
    add_pieces(1000, **fields)
    PieceIndex.build()  # compiles the queries and imports what the build needs, once per process
    smaller = build_peak()
    add_pieces(4000, **fields)
    larger = build_peak()
    assert (larger - smaller) / 4000 < PEAK_PER_PIECE
