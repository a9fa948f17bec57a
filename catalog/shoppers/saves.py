"""
Saved pieces: the writes (`piece_save`, `session_piece_save`, `saved_pieces_join`) and the reads
(`saved_ids`: which pieces this visitor saved, one query a request at most).

A signed-in shopper's saves are `SavedPiece` rows; a visitor who is not signed in keeps theirs in
the session, a list of piece ids, newest first, capped at `settings.SESSION_SAVES_MAX`, which joins
their account when they sign in or sign up (`session_saves_join`, connected to `user_logged_in` by
catalog.signals). Every write says the state it wants (saved or not), so a stale second tab pressing
"Save" saves again rather than un-saving, and the once-only constraint makes two tabs saving at the
same moment one row.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import Piece, SavedPiece

# The session key of an anonymous visitor's saves: a list of piece ids, newest first.
SESSION_KEY = "shoppers:saved"
# The request attribute the visitor's saved state is memoised on.
_MEMO = "_shoppers_saved"


@transaction.atomic
def piece_save(*, shopper, piece: Piece, saved: bool) -> bool:
    """
    Save `piece` for `shopper`, or take it out of their saves; the state wanted, not a toggle, so
    the same call twice changes nothing more. Returns whether the piece is now saved.
    """
    if saved:
        # ON CONFLICT DO NOTHING: two tabs (or two workers) saving at once make one row and no
        # error, and the first save keeps its moment, which orders /saved/.
        SavedPiece.objects.bulk_create([SavedPiece(shopper=shopper, piece=piece)], ignore_conflicts=True)
    else:
        SavedPiece.objects.filter(shopper=shopper, piece=piece).delete()
    return saved


def session_saved_ids(session) -> list[int]:
    """The piece ids an anonymous visitor saved, newest first; a tampered value reads as none."""
    raw = session.get(SESSION_KEY, [])
    if not isinstance(raw, list):
        return []
    return [value for value in raw if isinstance(value, int) and not isinstance(value, bool)]


def session_piece_save(*, session, piece: Piece, saved: bool) -> bool:
    """
    The same as `piece_save` for a visitor who is not signed in, in their session: the newest
    first, at most `SESSION_SAVES_MAX` (the oldest go first). Returns whether the piece is now saved.
    """
    ids = [pk for pk in session_saved_ids(session) if pk != piece.pk]
    if saved:
        ids.insert(0, piece.pk)
    session[SESSION_KEY] = ids[: settings.SESSION_SAVES_MAX]
    return saved


@transaction.atomic
def saved_pieces_join(*, shopper, piece_ids: list[int]) -> int:
    """
    Add the pieces of `piece_ids` (newest first, as the session keeps them) to `shopper`'s saves,
    keeping their order; ids whose piece is gone are left out, pieces already saved keep their row.
    Returns how many ids named a piece. One transaction: all of them join, or none.
    """
    existing = set(Piece.objects.filter(pk__in=piece_ids).values_list("pk", flat=True))
    now = timezone.now()
    rows = [
        # A microsecond apart, oldest last, so /saved/ shows them in the order they were saved.
        SavedPiece(shopper=shopper, piece_id=pk, saved_at=now - timedelta(microseconds=index))
        for index, pk in enumerate(dict.fromkeys(piece_ids))
        if pk in existing
    ]
    SavedPiece.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def session_saves_join(sender, request, user, **kwargs):
    """
    `user_logged_in`: the saves kept in the session before signing in (or up: allauth signs the
    new shopper in once their address is confirmed) join the account, and leave the session.
    """
    if request is None or not hasattr(request, "session"):
        return
    if ids := session_saved_ids(request.session):
        saved_pieces_join(shopper=user, piece_ids=ids)
    request.session.pop(SESSION_KEY, None)
    request.__dict__.pop(_MEMO, None)


def saved_ids(request) -> frozenset:
    """
    The ids of the pieces this visitor saved, read once per request and memoised on it: one query
    for a signed-in shopper, none for the session. Called only by what draws a button (and the piece
    page's ETag), so a page without one costs nothing.
    """
    if (ids := request.__dict__.get(_MEMO)) is None:
        if request.user.is_authenticated:
            rows = SavedPiece.objects.filter(shopper=request.user).order_by()
            ids = frozenset(rows.values_list("piece_id", flat=True))
        else:
            ids = frozenset(session_saved_ids(request.session))
        request.__dict__[_MEMO] = ids
    return ids


def saved_marker(request) -> str:
    """
    What of the visitor's saves a page with save buttons depends on, for its ETag: all of them, from
    the same read the buttons make (no query more). A little more than the piece's own button needs,
    but right whichever cards the page draws buttons on.
    """
    return ",".join(map(str, sorted(saved_ids(request))))


def is_saved(request, piece) -> bool:
    """Whether this visitor saved the piece (a Piece, or anything with its `pk`)."""
    return piece.pk in saved_ids(request)


def forget_saved(request) -> None:
    """Drop the memo after a write, so the rest of the request reads the new state."""
    request.__dict__.pop(_MEMO, None)
