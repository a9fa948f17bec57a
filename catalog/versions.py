"""
The catalog's version and its change log: the lowest layer above the models.

Every cache of catalog figures is keyed by `catalog_version()`, a number that
moves on with each write to pieces (`bump_catalog_version`, from
catalog.signals and the bulk services); the change log says which pieces each
version concerned, so that the listing's index (catalog.listing.index) reads
again only those. Everything above the models reads this module; it imports
nothing of the catalog's own.
"""

import threading
import time
from dataclasses import dataclass
from functools import partial

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max

from marketplace.cache import cache_degraded, cache_recovered

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
    if cache_degraded():
        return _outage.version()
    version = cache.get(VERSION_CACHE_KEY)
    if version is None:
        cache.add(VERSION_CACHE_KEY, _first_version(), timeout=None)
        version = cache.get(VERSION_CACHE_KEY)
    if cache_degraded():  # Redis went away during these calls
        return _outage.version()
    if version <= _outage.moved_past:  # read just before this call found Redis back and moved it on
        version = cache.get(VERSION_CACHE_KEY, version)
    _outage.seen(version)
    return version


class _Outage:
    """
    The version a worker trusts while Redis, which keeps the version, is out of reach
    (marketplace.cache), and how it is brought level when Redis is back.

    During an outage, writes cannot move the shared version, so reading it would
    freeze every worker's listing at what it showed before. Instead a worker reads
    the time of the latest write to a piece, in nanoseconds, from the database (at
    most once every `REFRESH` seconds), never below the last version it saw: like
    a fresh start of the version (`_first_version`), it is a clock reading, so it
    passes every version given before the write. The listing's index finds no
    change log for it and rebuilds. Writes the database's clock does not show (a
    bulk update, a deletion) wait for Redis. When Redis answers again, the worker
    moves the shared version past everything it served meanwhile, with no log
    entry: every worker rebuilds once, and they converge.
    """

    REFRESH = 1.0

    def __init__(self):
        self._lock = threading.Lock()
        self._last_seen = 0
        self._served = 0  # the highest version served during an outage, 0 if none since the last
        self.moved_past = 0  # the version the shared one was last moved past, after an outage
        self._read_at = None
        self._from_database = 0

    def seen(self, version):
        self._last_seen = max(self._last_seen, version)

    def version(self):
        with self._lock:
            now = time.monotonic()
            if self._read_at is None or now - self._read_at >= self.REFRESH:
                latest = apps.get_model("catalog", "Piece").objects.aggregate(latest=Max("updated_at"))["latest"]
                self._from_database = 0 if latest is None else int(latest.timestamp() * 1_000_000) * 1_000
                self._read_at = now
            self._served = max(self._served, self._last_seen, self._from_database)
            return self._served

    def recovered(self, **kwargs):
        """Redis is back: move its version past every version served during the outage (no log: a rebuild)."""
        with self._lock:
            served, self._served, self._read_at = self._served, 0, None
        if not served:
            return
        self.moved_past = served
        version = cache.get(VERSION_CACHE_KEY)
        if version is None:
            cache.add(VERSION_CACHE_KEY, max(_first_version(), served + 1), timeout=None)
        elif version <= served:
            cache.incr(VERSION_CACHE_KEY, served + 1 - version)  # an increment: concurrent ones only add up


_outage = _Outage()
cache_recovered.connect(_outage.recovered, dispatch_uid="catalog.versions.outage")


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
