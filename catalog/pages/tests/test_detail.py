"""
The piece page's piece, loaded by compiled queries (catalog.pages.loading): exactly
what `Piece.objects.published().for_detail()` loads, in as many queries.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from artisans.choices import ArtisanStatus
from artisans.tests.factories import StaffFactory
from catalog.choices import PieceStatus
from catalog.demo.tests.test_seed import without_drawing  # noqa: F401 (a fixture)
from catalog.models import MakerCertification, Piece
from catalog.pages import loading as detail
from catalog.pages import sheets as pages
from catalog.querysets import DETAIL_RELATED, detail_sets
from catalog.tests.factories import (
    CertificationFactory,
    PieceFactory,
    PieceImageFactory,
    PieceMaterialFactory,
    TechniqueFactory,
    TraditionFactory,
    piece_with_details,
)

pytestmark = pytest.mark.django_db

SHEET_QUERIES = 1 + len(detail_sets()) + 1  # the piece, its sets of rows, its maker's verified certifications


def values(instance):
    """An instance's class, deferred fields and column values, or None."""
    if instance is None:
        return None
    deferred = instance.get_deferred_fields()
    fields = [field.attname for field in instance._meta.concrete_fields if field.attname not in deferred]
    return type(instance), deferred, {name: getattr(instance, name) for name in fields}


def loaded(piece):
    """Everything the page reads of a piece loaded for it, as it was loaded, without a query."""
    sets = {}
    for relation in detail_sets():
        rows = piece._prefetched_objects_cache[relation]._result_cache
        sets[relation] = [
            (values(row), {name: values(cached) for name, cached in row._state.fields_cache.items()}) for row in rows
        ]
    certifications = [
        (values(claim), values(claim.certification), claim.artisan is piece.artisan)
        for claim in piece.artisan.verified_certifications
    ]
    related = {name: values(piece._state.fields_cache[name]) for name in DETAIL_RELATED}
    return values(piece), related, sets, certifications


def sheet(piece):
    request = RequestFactory().get("/", HTTP_HOST="testserver")
    return pages._render_sheet(request, piece, other_way=[])


def assert_loaded_as_for_detail(slug, django_assert_num_queries):
    with django_assert_num_queries(SHEET_QUERIES):
        piece = detail.published_piece(slug)
        fast = loaded(piece)
    expected = Piece.objects.published().for_detail().get(slug=slug)
    assert fast == loaded(expected)
    assert sheet(piece) == sheet(expected)


@pytest.fixture
def piece():
    """A piece with something in each of its page's sets, a null and a set foreign key among its rows."""
    piece = piece_with_details(evidence_raised_by=StaffFactory(first_name="Ines"))
    PieceImageFactory(piece=piece, is_process_photo=True, alt_text="Filing the shank")
    PieceMaterialFactory(piece=piece, certification=CertificationFactory(), certificate_number="FM-1", is_verified=True)
    piece.techniques.set([TechniqueFactory(), TechniqueFactory()])
    piece.traditions.set([TraditionFactory()])
    for is_verified in (True, False, True):
        MakerCertification.objects.create(
            artisan=piece.artisan, certification=CertificationFactory(), is_verified=is_verified
        )
    return piece


def test_a_piece_is_loaded_as_for_detail_loads_it(piece, django_assert_num_queries):
    assert len(piece.artisan.certifications.all()) == 3
    assert_loaded_as_for_detail(piece.slug, django_assert_num_queries)


def test_a_piece_with_empty_sets_is_loaded_as_for_detail_loads_it(django_assert_num_queries):
    bare = Piece.objects.get(pk=piece_with_details().pk)
    Piece.objects.filter(pk=bare.pk).update(evidence_raised_by=None)
    for relation in ("images", "materials", "production_steps", "personalization_options"):
        getattr(bare, relation).all().delete()
    assert_loaded_as_for_detail(bare.slug, django_assert_num_queries)


def test_every_piece_of_a_demo_catalog_is_loaded_as_for_detail_loads_it(without_drawing, django_assert_num_queries):  # noqa: F811
    call_command("seed_demo", "--pieces", "40", "--seed", "3", stdout=StringIO())
    slugs = list(Piece.objects.published().values_list("slug", flat=True))
    assert len(slugs) > 20
    for slug in slugs:
        assert_loaded_as_for_detail(slug, django_assert_num_queries)


@pytest.mark.parametrize(
    "withdraw",
    [
        lambda piece: Piece.objects.filter(pk=piece.pk).update(status=PieceStatus.HIDDEN),
        lambda piece: Piece.objects.filter(pk=piece.pk).update(status=PieceStatus.DRAFT),
        lambda piece: type(piece.artisan).objects.filter(pk=piece.artisan_id).update(status=ArtisanStatus.SUSPENDED),
    ],
    ids=["hidden", "draft", "maker-suspended"],
)
def test_a_piece_the_public_may_not_see_is_none(piece, withdraw, django_assert_num_queries):
    withdraw(piece)
    with django_assert_num_queries(1):
        assert detail.published_piece(piece.slug) is None


@pytest.mark.parametrize("slug", ["no-such-piece", "", "x" * 500, "ring' OR '1'='1", "%", "_", "é-ring"])
def test_an_unknown_slug_is_none(piece, slug):
    assert detail.published_piece(slug) is None


def thumbnails(pieces):
    return [(values(piece), values(piece.artisan), [values(photo) for photo in piece.images.all()]) for piece in pieces]


def test_the_other_ways_pieces_are_loaded_as_for_thumbnails_loads_them_in_the_order_asked(
    django_assert_num_queries,
):
    pieces = [piece_with_details() for _ in range(3)]
    PieceImageFactory(piece=pieces[0], alt_text="A second view")
    PieceImageFactory(piece=pieces[1], is_process_photo=True)  # not on a small card
    pieces[2].images.all().delete()
    hidden = PieceFactory(status=PieceStatus.HIDDEN)
    asked = [pieces[2].pk, pieces[0].pk, hidden.pk, pieces[1].pk], [pieces[1].pk], [hidden.pk], [pieces[0].pk, 10**9]
    for ids in asked:
        with django_assert_num_queries(2):
            found = detail.public_thumbnails(ids)
            fast = thumbnails(found)
        expected = Piece.objects.published().for_thumbnails().in_bulk(ids)
        assert [piece.pk for piece in found] == [pk for pk in ids if pk in expected]
        assert fast == thumbnails(expected[piece.pk] for piece in found)
    with django_assert_num_queries(0):
        assert detail.public_thumbnails([]) == []
