"""`q` finds a piece by the texts it is made of right after any of them changes (the stored vector on PostgreSQL)."""

import pytest
from django.urls import reverse

from catalog.listing.search import refresh_search_vectors, uses_full_text
from catalog.models import Piece
from catalog.tests.factories import MaterialFactory, PieceFactory, PieceMaterialFactory, TechniqueFactory

pytestmark = pytest.mark.django_db
LISTING = reverse("catalog:piece_list")


def found(client, q):
    return list(client.get(LISTING, {"q": q}).context["object_list"])


def test_a_new_title_is_found_and_the_old_one_is_not(client):
    piece = PieceFactory(title="Quiet lagoon ring")
    assert found(client, "lagoon") == [piece]
    piece.title = "Storm cloud ring"
    piece.save()
    assert found(client, "lagoon") == []
    assert found(client, "storm") == [piece]


def test_a_renamed_material_or_maker_is_found(client):
    piece = PieceFactory()
    material = MaterialFactory(name="Moonmetal", slug="moonmetal")
    PieceMaterialFactory(piece=piece, material=material)
    assert found(client, "moonmetal") == [piece]
    material.name = "Sunmetal"
    material.save()
    assert found(client, "sunmetal") == [piece]
    piece.artisan.name = "Studio Quillon"
    piece.artisan.save()
    assert found(client, "quillon") == [piece]


def test_a_technique_added_from_either_side_is_found(client):
    piece, other = PieceFactory(), PieceFactory()
    piece.techniques.add(TechniqueFactory(name="Kumihimo", slug="kumihimo"))
    assert found(client, "kumihimo") == [piece]
    TechniqueFactory(name="Tsuiki", slug="tsuiki").pieces.add(other)
    assert found(client, "tsuiki") == [other]
    piece.techniques.clear()
    assert found(client, "kumihimo") == []


def test_refreshing_every_vector_stores_one_per_piece():
    PieceFactory.create_batch(3)
    Piece.objects.update(search_vector=None)
    refreshed = refresh_search_vectors()
    if uses_full_text():
        assert refreshed == 3
        assert not Piece.objects.filter(search_vector__isnull=True).exists()
    else:
        assert refreshed == 0  # SQLite searches the texts themselves
