"""
The listing's in-memory index (catalog.listing.index): the same counts and the
same pages as SQL, for every facet (including one declared later), and never
stale after a piece is published, edited or hidden.
"""

import datetime
import random
from decimal import Decimal

import pytest
from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from artisans.tests.factories import ArtisanFactory, UserFactory
from catalog.choices import Availability, MaterialKind, PersonalizationKind, PieceStatus, ProductionMethod
from catalog.listing import index as piece_index
from catalog.listing import orders
from catalog.listing.facets import FACETS, HOW_MADE, Facet, facet_counts
from catalog.listing.filters import PieceFilter, Sort, order_pieces
from catalog.listing.index import PieceIndex, current_index
from catalog.listing.result import IndexedResult
from catalog.models import Piece
from catalog.services import pieces_hide, pieces_publish
from catalog.tests.factories import (
    CategoryFactory,
    MaterialFactory,
    PersonalizationOptionFactory,
    PieceFactory,
    PieceMaterialFactory,
    TechniqueFactory,
)
from catalog.versions import catalog_version

pytestmark = pytest.mark.django_db
LISTING = reverse("catalog:piece_list")
METHODS = [ProductionMethod.HANDCRAFTED, ProductionMethod.HAND_FINISHED, ProductionMethod.MASS_PRODUCED]


@pytest.fixture
def small_buckets(monkeypatch):
    """Buckets of 3 pieces and no shortcut for small results: the bucket walk is what is tested."""
    monkeypatch.setattr(orders, "BUCKET_SIZE", 3)
    monkeypatch.setattr(orders, "SMALL_RESULT", 0)


def random_catalog(seed, size=30):
    """Pieces with random methods, categories, metals, stones, options, techniques, prices and dates."""
    rng = random.Random(seed)
    categories = [CategoryFactory(name=name, slug=name.lower()) for name in ("Rings", "Earrings", "Pendants")]
    metals = [MaterialFactory(name=name, slug=name.lower()) for name in ("Silver", "Gold", "Brass")]
    garnet = MaterialFactory(name="Garnet", slug="garnet", kind=MaterialKind.GEMSTONE)
    techniques = [TechniqueFactory(), TechniqueFactory()]
    makers = [ArtisanFactory(), ArtisanFactory()]
    now = timezone.now()
    for n in range(size):
        piece = PieceFactory(
            artisan=rng.choice(makers),
            category=rng.choice(categories),
            production_method=rng.choice(METHODS),
            availability=Availability.ONE_OF_A_KIND,
            # Ties on price and on date: the orders' second key (the id) must match SQL's.
            price=Decimal(rng.choice([25, 80, 80, 150, 400, 999])) + Decimal(rng.choice(["0", "0.50"])),
            published_at=now - datetime.timedelta(days=rng.choice([1, 2, 2, 5, 9])),
            lifetime_repairs=rng.random() < 0.5,
            status=PieceStatus.PUBLISHED if n % 7 else PieceStatus.DRAFT,
        )
        for metal in rng.sample(metals, rng.randint(0, 2)):
            PieceMaterialFactory(piece=piece, material=metal, recycled=rng.random() < 0.4)
        if rng.random() < 0.3:
            PieceMaterialFactory(piece=piece, material=garnet, construction="", purity="", origin="Kenya")
        if rng.random() < 0.4:
            PersonalizationOptionFactory(piece=piece, kind=PersonalizationKind.SIZING)
        piece.techniques.set(rng.sample(techniques, rng.randint(0, 2)))


SELECTIONS = [
    {},
    {"method": ["handcrafted"]},
    {"method": ["handcrafted", "mass_produced"], "metal": ["silver"]},
    {"metal": ["gold", "brass"], "price_min": "50", "price_max": "400"},
    {"category": ["rings"], "repairs": "1", "personalizable": "1"},
    {"price_min": "80.5", "price_max": "150"},
    {"gemstone": ["garnet"], "recycled": "1", "technique": ["no-such-technique"]},
]


def query(selection):
    data = QueryDict(mutable=True)
    for name, value in selection.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return data


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_facets_counts_equal_the_sql_counts(seed):
    random_catalog(seed)
    for selection in SELECTIONS:
        filterset = PieceFilter(query(selection), queryset=Piece.objects.published())
        result = IndexedResult(filterset)
        in_sql = facet_counts(filterset.queryset_without)
        assert result.count() == filterset.qs.count(), selection
        for facet in FACETS:
            for value, count in result.facet_counts[facet.name].items():
                assert count == in_sql.get(facet.name, {}).get(value, 0), (selection, facet.name, value)
            # No option the SQL counts is missing from the index.
            for value, count in in_sql.get(facet.name, {}).items():
                assert result.facet_counts[facet.name].get(value, 0) == count, (selection, facet.name, value)


@pytest.mark.parametrize("seed", [5, 6])
def test_the_other_way_to_own_a_piece_is_the_sql_order(seed):
    """Ties on price (the random catalog's prices repeat), drafts, other categories: as `made_the_other_way`."""
    random_catalog(seed, size=40)
    index = current_index()
    for piece in Piece.objects.published().select_related("category"):
        for limit in (1, 4, 40):
            expected = Piece.objects.published().made_the_other_way(piece, nearest=limit)[:limit]
            assert index.made_the_other_way(piece, limit) == [other.pk for other in expected], (piece.pk, limit)


