"""The public maker page: who the maker is and their published pieces, nothing else."""

import pytest

from artisans.tests.factories import ArtisanFactory
from catalog.choices import PieceStatus
from catalog.tests.factories import PieceFactory, piece_with_details

pytestmark = pytest.mark.django_db


def test_maker_page_lists_only_the_makers_published_pieces(client):
    artisan = ArtisanFactory()
    shown = PieceFactory(artisan=artisan)
    PieceFactory(artisan=artisan, status=PieceStatus.DRAFT, title="Secret draft")
    PieceFactory(title="Someone else's ring")
    response = client.get(artisan.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert shown.title in body
    assert "Secret draft" not in body
    assert "Someone else&#x27;s ring" not in body


@pytest.mark.parametrize("page", ["99999", "-1", "abc"])
def test_maker_page_out_of_range_is_404(client, page):
    piece = PieceFactory()
    assert client.get(piece.artisan.get_absolute_url(), {"page": page}).status_code == 404


@pytest.mark.parametrize("rows", [2, 24])
def test_maker_page_query_count_does_not_grow_with_pieces(client, django_assert_max_num_queries, rows):
    artisan = ArtisanFactory()
    for _ in range(rows):
        piece_with_details(artisan=artisan)
    # Maker, process photos, techniques, traditions; then the count and the page's ids; then, for the
    # pieces whose cards are not cached yet, the pieces, images, materials, steps.
    with django_assert_max_num_queries(10):
        assert client.get(artisan.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(artisan.get_absolute_url()).status_code == 200
