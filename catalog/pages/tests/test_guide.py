"""The guide's figures, checked against values worked out by hand on a small catalog."""

import random
from decimal import Decimal
from statistics import median

import pytest
from django.core.cache import cache
from django.urls import reverse

from catalog.choices import Availability, ProductionMethod
from catalog.listing.tests.test_piece_index import random_catalog
from catalog.models import Piece
from catalog.pages.guide import GUIDE_CACHE_KEY, compute_figures, guide_figures
from catalog.tests.factories import (
    CategoryFactory,
    MaterialFactory,
    PersonalizationOptionFactory,
    PieceFactory,
    PieceMaterialFactory,
)
from catalog.versions import catalog_version

pytestmark = pytest.mark.django_db

GUIDE = reverse("catalog:guide")
HAND, MASS = ProductionMethod.HANDCRAFTED, ProductionMethod.MASS_PRODUCED


@pytest.fixture
def small_catalog():
    """Three handcrafted rings and two mass-produced ones, facts chosen to be counted by hand."""
    rings = CategoryFactory(name="Rings", slug="rings")
    silver = MaterialFactory(name="Silver", slug="silver")
    garnet = MaterialFactory(name="Garnet", slug="garnet", kind="gemstone")
    a = PieceFactory(category=rings, price=Decimal("100"), labor_hours=Decimal("4"), lifetime_repairs=True)
    b = PieceFactory(
        category=rings, price=Decimal("300"), labor_hours=Decimal("8"), availability=Availability.OPEN_STOCK, stock=2
    )
    PieceFactory(category=rings, price=Decimal("250"), labor_hours=Decimal("6"))
    PieceMaterialFactory(piece=a, material=silver, recycled=True)
    PieceMaterialFactory(piece=b, material=silver, recycled=True)
    PieceMaterialFactory(piece=a, material=garnet, origin="Tanzania", construction="")
    PersonalizationOptionFactory(piece=a)
    x = PieceFactory(
        category=rings,
        production_method=MASS,
        price=Decimal("30"),
        labor_hours=Decimal("0.5"),
        availability=Availability.OPEN_STOCK,
        stock=100,
    )
    PieceFactory(
        category=rings, production_method=MASS, price=Decimal("50"), availability=Availability.OPEN_STOCK, stock=100
    )
    PieceMaterialFactory(piece=x, material=garnet, construction="")
    PieceFactory(status="hidden", price=Decimal("9999"))  # never counted


def shares(figures, key):
    measure = next(m for m in figures.measures if m.key == key)
    return {share.method: (share.count, share.total, share.percent) for share in measure.shares}


def test_figures_match_the_hand_count(small_catalog):
    figures = guide_figures()
    assert figures.total == 5
    assert shares(figures, "recycled")[HAND] == (2, 3, 67)
    assert shares(figures, "recycled")[MASS] == (0, 2, 0)
    # Of the pieces set with stones: a (origin given) for handcrafted, x (no origin) for mass-produced.
    assert shares(figures, "traceable")[HAND] == (1, 1, 100)
    assert shares(figures, "traceable")[MASS] == (0, 1, 0)
    assert shares(figures, "personalizable")[HAND] == (1, 3, 33)
    assert shares(figures, "one_of_a_kind")[HAND] == (2, 3, 67)
    assert shares(figures, "lifetime_repairs")[HAND] == (1, 3, 33)
    ((name, slug, cells),) = figures.median_prices
    assert (name, slug) == ("Rings", "rings")
    assert dict((method, price) for method, price, _count in cells) == {
        HAND: Decimal("250"),
        ProductionMethod.HAND_FINISHED: None,
        MASS: Decimal("40"),
    }
    assert {method: hours for method, _label, hours in figures.median_labor_hours} == {
        HAND: Decimal("6"),
        ProductionMethod.HAND_FINISHED: None,
        MASS: Decimal("0.5"),
    }


def test_each_figure_links_to_the_pieces_behind_it(client, small_catalog):
    body = client.get(GUIDE).content.decode()
    assert f'href="{reverse("catalog:piece_list")}?method=handcrafted&amp;recycled=1">2 of 3</a>' in body
    assert "?method=mass_produced&amp;category=rings&amp;sort=price" in body
    listed = client.get(reverse("catalog:piece_list"), {"method": "handcrafted", "recycled": "1"})
    assert listed.context["paginator"].count == 2


def test_charts_have_a_text_alternative_and_a_table(client, small_catalog):
    body = client.get(GUIDE).content.decode()
    assert '<svg class="bars"' in body and 'role="img"' in body
    assert "Handcrafted: 67% (2 of 3)." in body
    assert "<table" in body


