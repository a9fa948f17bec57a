"""
A listing order kept in memory (`Order`): the published pieces sorted by one
key (price, publication time), cut in buckets so that a page is found by
counting the result's pieces bucket by bucket and sorting only the bucket it
falls in, and moved piece by piece when a few pieces change.

Part of the listing room: used by the index (catalog.listing.index) only; imports nothing of the
catalog's.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right

import numpy
from pyroaring import BitMap

# Pieces per bucket of a listing order: a page is found by counting the
# result's pieces bucket by bucket, then sorting only the bucket it falls in.
BUCKET_SIZE = 1024

# A result this small is sorted whole instead of walked bucket by bucket.
SMALL_RESULT = 4096

# Changes to at most this many pieces are moved in the orders one by one; more re-sort the orders (in memory).
SMALL_CHANGE = 256


def as_array(typecode, values):
    """A numpy array copied into an `array` once (`array(typecode, values.tobytes())` copies it twice)."""
    copied = array(typecode)
    copied.frombytes(memoryview(numpy.ascontiguousarray(values)).cast("B"))
    return copied


class Order:
    """
    The published pieces in one listing order: ascending by (key[pk], sign × pk),
    in `ids`, and cut into buckets of consecutive ids. The build cuts buckets
    of BUCKET_SIZE; an update adds a piece to, or takes it from, one bucket
    (a bucket grown to twice the size is split, an emptied one dropped).
    An Order is never changed once made: `replaced` returns a new one.
    """

    def __init__(self, ids, key, sign, buckets, starts):
        self.ids = ids  # piece ids, in order (uint32, as the bitmaps hold them)
        self.key = key  # the order's first key, indexed by piece id (an array: a dict would take 100 MB at 1M pieces)
        self.sign = sign  # +1: pieces with the same key by ascending id; -1: by descending id
        self.buckets = buckets  # BitMap of each run of ids
        self.starts = starts  # the position of each bucket's first id, then len(ids)

    @classmethod
    def of(cls, ids, keys, sign):
        """The order of the pieces `ids` (a numpy array) whose keys are `keys` (another, in the same order)."""
        key = numpy.zeros(int(ids.max()) + 1 if len(ids) else 0, dtype=numpy.int64)
        key[ids] = keys
        return cls.sorted(ids, as_array("q", key), sign)

    @classmethod
    def sorted(cls, ids, key, sign):
        """The pieces `ids` (a numpy array) in the order of `key` (their keys, an array indexed by piece id)."""
        keys = numpy.frombuffer(key, dtype=numpy.int64)[ids] if len(ids) else numpy.zeros(0, dtype=numpy.int64)
        ordered = ids[numpy.lexsort((sign * ids.astype(numpy.int64), keys))]
        return cls.cut(as_array("I", ordered.astype(numpy.uint32, copy=False)), key, sign)

    @classmethod
    def cut(cls, ids, key, sign):
        starts = list(range(0, len(ids), BUCKET_SIZE))
        buckets = [BitMap(ids[start : start + BUCKET_SIZE]) for start in starts]
        return cls(ids, key, sign, buckets, [*starts, len(ids)])

    # --- Reading ----------------------------------------------------------------------

    def range(self, low, high):
        """The ids at positions low..high-1, as a BitMap, whole buckets taken as they are."""
        if low >= high:
            return BitMap()
        starts = self.starts
        first = bisect_left(starts, low, 0, len(self.buckets))  # the first bucket that starts at `low` or after
        last = bisect_right(starts, high) - 1  # buckets before it end at `high` or before
        if first >= last:
            return BitMap(self.ids[low:high])
        return BitMap.union(
            BitMap(self.ids[low : starts[first]]),
            *self.buckets[first:last],
            BitMap(self.ids[starts[last] : high]),
        )

    def _sorted(self, pieces, reverse):
        """The pieces of a BitMap in this order (or its reverse)."""
        ordered = list(pieces)  # ascending ids: a stable sort by key keeps them so among equal keys
        if (self.sign < 0) != reverse:
            ordered.reverse()
        return sorted(ordered, key=self.key.__getitem__, reverse=reverse)

    def page(self, result, offset, limit, *, reverse=False):
        """The ids of `result` at positions offset..offset+limit in this order (or its reverse)."""
        if len(result) <= SMALL_RESULT:
            return self._sorted(result, reverse)[offset : offset + limit]
        found, seen = [], 0
        for bucket in reversed(self.buckets) if reverse else self.buckets:
            size = result.intersection_cardinality(bucket)
            if seen + size > offset:
                ordered = self._sorted(result & bucket, reverse)
                found.extend(ordered[max(0, offset - seen) :][: limit - len(found)])
                if len(found) >= limit:
                    break
            seen += size
        return found

    def position(self, pk, key):
        """Where a piece with this key is in `ids`, or would go."""
        ids, keyed = self.ids, self.key.__getitem__
        low, high = bisect_left(ids, key, key=keyed), bisect_right(ids, key, key=keyed)
        if self.sign > 0:
            return bisect_left(ids, pk, low, high)
        return bisect_left(ids, -pk, low, high, key=int.__neg__)

    # --- Updating ---------------------------------------------------------------------

    def replaced(self, changed, expected, added):
        """
        A new order without the pieces `changed` (a BitMap: those of them it
        holds, and it should hold those in `expected`), and with `added`, (id,
        key) pairs in any order.
        """
        key = self.key[:]
        size = max((pk for pk, _ in added), default=-1) + 1
        if size > len(key):
            key.extend(array("q", [0]) * (size - len(key)))
        if len(changed) + len(added) > SMALL_CHANGE:
            for pk, value in added:
                key[pk] = value
            kept = numpy.frombuffer(self.ids, dtype=numpy.uint32)
            kept = kept[~numpy.isin(kept, numpy.fromiter(changed, dtype=numpy.uint32, count=len(changed)))]
            members = numpy.concatenate([kept, numpy.fromiter((pk for pk, _ in added), dtype=numpy.uint32)])
            return Order.sorted(members, key, self.sign)
        order = Order(self.ids[:], key, self.sign, self.buckets[:], self.starts[:])
        for pk in changed:
            if not order._discard(pk) and pk in expected:
                raise LookupError(f"piece {pk} is not where its key puts it")
        for pk, value in added:
            key[pk] = value
            order._insert(pk, value)
        return order

    def _bucket_of(self, position):
        return min(bisect_right(self.starts, position), len(self.buckets)) - 1

    def _shift(self, bucket, by):
        starts = self.starts
        for later in range(bucket + 1, len(starts)):
            starts[later] += by

    def _discard(self, pk):
        """Take the piece out if the order holds it; whether it did."""
        if pk >= len(self.key):
            return False
        position = self.position(pk, self.key[pk])
        if position >= len(self.ids) or self.ids[position] != pk:
            return False
        del self.ids[position]
        bucket = self._bucket_of(position)
        self.buckets[bucket] = self.buckets[bucket] - BitMap([pk])
        self._shift(bucket, -1)
        if not self.buckets[bucket]:
            del self.buckets[bucket]
            del self.starts[bucket]
        return True

    def _insert(self, pk, key):
        position = self.position(pk, key)
        self.ids.insert(position, pk)
        if not self.buckets:
            self.buckets, self.starts = [BitMap([pk])], [0, 1]
            return
        bucket = self._bucket_of(position)
        self.buckets[bucket] = self.buckets[bucket] | BitMap([pk])
        self._shift(bucket, 1)
        start, end = self.starts[bucket], self.starts[bucket + 1]
        if end - start >= 2 * BUCKET_SIZE:
            middle = start + (end - start) // 2
            self.buckets[bucket : bucket + 1] = [BitMap(self.ids[start:middle]), BitMap(self.ids[middle:end])]
            self.starts.insert(bucket + 1, middle)