def test_the_piece_page_finds_the_other_way_in_the_index_only_when_it_shows_the_latest_change(client, monkeypatch):
    asked = []
    answer = PieceIndex.made_the_other_way
    monkeypatch.setattr(PieceIndex, "made_the_other_way", lambda *args: asked.append(args[1].pk) or answer(*args))
    rings = CategoryFactory(name="Rings", slug="rings")
    forged = PieceFactory(category=rings, price=Decimal("200"))
    cast = {"category": rings, "production_method": ProductionMethod.MASS_PRODUCED}
    far = PieceFactory(price=Decimal("50"), **cast)
    client.get(LISTING)  # the worker's index, at the current version
    index = current_index()
    assert piece_index.index_through(catalog_version()) is index
    assert [p.pk for p in client.get(forged.get_absolute_url()).context["other_way"]] == [far.pk]
    assert asked == [forged.pk]

    near = PieceFactory(price=Decimal("199"), **cast)  # a write the index does not show until the next listing
    assert piece_index.index_through(catalog_version()) is None
    assert [p.pk for p in client.get(forged.get_absolute_url()).context["other_way"]] == [near.pk, far.pk]
    assert asked == [forged.pk]  # found in SQL
    client.get(LISTING)
    assert piece_index.index_through(catalog_version()) is current_index()
    assert current_index().made_the_other_way(forged, 4) == [near.pk, far.pk]


@pytest.mark.parametrize("sort", [Sort.NEWEST, Sort.PRICE, Sort.PRICE_DESC, Sort.REQUESTED])
def test_pages_come_in_the_same_order_as_sql(small_buckets, sort):
    random_catalog(4, size=40)
    for selection in SELECTIONS[:6]:
        selection = {**selection, "sort": sort}
        filterset = PieceFilter(query(selection), queryset=Piece.objects.published())
        expected = list(order_pieces(filterset.qs, sort=sort).values_list("pk", flat=True))
        result = IndexedResult(filterset)
        for start, stop in [(0, 4), (4, 9), (7, 40), (30, 34)]:
            assert [piece.pk for piece in result[start:stop]] == expected[start:stop], (selection, start)


def test_a_facet_declared_later_is_indexed_and_counted_like_the_others():
    random_catalog(5)
    pricey = Facet("pricey", "Over 100", HOW_MADE, condition=lambda v: Q(price__gt=100))
    by_method = Facet("method2", "Method", HOW_MADE, field="production_method", condition=lambda v: Q())
    index = PieceIndex.build(facets=[*FACETS, pricey, by_method])
    counts = index.facet_counts({}, index.universe, facets=[*FACETS, pricey, by_method])
    published = Piece.objects.published()
    assert counts["pricey"] == {"1": published.filter(price__gt=100).count()}
    for method in METHODS:
        assert counts["method2"].get(method.value, 0) == published.filter(production_method=method).count()


# --- Kept in step with the catalog ---------------------------------------------------------


def listing_count(client, **params):
    return client.get(LISTING, params).context["paginator"].count


def test_publishing_a_piece_shows_it_in_the_listing_and_its_counts(client, django_capture_on_commit_callbacks):
    staff = UserFactory(is_staff=True)
    PieceFactory(production_method=ProductionMethod.HANDCRAFTED)
    draft = PieceFactory(production_method=ProductionMethod.HANDCRAFTED, status=PieceStatus.DRAFT)
    assert listing_count(client, method="handcrafted") == 1
    with django_capture_on_commit_callbacks(execute=True):
        pieces_publish(pieces=[draft], actor=staff)
    response = client.get(LISTING, {"method": "handcrafted"})
    assert response.context["paginator"].count == 2
    assert draft in response.context["object_list"]


def test_hiding_a_piece_takes_it_out_of_the_listing(client, django_capture_on_commit_callbacks):
    staff = UserFactory(is_staff=True)
    kept, hidden = PieceFactory(), PieceFactory()
    assert listing_count(client) == 2
    with django_capture_on_commit_callbacks(execute=True):
        pieces_hide(pieces=[hidden], actor=staff)
    response = client.get(LISTING)
    assert list(response.context["object_list"]) == [kept]


def test_editing_a_piece_moves_it_between_filters_and_sorts(client):
    cheap = PieceFactory(price=Decimal("50"))
    other = PieceFactory(price=Decimal("70"))
    assert listing_count(client, price_max="60") == 1
    cheap.price = Decimal("90")
    cheap.save()
    assert listing_count(client, price_max="60") == 0
    response = client.get(LISTING, {"sort": "price"})
    assert list(response.context["object_list"]) == [other, cheap]


def test_adding_a_technique_to_a_piece_counts_it(client):
    piece = PieceFactory()
    filigree = TechniqueFactory(slug="filigree")
    assert listing_count(client, technique="filigree") == 0
    piece.techniques.add(filigree)
    assert listing_count(client, technique="filigree") == 1


def test_the_index_is_rebuilt_only_when_the_catalog_changes(client, django_assert_max_num_queries):
    PieceFactory()
    client.get(LISTING)
    built = current_index()
    client.get(LISTING, {"method": "handcrafted"})
    assert current_index() is built
    PieceFactory()
    assert current_index() is not built


@pytest.mark.parametrize(
    "params",
    [
        {"price_min": "0.001", "price_max": "80.004"},
        {"price_min": "80.5", "price_max": "80.5"},
        {"price_min": "1e400"},
        {"price_max": "Infinity"},
        {"price_min": "NaN", "price_max": "-5"},
        {"price_min": "900", "price_max": "10"},
        {"method": ["handcrafted", "no-such-method"], "metal": "silver\x00"},
        {"page": "last", "sort": "-price"},
        {"sort": "price; DROP TABLE catalog_piece"},
    ],
)
def test_odd_prices_and_values_give_the_same_result_as_sql(client, params):
    random_catalog(6, size=12)
    response = client.get(LISTING, params)
    assert response.status_code == 200
    filterset = response.context["filter"]
    assert response.context["paginator"].count == filterset.qs.count()
