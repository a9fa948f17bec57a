"""
What the piece page and the comparison show of a piece, rendered once per
piece and catalog version and kept in the cache (as catalog.listing.cards keeps cards).

The piece page is the same for every visitor but for the header (account,
compare tray), the messages and the compare button with its CSRF token. The
rest, the piece's sheet (photos, wall label, sections, the maker, "the other
way to own it", and the head's canonical link, link previews and JSON-LD), is
rendered without the request, so that nothing of a visitor can get into it,
and cached; the page template draws the visitor's parts around it. A visit
whose sheet is cached reads the catalog's version and the sheet (two cache
reads) and makes no query.

Every write to the catalog moves its version on (catalog.signals, and the
services that update in bulk), so no sheet outlives a change: a piece edited
is rendered again, and a piece hidden, unpublished or deleted, or whose maker
is suspended, is looked up again and is a 404. What is cached is read from the
primary, never from a replica (marketplace.db_router) that may not have the
change yet: it would be kept under the new version until the next write.

A comparison's columns (catalog.pages.compare.Column) are kept the same way, one per
piece; a piece page rendered stores its piece's column too, as it has the piece
loaded with everything the column reads.

Part of the pages room: the piece page and compare views (catalog.pages.views) call `piece_sheet`
and `compare_columns`.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from catalog.listing import index_through
from catalog.models import Piece
from catalog.pages import compare
from catalog.pages import loading as detail
from catalog.pages.loading import OTHER_WAY
from catalog.pages.seo import page_description, page_title, product_structured_data
from catalog.versions import catalog_version, request_catalog_version
from marketplace.db_router import replica_reads

SHEET_TEMPLATE = "catalog/partials/_piece_sheet.html"
HEAD_TEMPLATE = "catalog/partials/_piece_head.html"
# Where the sheet leaves room for the visitor's compare button (maker text is escaped: it cannot hold this).
VISITOR_ACTIONS = mark_safe("<!-- visitor actions -->")
TIMEOUT = 24 * 3600


@dataclass(frozen=True)
class PieceSheet:
    """A piece page's parts that depend only on the catalog, and what is drawn around them."""

    pk: int
    slug: str
    title: str
    maker_user_id: int | None  # the maker's own views are not counted (catalog.pages.view_counts)
    page_title: str
    page_description: str
    head: SafeString
    top: SafeString  # the sheet up to the visitor's actions
    bottom: SafeString  # and after them


def _prefix(version):
    return f"catalog:piece:{settings.RELEASE}:{version}"


def _sheet_key(prefix, request, slug):
    # The head's links are absolute: one sheet per address the site is reached at.
    origin = hashlib.blake2b(f"{request.scheme}://{request.get_host()}".encode(), digest_size=6).hexdigest()
    return f"{prefix}:sheet:{origin}:{slug}"


def _column_key(prefix, slug):
    return f"{prefix}:column:{slug}"


def piece_sheet(request, slug):
    """
    The sheet of the public piece `slug`, from the cache; else rendered from
    the piece loaded as `for_detail()` loads it (catalog.pages.loading) and "the
    other way to own it" (10 queries), and cached with the piece's compare
    column. Http404 if no public piece has this slug.
    """
    version = request_catalog_version(request)
    prefix = _prefix(version)
    key = _sheet_key(prefix, request, slug)
    sheet = cache.get(key)
    if sheet is None:
        with replica_reads(allowed=False):
            piece = detail.published_piece(slug)
            if piece is None:
                raise Http404("No public piece has this address.")
            sheet = _render_sheet(request, piece, _made_the_other_way(piece, version))
        cache.set_many({key: sheet, _column_key(prefix, slug): compare.column(piece)}, timeout=TIMEOUT)
    return sheet


def _made_the_other_way(piece, version):
    """
    "The other way to own it", OTHER_WAY pieces: their ids from the worker's
    listing index if it shows every change up to `version` (the sheet's), else
    found in SQL (a worker with no index yet, or whose index the listing has
    not yet brought up to date).
    """
    index = index_through(version)
    if index is None:
        return list(Piece.objects.published().made_the_other_way(piece).for_thumbnails()[:OTHER_WAY])
    return detail.public_thumbnails(index.made_the_other_way(piece, OTHER_WAY))


def _render_sheet(request, piece, other_way):
    canonical = request.build_absolute_uri(piece.get_absolute_url())
    context = {
        "piece": piece,
        "canonical": canonical,
        "structured_data": product_structured_data(piece, request),
        "other_way": other_way,
        "visitor_actions": VISITOR_ACTIONS,
    }
    top, slot, bottom = render_to_string(SHEET_TEMPLATE, context).partition(VISITOR_ACTIONS)
    if not slot:
        raise ImproperlyConfigured(f"{SHEET_TEMPLATE} must show {{{{ visitor_actions }}}} where the compare button is.")
    return PieceSheet(
        pk=piece.pk,
        slug=piece.slug,
        title=piece.title,
        maker_user_id=piece.artisan.user_id,
        page_title=page_title(piece),
        page_description=page_description(piece),
        head=mark_safe(render_to_string(HEAD_TEMPLATE, context)),
        top=mark_safe(top),
        bottom=mark_safe(bottom),
    )


def compare_columns(slugs):
    """
    {slug: Column} for the public pieces among `slugs`: from the cache, the
    others loaded with `for_detail()` (8 queries, whatever their number) and
    cached. Slugs of no public piece are left out.
    """
    prefix = _prefix(catalog_version())
    keys = {slug: _column_key(prefix, slug) for slug in slugs}
    found = cache.get_many(list(keys.values()))
    columns = {slug: found[key] for slug, key in keys.items() if key in found}
    missing = [slug for slug in slugs if slug not in columns]
    if missing:
        with replica_reads(allowed=False):
            pieces = Piece.objects.published().filter(slug__in=missing).for_detail()
            loaded = {piece.slug: compare.column(piece) for piece in pieces}
        if loaded:
            cache.set_many({keys[slug]: column for slug, column in loaded.items()}, timeout=TIMEOUT)
        columns.update(loaded)
    return columns
