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


def _names(relation, path):
    """The names of a piece's related rows as one text, for the search vector."""
    names = (
        relation.objects.filter(piece=OuterRef("pk"))
        .order_by()
        .values("piece")
        .annotate(names=StringAgg(path, delimiter=" "))
        .values("names")
    )
    return Coalesce(Subquery(names), Value(""), output_field=TextField())


def refresh_search_vectors(pieces=None):
    """
    Store the search vector of `pieces` (a queryset, or every piece) in one
    UPDATE; PostgreSQL only. Returns how many pieces were updated.
    """
    if not uses_full_text():
        return 0
    pieces = Piece.objects.all() if pieces is None else pieces
    return Piece.objects.filter(pk__in=pieces.values("pk")).update(search_vector=_vector())


def _vector():
    maker_name = Subquery(Artisan.objects.filter(pk=OuterRef("artisan_id")).values("name")[:1])
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector(maker_name, weight="B", config=SEARCH_CONFIG)
        + SearchVector(_names(PieceMaterial, "material__name"), weight="B", config=SEARCH_CONFIG)
        + SearchVector(_names(Piece.techniques.through, "technique__name"), weight="B", config=SEARCH_CONFIG)
        + SearchVector(_names(Piece.traditions.through, "tradition__name"), weight="B", config=SEARCH_CONFIG)
        + SearchVector("description", "design_story", weight="C", config=SEARCH_CONFIG)
    )


def _query(q):
    return SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
