"""The makers' directory: approved makers only, facets with counts, constant queries."""

import pytest
from django.urls import reverse

from artisans.choices import ArtisanStatus, MakerType, WorkshopSize
from artisans.tests.factories import ArtisanFactory
from catalog.choices import PieceStatus
from catalog.tests.factories import PieceFactory, TechniqueFactory, TraditionFactory

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("catalog:artisan_list")


def names(response):
    return [artisan.name for artisan in response.context["object_list"]]


def test_lists_approved_makers_with_their_public_piece_counts(client):
    maker = ArtisanFactory(name="Aoife Doyle")
    PieceFactory.create_batch(2, artisan=maker)
    PieceFactory(artisan=maker, status=PieceStatus.DRAFT)
    ArtisanFactory(name="Pending Studio", status=ArtisanStatus.PENDING)
    ArtisanFactory(name="Suspended Brand", status=ArtisanStatus.SUSPENDED)
    response = client.get(DIRECTORY)
    assert names(response) == ["Aoife Doyle"]
    assert response.context["object_list"][0].piece_count == 2
    assert "2 pieces" in response.content.decode()


def test_filters_by_country_kind_workshop_technique_and_tradition_with_counts(client):
    filigree = TechniqueFactory(name="Filigree", slug="filigree")
    claddagh = TraditionFactory(name="Claddagh", slug="claddagh")
    irish = ArtisanFactory(name="Irish Solo", country="IE", workshop_size=WorkshopSize.SOLO)
    irish.techniques.add(filigree)
    irish.traditions.add(claddagh)
    ArtisanFactory(name="Irish Brand", country="IE", maker_type=MakerType.BRAND, workshop_size=WorkshopSize.FACTORY)
    ArtisanFactory(name="Mexican Studio", country="MX", maker_type=MakerType.STUDIO)
    assert names(client.get(DIRECTORY, {"country": "IE"})) == ["Irish Brand", "Irish Solo"]
    assert names(client.get(DIRECTORY, {"maker_type": "studio"})) == ["Mexican Studio"]
    assert names(client.get(DIRECTORY, {"workshop": "factory"})) == ["Irish Brand"]
    assert names(client.get(DIRECTORY, {"technique": "filigree"})) == ["Irish Solo"]
    assert names(client.get(DIRECTORY, {"tradition": "claddagh"})) == ["Irish Solo"]
    listing = client.get(DIRECTORY, {"country": "IE"}).context["listing"]
    counts = {
        block.name: {o.value: o.count for o in block.options}
        for _, blocks, _ in listing.facet_groups
        for block in blocks
    }
    assert counts["country"]["MX"] == 1  # its own selection is left out of the country counts
    assert counts["maker_type"] == {"independent": 1, "studio": 0, "brand": 1}


@pytest.mark.parametrize("params", [{"country": "ZZ"}, {"maker_type": "wizard"}, {"page": "1"}, {"technique": "\x00"}])
def test_bad_input_is_reported_not_a_500(client, params):
    ArtisanFactory()
    assert client.get(DIRECTORY, params).status_code == 200


@pytest.mark.parametrize("page", ["99", "-1", "abc"])
def test_pages_out_of_range_are_404(client, page):
    ArtisanFactory()
    assert client.get(DIRECTORY, {"page": page}).status_code == 404


@pytest.mark.parametrize("makers", [2, 12])
def test_directory_query_count_does_not_grow_with_makers(client, django_assert_max_num_queries, makers):
    technique = TechniqueFactory()
    for _ in range(makers):
        ArtisanFactory().techniques.add(technique)
    client.get(DIRECTORY)  # the facet options are cached from here on
    # Count, page, process photos, techniques, and the facet counts in one query.
    with django_assert_max_num_queries(5):
        response = client.get(DIRECTORY, {"technique": technique.slug})
    assert len(response.context["object_list"]) == makers
