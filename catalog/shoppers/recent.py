"""
The pieces a visitor recently opened: the last `RECENT_MAX` piece pages they saw, newest first,
shown on the piece page (without the piece itself) and on the listing's empty state.

Kept in a signed cookie of its own (`COOKIE_NAME`), not in the session: sessions here are
`cached_db` (or `db`), which write a row to the database whenever the session changes, and the
list changes on nearly every piece page. A cookie keeps the piece page a read: a view writes
nothing to the database (catalog/shoppers/tests/test_recent.py holds it to that). The cookie holds
piece ids only, signed with a salt of its own (`SALT`) so that no other signed value of the site
can pass for it; HttpOnly, SameSite=Lax, Secure when the session cookie is, kept a year.

What the cookie says is never trusted: a value that is tampered, unsigned, malformed or longer
than `COOKIE_MAX_CHARS` is read as an empty list; ids that are not numbers are dropped; ids of
pieces that are not (or no longer) public are dropped when the cards are loaded, since they are
loaded through `Piece.objects.published()`. Loading is the listing's cards
(`catalog.listing.pieces_for_cards`): no query when the cards are cached, four otherwise, whatever
the number of pieces (at most `RECENT_MAX`).

The piece page's ETag (catalog.pages.views.piece_etag) includes the cookie's value, so a 304 never
serves a stale row.

Part of the shoppers room: the piece page and the listing (catalog.pages.views) call
`recent_ids`, `recently_viewed` and `remember_view`.
"""

from django.conf import settings

from catalog.listing import pieces_for_cards
from catalog.models import Piece

COOKIE_NAME = "recently_viewed"
SALT = "catalog.shoppers.recent"
RECENT_MAX = 12
COOKIE_MAX_AGE = 365 * 24 * 3600
# 12 ids, their separators and the signature (value:timestamp:signature) fit in well under this.
COOKIE_MAX_CHARS = 400
_SEPARATOR = "."
_ID_MAX_DIGITS = 18  # a bigint's; longer is garbage, not an id


def cookie_value(request) -> str:
    """The cookie as the browser sent it (signed), "" if none: what the piece page's ETag includes."""
    return request.COOKIES.get(COOKIE_NAME, "")[:COOKIE_MAX_CHARS]


def recent_ids(request) -> list[int]:
    """The ids the visitor's cookie names, newest first, at most RECENT_MAX; [] for anything untrustworthy."""
    raw = request.COOKIES.get(COOKIE_NAME, "")
    if not raw or len(raw) > COOKIE_MAX_CHARS:
        return []
    # None when tampered, unsigned or past its age.
    value = request.get_signed_cookie(COOKIE_NAME, default=None, salt=SALT, max_age=COOKIE_MAX_AGE)
    if value is None:
        return []
    ids = []
    for part in value.split(_SEPARATOR):
        if part.isascii() and part.isdigit() and len(part) <= _ID_MAX_DIGITS and int(part) > 0:
            if int(part) not in ids:
                ids.append(int(part))
        if len(ids) == RECENT_MAX:
            break
    return ids


def recently_viewed(request, *, exclude: int | None = None) -> list[Piece]:
    """
    The public pieces the visitor opened last, newest first, without `exclude` (the page's own piece),
    ready for the `piece_cards` tag. No query when the cookie is empty or the cards are cached; four
    (the cards' load) otherwise, whatever the number.
    """
    ids = [pk for pk in recent_ids(request) if pk != exclude]
    if not ids:
        return []
    return pieces_for_cards(ids, Piece.objects.published())


def remember_view(request, response, *, piece_id: int) -> None:
    """Put `piece_id` first in the visitor's list on `response`; sets the cookie only when the list changes."""
    before = recent_ids(request)
    after = [piece_id, *(pk for pk in before if pk != piece_id)][:RECENT_MAX]
    if after == before and COOKIE_NAME in request.COOKIES:
        return
    response.set_signed_cookie(
        COOKIE_NAME,
        _SEPARATOR.join(str(pk) for pk in after),
        salt=SALT,
        max_age=COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
