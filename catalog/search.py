"""
Searching pieces with `q`.

On PostgreSQL: full-text search (django.contrib.postgres.search) over the
title, the maker's name, the materials, techniques and traditions, the
description and the design story, weighted in that order and ranked. The
vector is stored on the piece (`Piece.search_vector`, GIN-indexed) and
refreshed whenever one of those texts changes (catalog.signals). On
SQLite, the development database, a simpler fallback: every word must appear
in one of those texts, and pieces whose title holds the whole query come first.
"""

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Subquery, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from artisans.models import Artisan

from .models import Piece, PieceMaterial

# Words beyond this many are ignored by the fallback: each adds a condition.
MAX_WORDS = 8
SEARCH_CONFIG = "english"


def uses_full_text():
    return connection.vendor == "postgresql"


def search_pieces(queryset, q):
    """The pieces matching `q` (no order applied)."""
    if uses_full_text():
        return queryset.filter(search_vector=_query(q))
    for word in q.split()[:MAX_WORDS]:
        queryset = queryset.filter(_word_matches(word))
    return queryset


def rank_pieces(queryset, q):
    """Annotate `rank`: how well each piece matches `q` (higher is better)."""
    if uses_full_text():
        return queryset.annotate(rank=SearchRank(F("search_vector"), _query(q)))
    return queryset.annotate(
        rank=Case(When(title__icontains=q, then=Value(2)), default=Value(1), output_field=IntegerField())
    )


def _word_matches(word):
    return (
        Q(title__icontains=word)
        | Q(description__icontains=word)
        | Q(design_story__icontains=word)
        | Q(artisan__name__icontains=word)
        | Exists(PieceMaterial.objects.filter(piece=OuterRef("pk"), material__name__icontains=word))
        | Exists(Piece.techniques.through.objects.filter(piece=OuterRef("pk"), technique__name__icontains=word))
        | Exists(Piece.traditions.through.objects.filter(piece=OuterRef("pk"), tradition__name__icontains=word))
    )


# The related rows whose names are part of a piece's text: (model pointing at the piece, the name's path).
NAMED_RELATIONS = [
    (PieceMaterial, "material__name"),
    (Piece.techniques.through, "technique__name"),
    (Piece.traditions.through, "tradition__name"),
]


def _names_per_piece(relation, path):
    """The names of `relation`'s rows as one text per piece (in name order): columns `piece` and `names`."""
    return relation.objects.order_by().values("piece").annotate(names=StringAgg(path, delimiter=" ", order_by=path))


def refresh_search_vectors(pieces=None):
    """
    Store the search vector of `pieces` (a queryset, or every piece) in one
    UPDATE; PostgreSQL only. Returns how many pieces were updated.
    """
    if not uses_full_text():
        return 0
    if pieces is None:
        return _refresh_every_vector()
    maker_name = Subquery(Artisan.objects.filter(pk=OuterRef("artisan_id")).values("name")[:1])
    names = [
        Coalesce(
            Subquery(_names_per_piece(relation, path).filter(piece=OuterRef("pk")).values("names")),
            Value(""),
            output_field=TextField(),
        )
        for relation, path in NAMED_RELATIONS
    ]
    return Piece.objects.filter(pk__in=pieces.values("pk")).update(search_vector=_vector(maker_name, names))


def _refresh_every_vector():
    """
    Every piece's vector in one UPDATE joined to the names grouped per piece:
    one pass over each table (hash joins), where a subquery per piece costs
    most of a minute at 100,000 pieces.
    """
    joins, params = [], []
    for number, (relation, path) in enumerate(NAMED_RELATIONS):
        sql, names_params = _names_per_piece(relation, path).query.sql_with_params()
        joins.append(f"LEFT JOIN ({sql}) names_{number} ON names_{number}.piece = piece.id")
        params += names_params
    quote = connection.ops.quote_name
    piece_table, maker_table = quote(Piece._meta.db_table), quote(Artisan._meta.db_table)
    texts = (
        "SELECT piece.id, maker.name AS maker_name, "
        + ", ".join(f"names_{number}.names AS names_{number}" for number in range(len(NAMED_RELATIONS)))
        + f" FROM {piece_table} piece JOIN {maker_table} maker ON maker.id = piece.artisan_id "
        + " ".join(joins)
    )
    vector = _vector(
        RawSQL("texts.maker_name", []),
        [RawSQL(f"texts.names_{number}", []) for number in range(len(NAMED_RELATIONS))],
    )
    query = Piece.objects.all().query
    vector_sql, vector_params = vector.resolve_expression(query).as_sql(
        query.get_compiler(connection=connection), connection
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {piece_table} SET search_vector = {vector_sql} FROM ({texts}) texts "
            f"WHERE texts.id = {piece_table}.id",
            [*vector_params, *params],
        )
        return cursor.rowcount


def _vector(maker_name, names):
    """The weighted vector of a piece: its title, then its maker's and related rows' names, then its texts."""
    vector = SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        maker_name, weight="B", config=SEARCH_CONFIG
    )
    for text in names:
        vector += SearchVector(text, weight="B", config=SEARCH_CONFIG)
    return vector + SearchVector("description", "design_story", weight="C", config=SEARCH_CONFIG)


def _query(q):
    return SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
