"""
Counting views of public piece pages, for the maker's studio.

A view is counted in the worker's memory and the counts are written together,
at most every `PIECE_VIEWS_FLUSH_SECONDS`, by the view that comes after that
time: the shopper's page costs no database write, and a busy piece costs one
row a day (`PieceViewDay`), not one per view. What a worker holds when it
stops, a few seconds of views at most, is lost; that is the price of a counter
that never slows the page. The maker's own views and crawlers are not counted.

Part of the pages room: the piece page's view calls `record_view`; gunicorn.conf.py flushes at a
worker's exit; the studio reads the counts (`Piece.objects.with_views_count()`).
"""

import logging
import re
import threading
import time
from collections import Counter

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import Piece, PieceViewDay
from marketplace.errors import DATABASE_ERRORS

logger = logging.getLogger(__name__)

CRAWLER = re.compile(r"bot|crawl|spider|slurp|preview|monitor|curl|wget|python-requests", re.IGNORECASE)

_lock = threading.Lock()
_pending: Counter = Counter()  # (piece_id, day) -> views not yet written
_last_flush = time.monotonic()


def record_view(request, *, piece_id: int, maker_user_id: int | None) -> None:
    """Counts one view of a piece's public page, unless it is its maker's (`maker_user_id`) or a crawler's."""
    if request.method != "GET" or CRAWLER.search(request.headers.get("User-Agent", "")):
        return
    if request.user.is_authenticated and request.user.pk == maker_user_id:
        return
    global _last_flush
    with _lock:
        _pending[(piece_id, timezone.localdate())] += 1
        due = time.monotonic() - _last_flush >= settings.PIECE_VIEWS_FLUSH_SECONDS
        if due:
            batch = dict(_pending)
            _pending.clear()
            _last_flush = time.monotonic()
    if due:
        write(batch)


def flush() -> None:
    """Writes every count held in this worker now (tests, and a worker that is about to stop)."""
    with _lock:
        batch = dict(_pending)
        _pending.clear()
    write(batch)


def forget() -> None:
    """Drops the counts not yet written (between tests)."""
    with _lock:
        _pending.clear()


def write(batch: dict) -> None:
    """
    Adds `batch` ({(piece_id, day): views}) to the stored counts in one
    transaction: the missing day rows are created at zero, then each group of
    pieces that gained the same number of views is moved on by one UPDATE. A
    database error loses this batch, never the shopper's page.

    Every worker writes its batch at about the same moments (and all at once
    when the database comes back): each takes the rows' locks in one order,
    by piece and day, before any UPDATE, so two batches never deadlock.
    """
    if not batch:
        return
    try:
        with transaction.atomic():
            existing = set(Piece.objects.filter(pk__in={pk for pk, _ in batch}).values_list("pk", flat=True))
            batch = {key: batch[key] for key in sorted(key for key in batch if key[0] in existing)}
            PieceViewDay.objects.bulk_create(
                [PieceViewDay(piece_id=pk, day=day) for pk, day in batch], ignore_conflicts=True
            )
            days = {day for _, day in batch}
            pieces = {pk for pk, _ in batch}
            rows = PieceViewDay.objects.select_for_update().filter(day__in=days, piece_id__in=pieces)
            list(rows.order_by("piece_id", "day").values_list("pk", flat=True))
            by_gain: dict[tuple, list[int]] = {}
            for (pk, day), n in batch.items():
                by_gain.setdefault((day, n), []).append(pk)
            for (day, n), pks in by_gain.items():
                PieceViewDay.objects.filter(day=day, piece_id__in=pks).update(views=F("views") + n)
    except DATABASE_ERRORS as error:
        # The database out of reach (an outage, when cached pages go on counting views): one line, no traceback.
        logger.warning("Piece views lost: %d pieces' counts could not be written: %s", len(batch), error)
    except DatabaseError:
        logger.warning("Piece views lost: %d pieces' counts could not be written", len(batch), exc_info=True)
