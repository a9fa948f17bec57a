"""
Searching the listing with `q` (catalog.listing.search): on PostgreSQL the index's
postings find the same pieces as the SQL full-text query, with the same
counts and facet counts, in the "Best match" order the module documents, in
a fixed number of queries; hostile queries give a normal page. On SQLite the
fallback answers in SQL and the same tests hold.
"""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from artisans.tests.factories import ArtisanFactory
from catalog.choices import Availability, MaterialKind, PieceStatus
from catalog.listing import result
from catalog.listing.facets import FACETS, facet_counts
from catalog.listing.filters import PieceFilter, Sort, order_pieces
from catalog.listing.index import PieceIndex, current_index
from catalog.listing.result import IndexedResult
from catalog.listing.search import SearchPostings, parsed_query, uses_full_text
from catalog.listing.tests.test_piece_index import LISTING, METHODS, query
from catalog.models import Piece
from catalog.tests.factories import (
    CategoryFactory,
    MaterialFactory,
    PieceFactory,
    PieceMaterialFactory,
    TechniqueFactory,
)

pytestmark = pytest.mark.django_db
TITLE_WORDS = ["ring", "pendant", "earrings", "bracelet", "hammered", "signet", "hoop"]
TEXT_WORDS = ["gold", "silver", "pearl", "garnet", "oxidized", "hand-forged", "lost-wax", "sterling silver", "the"]
PRIVATE_WORD = "zanzibarite"  # only in unpublished pieces: never found

# Words, operators, phrases, hyphenated words, stop words: each compared with SQL.
QUERIES = [
    "gold",
    "ring",
    "silver ring",
    "gold or pearl",
    "ring -silver",
    "-gold",
    '"sterling silver"',
    '"silver sterling"',
    "hand-forged",
    '"hand-forged ring"',
    "lost-wax garnet or hoop",
    "Maker",
    "filigree",
    "the",
    PRIVATE_WORD,
]
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the postings are PostgreSQL's")
FILTERS = [{}, {"method": ["handcrafted"]}, {"metal": ["gold"], "availability": ["one_of_a_kind", "open_stock"]}]


def random_catalog(seed, size):
    """Pieces whose titles, descriptions, makers, materials and techniques hold the searched words at random."""
    rng = random.Random(seed)
    rings = CategoryFactory(name="Rings", slug="rings")
    metals = [MaterialFactory(name=name, slug=name.lower()) for name in ("Silver", "Gold", "Brass")]
    pearl = MaterialFactory(name="Pearl", slug="pearl", kind=MaterialKind.PEARL)
    filigree = TechniqueFactory(name="Filigree", slug="filigree")
    makers = [ArtisanFactory(), ArtisanFactory(name="Hoop and Signet")]
    now = timezone.now()
    for n in range(size):
        piece = PieceFactory(
            artisan=rng.choice(makers),
            category=rings,
            title=" ".join(rng.sample(TITLE_WORDS + TEXT_WORDS, rng.randint(1, 3))) + f" {n}",
            description=" ".join(rng.sample(TEXT_WORDS + TITLE_WORDS, rng.randint(0, 4)))
            + (f" {PRIVATE_WORD}" if n % 9 == 0 else ""),
            production_method=rng.choice(METHODS),
            availability=rng.choice([Availability.ONE_OF_A_KIND, Availability.OPEN_STOCK]),
            price=Decimal(rng.choice([40, 90, 250])),
            # Ties on the date: within a tier the id breaks them, as in the newest order.
            published_at=now - datetime.timedelta(days=rng.choice([1, 2, 2, 3])),
            status=PieceStatus.DRAFT if n % 9 == 0 else PieceStatus.PUBLISHED,
        )
        for metal in rng.sample(metals, rng.randint(0, 2)):
            PieceMaterialFactory(piece=piece, material=metal)
        if rng.random() < 0.3:
            PieceMaterialFactory(piece=piece, material=pearl, construction="", purity="")
        if rng.random() < 0.3:
            piece.techniques.add(filigree)


