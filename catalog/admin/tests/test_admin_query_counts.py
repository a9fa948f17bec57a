"""The catalog admin's pages cost a fixed number of queries, and a large piece list is counted by an estimate."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from artisans.tests.factories import ArtisanFactory
from catalog.admin.pieces import EstimatedCountPaginator, PieceAdmin
from catalog.admin.tests.admin_helpers import admin_url, documented_piece
from catalog.choices import PieceStatus, ProductionStepKind
from catalog.models import Piece
from catalog.tests.factories import (
    CategoryFactory,
    CertificationFactory,
    CollectionFactory,
    CollectionPieceFactory,
    MaterialFactory,
    PersonalizationOptionFactory,
    PieceFactory,
    PieceImageFactory,
    PieceMaterialFactory,
    ProductionStepFactory,
    StyleFactory,
    TechniqueFactory,
    TraditionFactory,
)

pytestmark = pytest.mark.django_db


# --- Query counts -------------------------------------------------------------------
# Each admin page is measured at two sizes, the second three times the first; the
# same bound holds for both, so the cost does not grow with the rows shown.

# Every admin request opens a savepoint and releases it (ATOMIC_REQUESTS: 2), and
# reads the session and the signed-in user (2).
REQUEST = 4
# The filters' choices (categories, metals, certifications: 3), the count of the
# filtered list and of all pieces (2), the page's ids (1), its pieces with maker
# and category (1), their product photos (1).
PIECE_LIST_QUERIES = REQUEST + 3 + 2 + 1 + 1 + 1
# The piece with maker, category and who raised its evidence (1); each of its
# many-to-many fields' values and their labels (3 x 2); the labels of the maker
# and the category autocompletes (2); the rows of the four inlines (4); the
# content type for the history link (1, once per process).
PIECE_CHANGE_QUERIES = REQUEST + 1 + 6 + 2 + 4 + 1
# The two counts (2) and the collections with their piece counts (1).
COLLECTION_LIST_QUERIES = REQUEST + 2 + 1
# The collection (1), its entries with their pieces (1), the content type (1).
COLLECTION_CHANGE_QUERIES = REQUEST + 1 + 1 + 1
# The two counts (2), the makers with their piece counts (1), the countries of the filter (1).
ARTISAN_LIST_QUERIES = REQUEST + 2 + 1 + 1


def analyze_pieces():
    """Refresh PostgreSQL's row estimate of the piece table, as autovacuum would (nothing to do elsewhere)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_piece")


