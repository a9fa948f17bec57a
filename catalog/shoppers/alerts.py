"""
The email alerts of saved searches: which searches are due, which new pieces each one matches, the
one digest per shopper, and the signed links that stop them (`python manage.py send_alerts` runs
`alerts_send`; docs/deploy.md says how and what it guarantees).

A run:

1. reads the due searches (daily ones alerted up to at least `DUE_AFTER` ago, weekly ones
   likewise; never ones are never due) in one query, and the pieces published since the
   earliest of their `alerted_until`, up to the run's cutoff, in another;
2. matches them in memory, in the listing's index (`catalog.listing.selected_ids`): one parse
   and one intersection per distinct query string, then, per search, one intersection with
   the new pieces published after its own `alerted_until` (one bitmap per distinct moment);
3. loads the matched pieces once and renders each one's part of a digest once;
4. per group of shoppers (ALERT_SHOPPERS_PER_TRANSACTION, 100), in one transaction: locks their
   due searches (SKIP LOCKED where the database has it: a second run at the same time passes them
   by), reads `alerted_until` again, queues one digest per shopper in the outbox (catalog.outbox:
   each email is a row of that same transaction), and moves every due search's `alerted_until` to
   the cutoff, also when nothing matched (no email then). A digest that fails makes the group run
   again one shopper per transaction: only that shopper waits for the next run.

So a run is idempotent (run twice, the second finds nothing due, or nothing new) and safe to
interrupt (the digests and the move of the searches commit together or not at all: killed and
run again, no piece is sent twice for a search and none is lost). A group rather than a shopper
per transaction: seven round trips to the database per shopper made 100,000 searches take over
three minutes (bench/README.md, "Saved searches' alerts").
"""

from __future__ import annotations

import heapq
import logging
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from pyroaring import BitMap

from catalog.listing import current_index, selected_ids, wait_for_rebuild
from catalog.models import Piece
from catalog.models.people import NEUTRAL_NAME, public_name
from catalog.models.shoppers import AlertFrequency, SavedSearch

log = logging.getLogger(__name__)

# How long after its last digest a search is due again. A little under the period, so that a
# cron run at the same hour every day (or week) finds it due although the previous run's cutoff
# was taken a few seconds after that hour.
DUE_AFTER = {
    AlertFrequency.DAILY: timedelta(hours=23),
    AlertFrequency.WEEKLY: timedelta(days=6, hours=23),
}

# The run considers pieces published up to this long before it starts, not up to "now": a piece's
# `published_at` is set inside the transaction that publishes it, which may commit seconds later
# (a bulk publish, an import). A piece stamped just before the run but committed just after would
# be invisible to this run and, with a cutoff at "now", behind every search's `alerted_until` in
# the next: never sent. With the cutoff a minute back, the next run still covers it.
CUTOFF_LAG = timedelta(seconds=60)

UNSUBSCRIBE_SALT = "catalog.shoppers.alerts.unsubscribe"


@dataclass
class AlertRun:
    """What a run did, for the command's output and the benchmark."""

    cutoff: object = None
    due: int = 0  # due searches read at the start
    new_pieces: int = 0  # pieces published in the window of the earliest due search
    queries: int = 0  # distinct query strings matched
    shoppers: int = 0  # shoppers whose searches were moved on
    searches: int = 0  # searches moved on
    matched: int = 0  # searches with at least one new piece in a digest
    emails: int = 0  # digests queued
    failed: list = field(default_factory=list)  # shoppers whose digest failed (logged; their searches not moved)


def due_condition(now):
    """The saved searches due at `now`: daily or weekly ones whose last digest is that old."""
    return Q(shopper__is_active=True) & (
        Q(frequency=AlertFrequency.DAILY, alerted_until__lte=now - DUE_AFTER[AlertFrequency.DAILY])
        | Q(frequency=AlertFrequency.WEEKLY, alerted_until__lte=now - DUE_AFTER[AlertFrequency.WEEKLY])
    )