def test_the_guide_is_cached_and_recomputed_when_a_piece_changes(
    client, small_catalog, django_assert_num_queries, django_assert_max_num_queries
):
    client.get(GUIDE)
    with django_assert_num_queries(0):
        client.get(GUIDE)
    PieceFactory(price=Decimal("400"))
    # The facet options and their synonyms (the write forgot them), the index reading the new piece again (2, and
    # its words: its texts, its related rows' names), then the categories' names.
    with django_assert_max_num_queries(7):
        response = client.get(GUIDE)
    assert response.context["figures"].total == 6


def test_an_empty_catalog_gives_a_calm_page(client):
    response = client.get(GUIDE)
    assert response.status_code == 200
    assert "0 pieces on show" in response.content.decode()


def test_bulk_changes_by_staff_recompute_the_guide(client, small_catalog, django_capture_on_commit_callbacks):
    from artisans.services import artisans_suspend
    from artisans.tests.factories import StaffFactory
    from catalog.models import Piece
    from catalog.services import pieces_hide

    staff = StaffFactory()
    assert client.get(GUIDE).context["figures"].total == 5
    with django_capture_on_commit_callbacks(execute=True):
        pieces_hide(pieces=Piece.objects.filter(production_method=MASS), actor=staff)
    assert client.get(GUIDE).context["figures"].total == 3
    with django_capture_on_commit_callbacks(execute=True):
        artisans_suspend(artisans=[Piece.objects.filter(status="published").first().artisan], actor=staff)
    assert client.get(GUIDE).context["figures"].total == 2


def test_requests_feed_the_guide_and_the_requested_filter(client, small_catalog):
    from catalog.models import PersonalizationRequest, Piece
    from catalog.tests.factories import PersonalizationRequestFactory

    assert shares(guide_figures(), "requested")[HAND] == (0, 3, 0)
    piece = Piece.objects.published().filter(production_method=HAND).first()
    PersonalizationRequestFactory(piece=piece, artisan=piece.artisan)
    assert PersonalizationRequest.objects.count() == 1
    assert shares(guide_figures(), "requested")[HAND] == (1, 3, 33)
    listed = client.get(reverse("catalog:piece_list"), {"method": "handcrafted", "requested": "1"})
    assert [p.slug for p in listed.context["object_list"]] == [piece.slug]


def test_medians_are_the_stored_decimals_medians_to_the_digit():
    """The guide holds prices and hours as integers (memory): its medians are still statistics.median's."""
    rng = random.Random(7)
    rings = CategoryFactory(name="Rings", slug="rings")
    for n in range(13):  # 9 handcrafted (an odd count), 4 mass-produced (even: the mean of the middle two)
        PieceFactory(
            category=rings,
            production_method=HAND if n < 9 else MASS,
            price=Decimal(rng.randint(100, 99_999)) / 100,
            labor_hours=Decimal(rng.randint(1, 999)) / 10 if n % 3 else None,
        )
    figures = compute_figures()
    published = Piece.objects.published()
    ((_name, _slug, cells),) = figures.median_prices
    for method, price, count in cells:
        prices = list(published.filter(production_method=method).values_list("price", flat=True))
        assert (str(price), count) == (str(median(prices)) if prices else "None", len(prices))
    for method, _label, hours in figures.median_labor_hours:
        stored = published.filter(production_method=method, labor_hours__isnull=False)
        expected = median(stored.values_list("labor_hours", flat=True)) if stored else None
        assert str(hours) == str(expected)


@pytest.mark.parametrize("seed", [1, 2])
def test_every_share_is_the_count_of_the_listing_behind_its_link(client, seed):
    random_catalog(seed, size=40)
    figures = client.get(GUIDE).context["figures"]
    for measure in figures.measures:
        for share in measure.shares:
            listed = client.get(f"{reverse('catalog:piece_list')}?{share.filters}").context["paginator"].count
            assert share.count == listed, (measure.key, share.method)
    for name, slug, cells in figures.median_prices:
        for method, price, count in cells:
            prices = Piece.objects.published().filter(category__slug=slug, production_method=method)
            assert count == prices.count(), (name, method)
            assert price == (median(prices.values_list("price", flat=True)) if count else None), (name, method)


def test_figures_from_an_index_behind_the_catalog_are_shown_but_not_kept(client, small_catalog, monkeypatch):
    from catalog import listing

    index, version = listing.current_index(), catalog_version()
    behind = index._with(index.version, behind_since=index.version)  # as during a background rebuild
    monkeypatch.setattr(listing, "current_index", lambda: behind)
    assert client.get(GUIDE).context["figures"].total == 5
    assert cache.get(GUIDE_CACHE_KEY.format(version=version)) is None
    monkeypatch.undo()
    assert client.get(GUIDE).context["figures"].total == 5
    assert cache.get(GUIDE_CACHE_KEY.format(version=version)).total == 5
