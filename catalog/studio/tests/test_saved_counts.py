"""The studio's dashboard says how many shoppers saved each piece, and never who."""

import pytest
from django.urls import reverse

from artisans.tests.factories import ArtisanFactory, UserFactory
from catalog.models import SavedPiece
from catalog.tests.factories import PieceFactory, PieceImageFactory, ProductionStepFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("studio:dashboard")


@pytest.fixture
def maker(client):
    artisan = ArtisanFactory()
    client.force_login(artisan.user)
    return artisan


def test_the_dashboard_counts_each_pieces_saves_and_names_no_shopper(client, maker):
    loved, unloved = PieceFactory(artisan=maker), PieceFactory(artisan=maker)
    shoppers = [
        UserFactory(first_name="Grace", last_name="Hopper", email="grace@example.com"),
        UserFactory(first_name="Alan", last_name="Turing", email="alan@example.com"),
        UserFactory(username="shopper-ivy", email="ivy@example.com"),
    ]
    for shopper in shoppers:
        SavedPiece.objects.create(shopper=shopper, piece=loved)
    SavedPiece.objects.create(shopper=shoppers[0], piece=PieceFactory())  # another maker's piece
    response = client.get(DASHBOARD)
    counts = {piece.pk: piece.saves_count for piece in response.context["pieces"]}
    assert counts == {loved.pk: 3, unloved.pk: 0}
    html = response.content.decode()
    assert '<th scope="col">Saved by</th>' in html
    assert '<td data-label="Saved by">3<span class="visually-hidden"> shoppers</span></td>' in html
    for shopper in shoppers:
        assert shopper.email not in html and shopper.username not in html
    assert "Grace" not in html and "Hopper" not in html and "Turing" not in html


@pytest.mark.parametrize("pieces", [2, 12])
def test_the_saves_count_adds_no_query(client, maker, pieces, django_assert_max_num_queries):
    for _ in range(pieces):
        piece = PieceFactory(artisan=maker)
        PieceImageFactory(piece=piece)
        ProductionStepFactory(piece=piece)
        for shopper in UserFactory.create_batch(3):
            SavedPiece.objects.create(shopper=shopper, piece=piece)
    # the same 10 as the dashboard without saves (test_studio_views): the count is a subquery
    with django_assert_max_num_queries(10):
        assert client.get(DASHBOARD).status_code == 200
