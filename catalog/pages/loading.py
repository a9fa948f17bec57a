"""
A public piece loaded for its page, and the pieces shown under "The other way
to own it", as `for_detail()` and `for_thumbnails()` load them and in as many
queries, each compiled by the ORM once per process (marketplace.compiled_query):
about 4 ms of the worker's time instead of 11 for the piece page's first
render (catalog.pages.sheets). Read from the primary, as what the page caches must be.

Part of the pages room: used by the sheets (catalog.pages.sheets) only.
"""

from collections import defaultdict

from artisans.models import Artisan
from catalog.models import Piece
from catalog.querysets import DETAIL_RELATED, THUMBNAIL_RELATED, card_photos, detail_sets, verified_certifications
from marketplace.compiled_query import CompiledQuery
from marketplace.db_router import PRIMARY

# Pieces shown under "The other way to own it".
OTHER_WAY = 4
# Values no piece has, which each query takes the pieces' in place of.
_SLUG, _IDS = "\0slug", tuple(range(-1, -OTHER_WAY - 1, -1))


def _rows_of(model, relation, rows):
    """(the rows' foreign key to `model`, or None through a many-to-many; the query of one instance's rows)."""
    field = model._meta.get_field(relation)
    lookup = field.related_query_name() if field.many_to_many else field.field.name
    query = CompiledQuery(lambda: rows.using(PRIMARY).filter(**{lookup: _IDS[0]}), _IDS[0])
    return (None if field.many_to_many else field.field), query


def _thumbnails_of(count):
    """(the query of `count` public pieces by id, the query of their photos)."""
    ids = _IDS[:count]
    published = Piece.objects.using(PRIMARY).published()
    pieces = CompiledQuery(lambda: published.select_related(*THUMBNAIL_RELATED).filter(pk__in=ids), *ids)
    photos = CompiledQuery(lambda: card_photos().using(PRIMARY).filter(piece__in=ids), *ids)
    return pieces, photos


_PIECE = CompiledQuery(
    lambda: Piece.objects.using(PRIMARY).published().select_related(*DETAIL_RELATED).filter(slug=_SLUG), _SLUG
)
_SETS = {relation: _rows_of(Piece, relation, rows) for relation, rows in detail_sets().items()}
_CERTIFICATIONS = _rows_of(Artisan, "certifications", verified_certifications())
_THUMBNAILS = {count: _thumbnails_of(count) for count in range(1, OTHER_WAY + 1)}
_PHOTOS_OWNER = Piece._meta.get_field("images").field


def published_piece(slug):
    """The public piece `slug` with everything its page shows, as `for_detail()` has it; None if there is none."""
    found = _PIECE.run(slug)
    if not found:
        return None
    [piece] = found
    for relation, (owner, query) in _SETS.items():
        _prefetched(piece, relation, _owned(query.run(piece.pk), owner, piece))
    owner, query = _CERTIFICATIONS
    piece.artisan.verified_certifications = _owned(query.run(piece.artisan_id), owner, piece.artisan)
    return piece


def public_thumbnails(ids):
    """The public pieces of `ids` (at most OTHER_WAY), in that order, as `for_thumbnails()` has them."""
    if not ids:
        return []
    pieces_query, photos_query = _THUMBNAILS[len(ids)]
    pieces = {piece.pk: piece for piece in pieces_query.run(*ids)}
    photos = defaultdict(list)
    for photo in photos_query.run(*ids):
        photos[photo.piece_id].append(photo)
    for pk, piece in pieces.items():
        _prefetched(piece, "images", _owned(photos[pk], _PHOTOS_OWNER, piece))
    return [pieces[pk] for pk in ids if pk in pieces]


def _prefetched(instance, relation, rows):
    """Leaves `rows` where prefetch_related would: in the relation's queryset, kept on `instance`."""
    queryset = getattr(instance, relation).all()
    queryset._result_cache, queryset._prefetch_done = rows, True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[relation] = queryset


def _owned(rows, owner, instance):
    """`rows`, each knowing `instance` as its `owner` (a foreign key) without a query, as prefetch_related does."""
    if owner is not None:
        for row in rows:
            owner.set_cached_value(row, instance)
    return rows
