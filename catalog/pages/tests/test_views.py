"""Public catalog pages: what the public may see, and what it costs to show it."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory
from catalog.choices import Availability, Construction, PieceStatus, ProductionMethod
from catalog.models import Piece
from catalog.tests.factories import (
    CategoryFactory,
    CertificationFactory,
    CollectionFactory,
    CollectionPieceFactory,
    MaterialFactory,
    PieceFactory,
    PieceImageFactory,
    PieceMaterialFactory,
    piece_with_details,
)

pytestmark = pytest.mark.django_db

LISTING = reverse("catalog:piece_list")


def listed_slugs(response):
    return {piece.slug for piece in response.context["object_list"]}


# --- Who sees what -------------------------------------------------------------


def test_listing_shows_published_pieces_of_approved_makers(client):
    piece = PieceFactory()
    response = client.get(LISTING)
    assert response.status_code == 200
    assert listed_slugs(response) == {piece.slug}
    assert piece.title in response.content.decode()


@pytest.mark.parametrize("status", [PieceStatus.DRAFT, PieceStatus.ARCHIVED, PieceStatus.HIDDEN])
def test_listing_and_piece_page_hide_pieces_that_are_not_published(client, status):
    piece = PieceFactory(status=status)
    assert listed_slugs(client.get(LISTING)) == set()
    assert client.get(piece.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("status", [ArtisanStatus.PENDING, ArtisanStatus.SUSPENDED])
def test_pieces_and_pages_of_makers_not_approved_are_not_public(client, status):
    piece = PieceFactory(artisan=ArtisanFactory(status=status))
    assert listed_slugs(client.get(LISTING)) == set()
    assert client.get(piece.get_absolute_url()).status_code == 404
    assert client.get(piece.artisan.get_absolute_url()).status_code == 404


def test_unknown_piece_and_maker_are_404(client):
    assert client.get(reverse("catalog:piece_detail", args=["no-such-piece"])).status_code == 404
    assert client.get(reverse("artisans:artisan_detail", args=["no-such-maker"])).status_code == 404


def test_collection_page_shows_its_published_pieces_in_curated_order(client):
    collection = CollectionFactory()
    second = CollectionPieceFactory(collection=collection, position=2).piece
    first = CollectionPieceFactory(collection=collection, position=1).piece
    CollectionPieceFactory(collection=collection, position=0, piece=PieceFactory(status=PieceStatus.HIDDEN))
    response = client.get(collection.get_absolute_url())
    assert [p.slug for p in response.context["pieces"]] == [first.slug, second.slug]


def test_unpublished_collection_is_404(client):
    collection = CollectionFactory(is_published=False)
    assert client.get(collection.get_absolute_url()).status_code == 404


def test_home_shows_featured_pieces_and_collections(client):
    featured = PieceFactory(featured=True)
    PieceFactory(featured=True, status=PieceStatus.HIDDEN, title="Hidden featured")
    collection = CollectionFactory(featured=True)
    CollectionPieceFactory(collection=collection, piece=featured)
    body = client.get(reverse("catalog:home")).content.decode()
    assert featured.title in body
    assert collection.title in body
    assert "Hidden featured" not in body


def test_each_collection_teaser_shows_the_covers_of_its_first_three_public_entries(client):
    teasers = {}
    for name in ("Hand-forged", "Recycled"):
        collection = CollectionFactory(featured=True, title=name)
        pieces = [piece_with_details(title=f"{name} {n}") for n in range(5)]
        pieces[1].status = PieceStatus.HIDDEN
        pieces[1].save()
        for position, piece in reversed(list(enumerate(pieces))):
            CollectionPieceFactory(collection=collection, piece=piece, position=position)
        teasers[collection.pk] = [pieces[0], pieces[2], pieces[3]]
    collections = client.get(reverse("catalog:home")).context["collections"]
    shown = {collection.pk: [entry.piece for entry in collection.teaser_entries] for collection in collections}
    assert shown == teasers


def test_home_shows_the_newest_featured_pieces_and_not_one_hidden_after_its_card_was_cached(client):
    now = timezone.now()
    featured = [PieceFactory(featured=True, published_at=now - datetime.timedelta(days=n)) for n in range(10)]
    shown = client.get(reverse("catalog:home")).context["featured_pieces"]
    assert [piece.pk for piece in shown] == [piece.pk for piece in featured[:8]]
    newest = featured[0]
    newest.status = PieceStatus.HIDDEN
    newest.save()
    body = client.get(reverse("catalog:home"))
    assert [piece.pk for piece in body.context["featured_pieces"]] == [piece.pk for piece in featured[1:9]]
    assert newest.get_absolute_url() not in body.content.decode()


# --- Cards and the piece page ----------------------------------------------------


def test_every_card_carries_its_production_method_and_availability_badges(client):
    piece_with_details(
        production_method=ProductionMethod.HAND_FINISHED, availability=Availability.LIMITED_EDITION, edition_size=20
    )
    PieceFactory(
        production_method=ProductionMethod.MASS_PRODUCED, availability=Availability.MADE_TO_ORDER, lead_time_days=21
    )
    body = client.get(LISTING).content.decode()
    assert "Hand-finished in small batches" in body
    assert "Edition of 20" in body
    assert "Mass-produced" in body
    assert "Made to order · 3 wk" in body
    assert "Recycled silver" in body


def test_piece_page_shows_each_dimension_it_has_data_for(client):
    piece = piece_with_details(
        materials_cost=Decimal("40"),
        labor_cost=Decimal("90"),
        labor_hours=Decimal("6"),
        # Only a piece of which there are several has a note on how each differs (a one of a kind has none).
        availability=Availability.MADE_TO_ORDER,
        lead_time_days=21,
        variation_note="Hammer marks vary.",
        care_instructions="Polish with a soft cloth.",
        lifetime_repairs=True,
        design_story="Drawn from the tide lines of the Douro.",
    )
    body = client.get(piece.get_absolute_url()).content.decode()
    for text in [
        "How it is made",
        "Casting Co.",
        "50%",
        "Materials &amp; provenance",
        "Tanzania",
        "Recycled",
        "Durability &amp; care",
        "Polish with a soft cloth.",
        "Repaired by the maker for life",
        "Make it yours",
        "up to 12 characters",
        "Hammer marks vary.",
        "tide lines of the Douro",
        "What the price pays for",
        "€40",
        "€90",
        "€50",
    ]:
        assert text in body, text


def test_piece_page_leaves_out_sections_without_data(client):
    piece = PieceFactory()
    body = client.get(piece.get_absolute_url()).content.decode()
    assert "Materials &amp; provenance" not in body
    assert "Make it yours" not in body
    assert "What the price pays for" not in body


def test_text_from_makers_is_escaped(client):
    piece = PieceFactory(title="<script>alert(1)</script>", description="<img src=x onerror=alert(1)>")
    body = client.get(piece.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<img src=x" not in body


# --- Filters -------------------------------------------------------------------


def test_filter_by_production_method_combines_values_with_or(client):
    hand = PieceFactory(production_method=ProductionMethod.HANDCRAFTED)
    finished = PieceFactory(production_method=ProductionMethod.HAND_FINISHED)
    PieceFactory(production_method=ProductionMethod.MASS_PRODUCED)
    response = client.get(LISTING, {"method": ["handcrafted", "hand_finished"]})
    assert listed_slugs(response) == {hand.slug, finished.slug}


def test_filter_by_category_slug(client):
    ring = PieceFactory()
    PieceFactory(category=CategoryFactory(name="Earrings", slug="earrings"))
    assert listed_slugs(client.get(LISTING, {"category": "rings"})) == {ring.slug}


def test_filter_by_metal_counts_a_piece_once_whatever_its_number_of_matching_metals(client):
    silver, gold = MaterialFactory(name="Silver", slug="silver"), MaterialFactory(name="Gold", slug="gold")
    both = PieceFactory()
    PieceMaterialFactory(piece=both, material=silver)
    PieceMaterialFactory(piece=both, material=gold)
    only_gold = PieceFactory()
    PieceMaterialFactory(piece=only_gold, material=gold)
    PieceFactory()
    response = client.get(LISTING, {"metal": ["silver", "gold"]})
    assert [p.slug for p in response.context["object_list"]].count(both.slug) == 1
    assert listed_slugs(response) == {both.slug, only_gold.slug}
    assert response.context["paginator"].count == 2


def test_filters_across_parameters_combine_with_and(client):
    match = PieceFactory(production_method=ProductionMethod.HANDCRAFTED, price=Decimal("250"))
    PieceFactory(production_method=ProductionMethod.HANDCRAFTED, price=Decimal("450"))
    PieceFactory(production_method=ProductionMethod.MASS_PRODUCED, price=Decimal("250"))
    response = client.get(LISTING, {"method": "handcrafted", "price_min": "200", "price_max": "300"})
    assert listed_slugs(response) == {match.slug}


def test_sort_by_price(client):
    cheap, dear = PieceFactory(price=Decimal("30")), PieceFactory(price=Decimal("900"))
    assert [p.slug for p in client.get(LISTING, {"sort": "price"}).context["object_list"]] == [cheap.slug, dear.slug]
    assert [p.slug for p in client.get(LISTING, {"sort": "-price"}).context["object_list"]] == [dear.slug, cheap.slug]


def test_listing_pages_by_24(client):
    PieceFactory.create_batch(30)
    assert len(client.get(LISTING).context["object_list"]) == 24
    assert len(client.get(LISTING, {"page": "2"}).context["object_list"]) == 6


# --- Bad input -------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"price_min": "abc"},
        {"price_max": "1e400"},
        {"price_min": "NaN"},
        {"price_min": "-5"},
        {"price_min": "500", "price_max": "10"},
        {"method": "levitated"},
        {"category": "no-such-category"},
        {"metal": ["silver", "unobtainium"]},
        {"sort": "'; DROP TABLE catalog_piece; --"},
        {"method": ["handcrafted"] * 500},
        {"price_min": "١٢٣"},
        {"category": "\x00"},
        {"unknown": "parameter"},
    ],
)
def test_bad_query_parameters_give_a_normal_page(client, params):
    PieceFactory()
    response = client.get(LISTING, params)
    assert response.status_code == 200


def test_values_that_are_not_understood_are_reported_and_ignored(client):
    piece = PieceFactory()
    response = client.get(LISTING, {"price_min": "abc", "method": "levitated"})
    body = response.content.decode()
    assert "were not understood and were left out" in body
    assert "Price from" in body and "How it is made" in body
    assert listed_slugs(response) == {piece.slug}


@pytest.mark.parametrize("page", ["99999", "-1", "0", "abc", "1e9", "999999999999999999999999"])
def test_pages_out_of_range_are_404_not_500(client, page):
    PieceFactory()
    assert client.get(LISTING, {"page": page}).status_code == 404


# --- Query counts ------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 24])
def test_listing_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries, rows):
    for _ in range(rows):
        piece_with_details()
    # The first request after a change rebuilds the listing's index (catalog.listing.index)
    # in a fixed number of queries: one or a few per facet, whatever the number of pieces.
    with django_assert_max_num_queries(45):
        client.get(LISTING)
    # Then: the page's pieces, images, materials and steps (the facet options are cached).
    with django_assert_max_num_queries(4):
        response = client.get(LISTING, {"method": "handcrafted", "metal": "silver", "price_max": "1000"})
    assert len(response.context["object_list"]) == rows


@pytest.mark.parametrize("related", [1, 6])
def test_piece_page_query_count_does_not_grow_with_its_parts(client, django_assert_max_num_queries, related):
    artisan = ArtisanFactory()
    piece = piece_with_details(artisan=artisan)
    for n in range(related):
        PieceImageFactory(piece=piece)
        PieceMaterialFactory(
            piece=piece,
            material=MaterialFactory(name=f"Stone {n}", slug=f"stone-{n}", kind="gemstone"),
            construction=Construction.SOLID,
        )
        piece_with_details(artisan=artisan, production_method=ProductionMethod.MASS_PRODUCED)
    # Piece, images, materials, steps, techniques, traditions, options, the maker's
    # verified certifications; then "the other way to own it": page and photos.
    with django_assert_max_num_queries(10):
        assert client.get(piece.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("rows", [2, 8])
def test_home_and_collection_query_counts_do_not_grow_with_rows(client, django_assert_max_num_queries, rows):
    collection = CollectionFactory(featured=True)
    for _ in range(rows):
        CollectionPieceFactory(collection=collection, piece=piece_with_details(featured=True))
    # The featured pieces' ids, then their pieces with images, materials, steps; collections, their
    # entries and the entries' images. Once the featured pieces' cards are cached, only their ids.
    with django_assert_max_num_queries(8):
        assert client.get(reverse("catalog:home")).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(reverse("catalog:home")).status_code == 200
    # Collection; pieces, images, materials, steps.
    with django_assert_max_num_queries(5):
        assert client.get(collection.get_absolute_url()).status_code == 200


def test_piece_page_offers_the_same_category_made_the_other_way_nearest_in_price_first(client):
    rings, earrings = CategoryFactory(name="Rings", slug="rings"), CategoryFactory(name="Earrings", slug="earrings")
    forged = PieceFactory(category=rings, price=Decimal("200"))
    near = PieceFactory(category=rings, production_method=ProductionMethod.MASS_PRODUCED, price=Decimal("190"))
    far = PieceFactory(category=rings, production_method=ProductionMethod.MASS_PRODUCED, price=Decimal("20"))
    PieceFactory(category=earrings, production_method=ProductionMethod.MASS_PRODUCED, price=Decimal("200"))
    PieceFactory(category=rings, production_method=ProductionMethod.MASS_PRODUCED, status=PieceStatus.HIDDEN)
    PieceFactory(category=rings, price=Decimal("200"))
    response = client.get(forged.get_absolute_url())
    assert [p.slug for p in response.context["other_way"]] == [near.slug, far.slug]
    assert "The other way to own it" in response.content.decode()
    handcrafted_for_cast = client.get(near.get_absolute_url()).context["other_way"]
    assert forged.slug in {p.slug for p in handcrafted_for_cast}


def test_made_the_other_way_is_the_brute_force_order_up_to_its_nearest_count():
    """Nearest in price first, the newest first among equal prices, from both sides of the piece's price."""
    rings = CategoryFactory(name="Rings", slug="rings")
    forged = PieceFactory(category=rings, price=Decimal("100"))
    prices = [60, 80, 95, 100, 100, 105, 105, 120, 150, 95, 100, 80, 200, 5, 105]
    others = [
        PieceFactory(category=rings, production_method=ProductionMethod.MASS_PRODUCED, price=Decimal(price))
        for price in prices
    ]
    hidden = {"production_method": ProductionMethod.MASS_PRODUCED, "status": PieceStatus.HIDDEN}
    PieceFactory(category=rings, price=Decimal("100"), **hidden)
    expected = sorted(others, key=lambda other: (abs(other.price - forged.price), -other.pk))
    for nearest in (1, 3, 5, len(others)):
        found = list(Piece.objects.published().made_the_other_way(forged, nearest=nearest)[:nearest])
        assert found == expected[:nearest]