def ids(pieces):
    return [piece.pk for piece in pieces]


@pytest.mark.parametrize("size", [25, 90])
def test_results_counts_and_facet_counts_under_q_equal_sql(size):
    random_catalog(size, size)
    for q in QUERIES:
        for filters in FILTERS:
            filterset = PieceFilter(query({"q": q, **filters}), queryset=Piece.objects.published())
            result = IndexedResult(filterset)
            expected = set(filterset.qs.values_list("pk", flat=True))
            assert set(result.ids) == expected, (q, filters)
            assert result.count() == len(expected)
            in_sql = facet_counts(filterset.queryset_without)
            for facet in FACETS:
                counted = {value: count for value, count in result.facet_counts[facet.name].items() if count}
                expected_counts = {value: count for value, count in in_sql.get(facet.name, {}).items() if count}
                assert counted == expected_counts, (q, filters, facet.name)


@pytest.mark.parametrize("size", [25, 90])
def test_best_match_pages_come_in_the_sql_order(size):
    """The index's tiers and SQL's rank give the same pages (phrases aside: see catalog.listing.search)."""
    random_catalog(size + 1, size)
    for q in [q for q in QUERIES if '"' not in q]:
        filterset = PieceFilter(query({"q": q}), queryset=Piece.objects.published())
        expected = list(order_pieces(filterset.qs, sort=Sort.RELEVANCE, q=q).values_list("pk", flat=True))
        result = IndexedResult(filterset)
        for start, stop in [(0, 5), (5, 13), (10, 90)]:
            assert ids(result[start:stop]) == expected[start:stop], (q, start)


def test_best_match_puts_title_matches_first_then_names_then_texts_each_newest_first(client):
    now = timezone.now()
    older_title = PieceFactory(title="Garnet ring", published_at=now - datetime.timedelta(days=3))
    newer_title = PieceFactory(title="Garnet hoop", published_at=now - datetime.timedelta(days=2))
    in_text = PieceFactory(title="Plain band", description="A garnet set low.", published_at=now)
    in_names = PieceFactory(title="Plain cuff", published_at=now - datetime.timedelta(days=1))
    PieceMaterialFactory(piece=in_names, material=MaterialFactory(name="Garnet", slug="garnet"))
    PieceFactory(title="Silver band")
    found = list(client.get(LISTING, {"q": "garnet"}).context["object_list"])
    if uses_full_text():
        assert found == [newer_title, older_title, in_names, in_text]
    else:  # the fallback ranks the title's matches first, the rest newest first
        assert found == [newer_title, older_title, in_text, in_names]


def test_another_order_asked_for_replaces_best_match(client):
    cheap = PieceFactory(title="Plain band", description="Garnet", price=Decimal("20"))
    dear = PieceFactory(title="Garnet ring", price=Decimal("900"))
    assert list(client.get(LISTING, {"q": "garnet", "sort": "price"}).context["object_list"]) == [cheap, dear]
    assert list(client.get(LISTING, {"q": "garnet", "sort": "-price"}).context["object_list"]) == [dear, cheap]


@pytest.mark.parametrize("rows", [3, 30])
def test_a_search_costs_no_query_of_its_own_once_its_words_are_known(client, django_assert_max_num_queries, rows):
    for n in range(rows):
        PieceFactory(title=f"Garnet ring {n}", production_method=METHODS[n % 3])
    params = {"q": "garnet ring", "method": "handcrafted"}
    client.get(LISTING, params)  # builds the index, parses q, caches the cards
    # PostgreSQL: the page's cached cards' slugs and titles (q's parse is kept by the process, its match is in
    # memory). SQLite's fallback: the ids matching q, then the page ordered in SQL with its photos,
    # materials and steps.
    with django_assert_max_num_queries(1 if uses_full_text() else 5):
        response = client.get(LISTING, {**params, "availability": "one_of_a_kind"})
    assert response.context["paginator"].count == len(range(0, rows, 3))


