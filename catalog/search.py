"""
Searching pieces with `q`.

On PostgreSQL: full-text search (django.contrib.postgres.search) over the
title, the maker's name, the materials, techniques and traditions, the
description and the design story, weighted in that order and ranked. On
SQLite, the development database, a simpler fallback: every word must appear
in one of those texts, and pieces whose title holds the whole query come first.
"""

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Subquery, TextField, Value, When
from django.db.models.functions import Coalesce

from .models import Piece, PieceMaterial

# Words beyond this many are ignored by the fallback: each adds a condition.
MAX_WORDS = 8
SEARCH_CONFIG = "english"


def uses_full_text():
    return connection.vendor == "postgresql"


def search_pieces(queryset, q):
    """The pieces matching `q` (no order applied)."""
    if uses_full_text():
        return queryset.alias(search=_vector()).filter(search=_query(q))
    for word in q.split()[:MAX_WORDS]:
        queryset = queryset.filter(_word_matches(word))
    return queryset


def rank_pieces(queryset, q):
    """Annotate `rank`: how well each piece matches `q` (higher is better)."""
    if uses_full_text():
        return queryset.annotate(rank=SearchRank(_vector(), _query(q)))
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


def _vector():
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("artisan__name", weight="B", config=SEARCH_CONFIG)
        + SearchVector(_names(PieceMaterial, "material__name"), weight="B", config=SEARCH_CONFIG)
        + SearchVector(_names(Piece.techniques.through, "technique__name"), weight="B", config=SEARCH_CONFIG)
        + SearchVector(_names(Piece.traditions.through, "tradition__name"), weight="B", config=SEARCH_CONFIG)
        + SearchVector("description", "design_story", weight="C", config=SEARCH_CONFIG)
    )


def _query(q):
    return SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
