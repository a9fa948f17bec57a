"""Staff extend the search's vocabulary in the admin: a synonym names a real option of a real filter, or is refused."""

import pytest
from django.urls import reverse

from catalog.admin.tests.admin_helpers import admin_url
from catalog.models import SearchSynonym
from catalog.tests.factories import CategoryFactory, PieceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def earrings():
    return CategoryFactory(name="Earrings", slug="earrings")


def test_a_synonym_saved_in_the_admin_reads_as_its_filter(admin_client, client, earrings):
    piece = PieceFactory(category=earrings)
    response = admin_client.post(
        admin_url(SearchSynonym, "add"), {"phrase": "ear candy", "facet": "category", "value": "earrings"}
    )
    assert response.status_code == 302
    listing = client.get(reverse("catalog:piece_list"), {"q": "ear candy"})
    assert listing.status_code == 302 and "category=earrings" in listing["Location"]
    assert list(client.get(listing["Location"]).context["object_list"]) == [piece]


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"phrase": "ear candy", "facet": "category", "value": "tiaras"}, "value", "Not an option of this filter"),
        ({"phrase": "ear candy", "facet": "nonsense", "value": "earrings"}, "facet", "Select a valid choice"),
        ({"phrase": "the of !!", "facet": "category", "value": "earrings"}, "phrase", "at least one word"),
        ({"phrase": "<script>x</script>", "facet": "category", "value": "<b>"}, "value", "Not an option"),
    ],
)
def test_a_synonym_naming_no_real_option_is_refused_and_nothing_saved(admin_client, earrings, data, field, message):
    response = admin_client.post(admin_url(SearchSynonym, "add"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert not SearchSynonym.objects.exists()
    assert "<script>x</script>" not in response.content.decode()


def test_the_synonyms_admin_is_for_staff_only(client, earrings):
    response = client.get(admin_url(SearchSynonym, "changelist"))
    assert response.status_code == 302 and "login" in response["Location"]