# --- Signed unsubscribe links ----------------------------------------------------------------


class BadToken(Exception):
    """An unsubscribe token that was tampered with, cut short or is too old."""


def unsubscribe_token(*, shopper_id: int, search_id: int | None = None) -> str:
    """A token naming the shopper (and one of their searches, for "Stop these alerts"), signed and dated."""
    payload = {"u": shopper_id} if search_id is None else {"u": shopper_id, "s": search_id}
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, int | None]:
    """(shopper id, search id or None) of a token made by `unsubscribe_token`, or BadToken."""
    max_age = timedelta(days=settings.ALERT_UNSUBSCRIBE_MAX_AGE_DAYS)
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError) as error:  # SignatureExpired is a BadSignature
        raise BadToken(str(error)) from error
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise BadToken("unexpected payload")
    search = payload.get("s")
    if search is not None and not isinstance(search, int):
        raise BadToken("unexpected payload")
    return payload["u"], search


def unsubscribe_url(*, shopper_id: int, search_id: int | None = None) -> str:
    return _Links().unsubscribe(shopper_id, search_id)


class _Links:
    """The absolute addresses a digest links to, each reversed once per run rather than once per link."""

    def __init__(self):
        self.listing = settings.SITE_URL + reverse("catalog:piece_list")
        self.searches = settings.SITE_URL + reverse("shoppers:searches")
        self._unsubscribe = settings.SITE_URL + reverse("shoppers:unsubscribe", kwargs={"token": "TOKEN"})

    def unsubscribe(self, shopper_id, search_id=None):
        return self._unsubscribe.replace("TOKEN", unsubscribe_token(shopper_id=shopper_id, search_id=search_id))


# --- The run ---------------------------------------------------------------------------------


def alerts_send(*, now=None, shoppers_per_transaction=None) -> AlertRun:
    """
    Queue one digest per shopper with due searches (module docstring). Queries: a fixed number
    for the run (the due searches, the new pieces, their cards, the shoppers; the index when it
    must be built), then per transaction of `shoppers_per_transaction` shoppers (the setting
    ALERT_SHOPPERS_PER_TRANSACTION by default) 6 (their locked searches, the outbox's savepoint,
    the move, the commit) and one per digest, whatever the number of searches and new pieces.
    """
    now = now or timezone.now()
    run = AlertRun(cutoff=now - CUTOFF_LAG)
    due = due_condition(now)
    rows = list(
        SavedSearch.objects.filter(due, alerted_until__lt=run.cutoff)
        .order_by("shopper_id", "pk")
        .values_list("pk", "shopper_id", "query", "alerted_until")
    )
    run.due = len(rows)
    if not rows:
        return run
    earliest = min(row[3] for row in rows)
    window = _NewPieces.read(earliest, run.cutoff)
    run.cutoff, run.new_pieces = window.cutoff, len(window.ids)
    matches = window.matching({row[2] for row in rows})
    run.queries = len(matches)
    wanted = BitMap()
    for found in matches.values():
        wanted |= found
    parts = _PieceParts.of(wanted, window)
    digests = _Digests(due=due, cutoff=run.cutoff, window=window, matches=matches, parts=parts, links=_Links())
    by_shopper = defaultdict(list)
    for pk, shopper_id, *_ in rows:
        by_shopper[shopper_id].append(pk)
    shoppers = get_user_model().objects.select_related("profile").in_bulk(list(by_shopper))
    batch = max(1, shoppers_per_transaction or settings.ALERT_SHOPPERS_PER_TRANSACTION)
    ids = [shopper_id for shopper_id in by_shopper if shopper_id in shoppers]  # a shopper deleted since: skipped
    for start in range(0, len(ids), batch):
        group = {shoppers[shopper_id]: by_shopper[shopper_id] for shopper_id in ids[start : start + batch]}
        try:
            done = digests.queue(group)
        except Exception:
            if len(group) == 1:
                done = _failed(run, group)
            else:
                # Someone's digest failed and took the group's transaction with it: the group again, one
                # shopper per transaction, so that only the failing shopper waits for the next run.
                done = []
                for shopper, search_ids in group.items():
                    try:
                        done += digests.queue({shopper: search_ids})
                    except Exception:
                        done += _failed(run, {shopper: search_ids})
        for moved, listed in done:
            run.shoppers += 1
            run.searches += moved
            run.matched += listed
            run.emails += bool(listed)
    return run