def test_piece_page_describes_itself_to_search_engines_and_link_previews(client):
    piece = piece_with_details(title="Tide </script><script>alert(1)</script> Ring", price=Decimal("240"))
    body = client.get(piece.get_absolute_url()).content.decode()
    assert f'<link rel="canonical" href="http://testserver{piece.get_absolute_url()}">' in body
    assert '<meta property="og:type" content="product">' in body
    start = body.index('<script type="application/ld+json">') + len('<script type="application/ld+json">')
    data = json.loads(body[start : body.index("</script>", start)])
    assert data["@type"] == "Product"
    assert data["offers"] == {
        "@type": "Offer",
        "price": "240.00",
        "priceCurrency": "EUR",
        "availability": "https://schema.org/OutOfStock",
    }
    assert data["brand"]["name"] == piece.artisan.name
    assert data["image"].startswith("http://testserver/media/")
    assert "<script>alert(1)</script>" not in body


def test_piece_page_shows_only_verified_maker_certifications(client):
    piece = PieceFactory()
    piece.artisan.certifications.create(
        certification=CertificationFactory(name="Living Wage Employer"), is_verified=True
    )
    piece.artisan.certifications.create(certification=CertificationFactory(name="Claimed Fair Gold"))
    body = client.get(piece.get_absolute_url()).content.decode()
    assert "Living Wage Employer" in body
    assert "Claimed Fair Gold" not in body