def test_a_large_unfiltered_piece_list_is_counted_by_postgresqls_estimate_a_filtered_one_exactly(
    admin_client, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_UP_TO", 2)  # "large": more than 2 pieces
    PieceFactory.create_batch(4)
    analyze_pieces()
    PieceFactory.create_batch(2, status=PieceStatus.HIDDEN)  # not in the estimate until the next ANALYZE

    with django_assert_max_num_queries(PIECE_LIST_QUERIES):
        page = admin_client.get(admin_url(Piece, "changelist"))
    unfiltered = page.context["cl"]
    hidden_page = admin_client.get(admin_url(Piece, "changelist"), {"status__exact": PieceStatus.HIDDEN})
    searched = admin_client.get(admin_url(Piece, "changelist"), {"q": "ring"}).context["cl"]

    paginator = page_text(page)
    if connection.vendor == "postgresql":
        assert unfiltered.result_count == 4
        assert "about 4 pieces" in paginator  # an estimate says so
    else:
        assert unfiltered.result_count == 6
        assert "6 pieces" in paginator and "about" not in paginator
    assert len(unfiltered.result_list) == 6  # the rows themselves are all there
    assert hidden_page.context["cl"].result_count == 2
    assert "2 pieces" in page_text(hidden_page) and "about" not in page_text(hidden_page)
    assert searched.result_count == 6


def page_text(response):
    """The list's paginator line, white space folded."""
    paginator = response.content.decode().split('<p class="paginator">', 1)[1].split("</p>", 1)[0]
    return " ".join(paginator.split())


def test_a_small_unfiltered_piece_list_is_counted_exactly(admin_client):
    PieceFactory.create_batch(3)
    analyze_pieces()
    PieceFactory.create_batch(2)

    assert admin_client.get(admin_url(Piece, "changelist")).context["cl"].result_count == 5


@pytest.mark.parametrize(
    "params",
    [{}, {"p": "2"}, {"p": "3"}, {"o": "-6", "p": "2"}, {"o": "3"}, {"status__exact": PieceStatus.PUBLISHED, "p": "2"}],
    ids=["first", "second", "last", "price-descending", "by-maker", "filtered"],
)
def test_each_page_of_the_piece_list_holds_the_rows_of_its_place_in_the_lists_order(admin_client, monkeypatch, params):
    monkeypatch.setattr(PieceAdmin, "list_per_page", 3)
    now = timezone.now()
    for n in range(8):
        PieceFactory(
            artisan=ArtisanFactory(name=f"Maker {n % 3}"),
            price=Decimal(10 + n % 4),
            published_at=None if n == 5 else now - timedelta(days=n % 3),
            status=PieceStatus.HIDDEN if n == 2 else PieceStatus.PUBLISHED,
        )
    cl = admin_client.get(admin_url(Piece, "changelist"), params).context["cl"]
    bottom = (int(params.get("p", 1)) - 1) * 3
    assert [piece.pk for piece in cl.result_list] == [piece.pk for piece in cl.queryset[bottom : bottom + 3]]
    assert len(cl.result_list) == min(3, cl.result_count - bottom)
    assert all(piece.artisan.name.startswith("Maker") for piece in cl.result_list)


@pytest.mark.parametrize("rows", [3, 9])
def test_the_piece_list_costs_the_same_queries_for_3_or_9_pieces(admin_client, django_assert_max_num_queries, rows):
    for _ in range(rows):
        documented_piece(artisan=ArtisanFactory(), category=CategoryFactory())

    with django_assert_max_num_queries(PIECE_LIST_QUERIES):
        response = admin_client.get(admin_url(Piece, "changelist"))

    assert len(response.context["cl"].result_list) == rows


@pytest.mark.parametrize("rows", [2, 6])
def test_the_piece_change_page_costs_the_same_queries_for_2_or_6_rows_per_inline(
    admin_client, django_assert_max_num_queries, rows
):
    piece = PieceFactory()
    piece.techniques.set([TechniqueFactory()])
    piece.traditions.set([TraditionFactory()])
    piece.styles.set([StyleFactory()])
    steps = list(ProductionStepKind)[:rows]
    for position, step in enumerate(steps):
        ProductionStepFactory(piece=piece, step=step, position=position)
        PieceImageFactory(piece=piece, position=position, is_process_photo=position % 2 == 1)
        PieceMaterialFactory(
            piece=piece,
            material=MaterialFactory(),
            certification=CertificationFactory(),
            position=position,
        )
    for kind in ["engraving", "sizing", "metal_choice", "stone_choice", "custom_design"][: rows - 1]:
        PersonalizationOptionFactory(piece=piece, kind=kind, max_characters=10)

    with django_assert_max_num_queries(PIECE_CHANGE_QUERIES):
        response = admin_client.get(admin_url(Piece, "change", piece.pk))

    assert response.status_code == 200
    assert len(response.context["inline_admin_formsets"][1].formset.forms) == rows


@pytest.mark.parametrize("rows", [3, 9])
def test_the_collection_list_costs_the_same_queries_for_3_or_9_collections(
    admin_client, django_assert_max_num_queries, rows
):
    for collection in CollectionFactory.create_batch(rows):
        CollectionPieceFactory.create_batch(2, collection=collection)

    with django_assert_max_num_queries(COLLECTION_LIST_QUERIES):
        response = admin_client.get(admin_url(collection, "changelist"))

    assert len(response.context["cl"].result_list) == rows


@pytest.mark.parametrize("rows", [3, 9])
def test_the_collection_change_page_costs_the_same_queries_for_3_or_9_pieces(
    admin_client, django_assert_max_num_queries, rows
):
    collection = CollectionFactory()
    for position in range(rows):
        CollectionPieceFactory(collection=collection, position=position)

    with django_assert_max_num_queries(COLLECTION_CHANGE_QUERIES):
        response = admin_client.get(admin_url(collection, "change", collection.pk))

    assert len(response.context["inline_admin_formsets"][0].formset.forms) == rows


@pytest.mark.parametrize("rows", [3, 9])
def test_the_maker_list_with_pieces_costs_the_same_queries_for_3_or_9_makers(
    admin_client, django_assert_max_num_queries, rows
):
    for artisan in ArtisanFactory.create_batch(rows):
        PieceFactory.create_batch(2, artisan=artisan)

    with django_assert_max_num_queries(ARTISAN_LIST_QUERIES):
        response = admin_client.get(admin_url(artisan, "changelist"))

    assert len(response.context["cl"].result_list) == rows