def _failed(run, group):
    # A failure (a mail row that cannot be written, say) leaves that shopper's searches as they were, for
    # the next run, and does not keep the others from their digests.
    for shopper in group:
        log.exception("alerts: the digest of shopper %s failed; their searches wait for the next run", shopper.pk)
        run.failed.append(shopper.pk)
    return []


@dataclass
class _Digests:
    """What a run knows once it has matched: it queues the digests of a group of shoppers, in one transaction."""

    due: Q
    cutoff: object
    window: _NewPieces
    matches: dict
    parts: _PieceParts
    links: _Links

    def queue(self, group):
        """
        {shopper: [due search ids]} → [(searches moved, searches listed)] per shopper whose searches
        were due still. One transaction: the searches locked and read again, the digests queued in
        the outbox, every due search moved to the cutoff; all of it or nothing.
        """
        done, messages = [], []
        with transaction.atomic():
            locking = {"skip_locked": True} if connection.features.has_select_for_update_skip_locked else {}
            locked = (
                SavedSearch.objects.select_for_update(**locking)
                .filter(self.due, pk__in=[pk for ids in group.values() for pk in ids], alerted_until__lt=self.cutoff)
                .order_by("shopper_id", "created_at", "pk")
            )
            # Read again under the lock: another run may have moved a search on since the first read,
            # or the shopper turned its alerts off. A search behind the window read at the start
            # (none should be: `alerted_until` only moves forward) is left for the next run, whole.
            by_shopper = defaultdict(list)
            for search in locked:
                if search.alerted_until >= self.window.since:
                    by_shopper[search.shopper_id].append(search)
            moved = []
            for shopper in group:
                searches = by_shopper.get(shopper.pk)
                if not searches:
                    continue
                sections, pieces = [], BitMap()
                for search in searches:
                    found = self.matches.get(search.query, BitMap()) & self.window.after(search.alerted_until)
                    if found:
                        sections.append(_section(search, found, self.window, self.parts, self.links))
                        pieces |= found
                if sections and shopper.email:
                    # The subject counts pieces, not sections: a piece two searches match is one new piece.
                    messages.append(_digest(shopper=shopper, sections=sections, count=len(pieces), links=self.links))
                moved += [search.pk for search in searches]
                done.append((len(searches), len(sections) if shopper.email else 0))
            if messages:
                get_connection().send_messages(messages)  # the outbox: rows of this transaction
            if moved:
                SavedSearch.objects.filter(pk__in=moved).update(alerted_until=self.cutoff)
        return done


