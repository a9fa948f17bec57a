"""
The catalog's version and its change log: the lowest layer above the models.

Every cache of catalog figures is keyed by `catalog_version()`, a number that
moves on with each write to pieces (`bump_catalog_version`, from
catalog.signals and the bulk services); the change log says which pieces each
version concerned, so that the listing's index (catalog.listing.index) reads
again only those. Everything above the models reads this module; it imports
nothing of the catalog's own.
"""

import time
from dataclasses import dataclass
from functools import partial

from django.core.cache import cache
from django.db import transaction

VERSION_CACHE_KEY = "catalog:version"

# The change log: what each version's bump concerned, so that the listing's
# index (catalog.listing.index) re-reads only those pieces instead of the whole
# catalog. One entry per version, under CHANGES_CACHE_KEY: a tuple of piece
# ids, or EVERYTHING for a change that may concern any piece (a taxonomy
# renamed, makers approved in bulk, a bump that named no pieces).
CHANGES_CACHE_KEY = "catalog:changes:{version}"
EVERYTHING = "*"
# A reader further behind than this (a day, or this many versions) rebuilds whole
# rather than replaying the log. An entry is a few ids: 10,000 of them take about 1 MB.
CHANGES_TIMEOUT = 24 * 3600
MAX_LOG_STEPS = 10_000
# A change to more pieces than this is logged as EVERYTHING: a rebuild costs less than replaying it.
MAX_LOGGED_PIECES = 2_000
# How many taken slots a bump steps over before it gives up logging (readers then find a slot
# missing: a full rebuild).
MAX_CLAIMS = 64


def _first_version():
    """
    Where a version starts when the cache has none: the clock in nanoseconds,
    so that a cleared cache never gives again a version that a process may
    still hold figures (or the listing's index) for.
    """
    return time.time_ns()


def catalog_version():
    """A number that changes whenever a piece changes; caches of catalog figures are keyed by it."""
    version = cache.get(VERSION_CACHE_KEY)
    if version is None:
        cache.add(VERSION_CACHE_KEY, _first_version(), timeout=None)
        version = cache.get(VERSION_CACHE_KEY)
    return version


def request_catalog_version(request):
    """
    The catalog's version as `request` first read it: a page that reads it
    twice (the piece page's ETag and its sheet) reads the cache once, and
    both parts agree.
    """
    if not hasattr(request, "_catalog_version"):
        request._catalog_version = catalog_version()
    return request._catalog_version


def bump_catalog_version(pieces=None, **kwargs):
    """
    Move the catalog's version on (a signal receiver, and called after bulk
    updates), logging which pieces the change concerns: `pieces` (ids), or
    None for a change that may concern any of them.

    The log entry is written before the version moves, so that a reader who
    sees version V finds the entries of every version up to V: the bump first
    claims the first free slot above the version it read (`cache.add` is
    atomic: two writers never claim the same slot, and the claimed slots stay
    contiguous), then increments the version. Increments never outnumber
    claims, so the version never passes an unwritten slot. A reader that finds
    a slot missing all the same (expired, evicted, the cache cleared) rebuilds
    whole: a lost entry costs time, never exactness. The one loss the reader
    cannot see is a claim whose increment never came (the process died between
    the two calls): the version then lags one change behind the log until the
    next bump.
    """
    if pieces is None:
        entry = EVERYTHING
    else:
        entry = tuple(sorted({int(pk) for pk in pieces}))
        if len(entry) > MAX_LOGGED_PIECES:
            entry = EVERYTHING
    version = catalog_version()
    for slot in range(version + 1, version + 1 + MAX_CLAIMS):
        if cache.add(CHANGES_CACHE_KEY.format(version=slot), entry, timeout=CHANGES_TIMEOUT):
            break
    try:
        cache.incr(VERSION_CACHE_KEY)
    except ValueError:  # expired between the two calls: a new start, which every reader takes as "everything"
        cache.set(VERSION_CACHE_KEY, _first_version(), timeout=None)


@dataclass(frozen=True)
class Changes:
    """What moved between two versions: the pieces named by the log, and whether anything else may have."""

    pieces: frozenset
    everything: bool


def catalog_changes(since, until):
    """
    The changes of versions since+1 to until, from the log. `everything` is
    true when one of them concerned any piece, or when the log cannot tell
    (an entry missing, too many versions, or `until` not after `since`, which
    only a reset of the cache gives); `pieces` then still holds the pieces
    the log does name.
    """
    if until == since:
        return Changes(frozenset(), False)
    if until < since or until - since > MAX_LOG_STEPS:
        return Changes(frozenset(), True)
    keys = [CHANGES_CACHE_KEY.format(version=version) for version in range(since + 1, until + 1)]
    found = cache.get_many(keys)
    everything = len(found) < len(keys)
    pieces = set()
    for entry in found.values():
        if entry == EVERYTHING:
            everything = True
        else:
            pieces.update(entry)
    return Changes(frozenset(pieces), everything)


def bump_after_update(changed: int, pieces=None) -> int:
    """
    After a bulk update (which sends no signal): move the catalog's version on
    once committed, naming the pieces it may concern (None: any piece), so the
    listing's index re-reads only them. Returns `changed`.
    """
    if changed:
        transaction.on_commit(partial(bump_catalog_version, pieces=None if pieces is None else list(pieces)))
    return changed