@postgresql_only
def test_a_phrase_is_checked_by_postgresql_among_the_pieces_with_all_its_words(client, django_assert_max_num_queries):
    exact = PieceFactory(title="Sterling silver ring")
    PieceFactory(title="Silver ring", description="Sterling work.")  # both words, not the phrase
    client.get(LISTING, {"q": '"sterling silver"'})
    with django_assert_max_num_queries(2):  # the check and the page's cached cards
        response = client.get(LISTING, {"q": '"sterling silver"', "method": "handcrafted"})
    assert list(response.context["object_list"]) == [exact]


def test_a_phrase_with_many_candidates_is_checked_through_the_vectors_index(monkeypatch):
    random_catalog(13, 40)
    monkeypatch.setattr(result, "PHRASE_CHECKED_BY_ID", 0)
    for q in ['"sterling silver"', '"silver sterling"', '"hand-forged ring" or garnet', '-"sterling silver"']:
        filterset = PieceFilter(query({"q": q}), queryset=Piece.objects.published())
        assert set(IndexedResult(filterset).ids) == set(filterset.qs.values_list("pk", flat=True)), q


HOSTILE = [
    "x" * 200,
    "gold " * 40,
    "& | ! : * <-> ( ) ' \"",
    "gold & | silver !",
    "'gold' <-> 'ring':*",
    '"unclosed phrase gold',
    "<script>alert('ring')</script>",
    "ring%00; DROP TABLE catalog_piece; --",
    "the of and a",
    "émeraude «bague» 金 戒指 💍",
    "-",
    "or or or",
    "- - gold",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_give_a_normal_page_with_what_sql_finds(client, q):
    random_catalog(7, 20)
    response = client.get(LISTING, {"q": q})
    assert response.status_code == 200
    filterset = PieceFilter(query({"q": q}), queryset=Piece.objects.published())
    assert response.context["paginator"].count == filterset.qs.count()
    assert set(IndexedResult(filterset).ids) == set(filterset.qs.values_list("pk", flat=True))


def test_a_query_longer_than_allowed_is_left_out_and_said(client):
    PieceFactory(title="Garnet ring")
    response = client.get(LISTING, {"q": "garnet " * 40})
    assert response.status_code == 200
    assert response.context["paginator"].count == 1  # the whole listing: the filter was not applied
    assert response.context["filter"].ignored


# --- PostgreSQL: the postings themselves -------------------------------------------------------


@postgresql_only
def test_hyphenated_words_are_looked_up_whole_and_other_phrases_are_checked():
    assert parsed_query("hand-forged") == ("word", "hand-forg")
    assert parsed_query("one-of-a-kind") == ("word", "one-of-a-kind")
    assert parsed_query('"hand-forged ring"')[0] == "phrase"
    assert parsed_query("the of") is None
    assert parsed_query("gold -silver") == ("and", ("word", "gold"), ("not", ("word", "silver")))


@postgresql_only
def test_the_postings_follow_edits_like_a_fresh_build(client):
    random_catalog(11, 30)
    client.get(LISTING, {"q": "gold"})
    piece = Piece.objects.published().first()
    piece.title = "Moonstone signet"
    piece.save()
    piece.artisan.name = "Quillon studio"
    piece.artisan.save()
    Piece.objects.published().exclude(pk=piece.pk).last().delete()
    client.get(LISTING, {"q": "moonstone"})
    fresh = SearchPostings.build(Piece.objects.published())
    assert current_index().search.lexemes == fresh.lexemes
    makers_pieces = set(Piece.objects.published().filter(artisan=piece.artisan))
    assert set(client.get(LISTING, {"q": "quillon"}).context["object_list"]) == makers_pieces


@postgresql_only
def test_the_index_built_without_its_postings_reads_them_on_first_search():
    PieceFactory(title="Garnet ring")
    index = PieceIndex.build()
    assert index._search is None
    assert index.search.pieces("garnet")