class _NewPieces:
    """The pieces published in (since, cutoff], newest last, and which of them each query matches."""

    def __init__(self, since, cutoff, rows, index):
        self.since, self.cutoff, self.index = since, cutoff, index
        self.published = [at for _, at in rows]
        self.order = [pk for pk, _ in rows]
        self.rank = {pk: position for position, pk in enumerate(self.order)}  # later published, higher
        self.ids = BitMap(self.order)
        self._after = {}

    @classmethod
    def read(cls, since, cutoff):
        rows = list(
            Piece.objects.published()
            .filter(published_at__gt=since, published_at__lte=cutoff)
            .order_by("published_at", "pk")
            .values_list("pk", "published_at")
        )
        index = current_index()
        if index.behind_since is not None:  # a rebuild after a change to everything is under way: wait for it
            wait_for_rebuild()
            index = current_index()
        missing = [(pk, at) for pk, at in rows if pk not in index.universe]
        if missing:
            # A piece the index does not show yet cannot be matched: the cutoff stops just before the
            # first of them, so the next run considers it rather than this one skipping it.
            first = min(at for _, at in missing)
            log.warning(
                "alerts: %s new pieces are not in the listing's index yet; cutoff moved to %s", len(missing), first
            )
            cutoff = first - timedelta(microseconds=1)
            rows = [(pk, at) for pk, at in rows if at <= cutoff]
        return cls(since, cutoff, rows, index)

    def matching(self, queries):
        """{query: BitMap of the new pieces the listing at that query shows}."""
        if not self.ids:
            return {query: BitMap() for query in queries}
        return {query: ids & self.ids for query, ids in selected_ids(queries, index=self.index).items()}

    def after(self, moment):
        """The new pieces published after `moment`: one bitmap per distinct moment (a run's searches share few)."""
        if moment not in self._after:
            self._after[moment] = BitMap(self.order[bisect_right(self.published, moment) :])
        return self._after[moment]


class _PieceParts:
    """Each matched piece's part of a digest (HTML and text), rendered once for every digest that lists it."""

    def __init__(self, parts):
        self.parts = parts

    @classmethod
    def of(cls, ids, window):
        if not ids:
            return cls({})
        pieces = Piece.objects.published().filter(pk__in=list(ids)).for_cards()
        parts = {}
        for piece in pieces:
            context = {"piece": piece, "url": settings.SITE_URL + piece.get_absolute_url(), "photo": _photo_url(piece)}
            parts[piece.pk] = (
                mark_safe(render_to_string("emails/_alert_piece.html", context)),  # noqa: S308 (our template's output)
                render_to_string("emails/_alert_piece.txt", context),
            )
        return cls(parts)

    def get(self, pk):
        return self.parts.get(pk)


def _photo_url(piece):
    """The absolute address of the piece's small photo, or "" without one."""
    cover = piece.cover
    if cover is None:
        return ""
    try:
        url = cover.image_thumb.url
    except Exception:  # a rendition that cannot be named (a storage outage): the digest goes without the photo
        log.warning("alerts: no photo address for piece %s", piece.pk, exc_info=True)
        return ""
    return url if urlsplit(url).scheme else settings.SITE_URL + url


@dataclass(frozen=True)
class _Section:
    name: str
    listing_url: str
    stop_url: str
    count: int  # the new pieces the search matched
    shown: int  # of which listed, newest first: at most ALERT_PIECES_PER_SEARCH
    html: str  # the listed pieces' parts, joined (rendered once per run: _PieceParts)
    text: str

    @property
    def more(self):
        return self.count - self.shown


def _section(search, found, window, parts, links):
    newest = heapq.nlargest(settings.ALERT_PIECES_PER_SEARCH, found, key=window.rank.__getitem__)
    shown = [part for pk in newest if (part := parts.get(pk))]
    listing = links.listing + (f"?{search.query}" if search.query else "")
    return _Section(
        name=search.name,
        listing_url=listing,
        stop_url=links.unsubscribe(search.shopper_id, search.pk),
        count=len(found),
        shown=len(shown),
        html=mark_safe("".join(html for html, _ in shown)),  # noqa: S308 (our templates' output, escaped there)
        text="".join(text for _, text in shown),
    )


def _digest(*, shopper, sections, count, links):
    """The digest of one shopper, with RFC 8058's one-click unsubscribe (queued by the caller, in its transaction)."""
    everything = links.unsubscribe(shopper.pk)
    context = {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "name": "" if (name := public_name(shopper)) == NEUTRAL_NAME else name,
        "sections": sections,
        "count": count,
        "unsubscribe_url": everything,
        "searches_url": links.searches,
    }
    subject = " ".join(render_to_string("emails/search_alert_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/search_alert_message.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[shopper.email],
        headers={"List-Unsubscribe": f"<{everything}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string("emails/search_alert_message.html", context), "text/html")
    return message
