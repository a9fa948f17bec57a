"""Who may reach the catalog admin (staff only, every model), and what its piece actions do through the services."""

from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory, UserFactory
from catalog.admin.pieces import MESSAGE_MAKER_NOT_APPROVED_PLURAL, MESSAGE_PUBLISHED_PLURAL
from catalog.admin.tests.admin_helpers import MakerCertificationFactory, admin_url
from catalog.choices import PieceStatus
from catalog.models import (
    Follow,
    ImportedRow,
    ImportJob,
    OutboxEmail,
    Piece,
    Profile,
    SavedPiece,
    SavedSearch,
    SearchSynonym,
)
from catalog.tests.factories import (
    CategoryFactory,
    CertificationFactory,
    CollectionFactory,
    CollectionPieceFactory,
    CopyFlagFactory,
    DescriptionBandFactory,
    MaterialFactory,
    PersonalizationOptionFactory,
    PersonalizationRequestFactory,
    PhotoCropHashFactory,
    PieceFactory,
    PieceImageFactory,
    PieceMaterialFactory,
    PieceReportFactory,
    ProductionStepFactory,
    ReviewFactory,
    StyleFactory,
    TechniqueFactory,
    TraditionFactory,
    TrustEventFactory,
)

pytestmark = pytest.mark.django_db


CATALOG_MODELS = [model for model in admin.site._registry if model._meta.app_label == "catalog"]

# One saved row of each catalog model, for its change page.
FACTORIES = {
    "category": CategoryFactory,
    "material": MaterialFactory,
    "technique": TechniqueFactory,
    "tradition": TraditionFactory,
    "style": StyleFactory,
    "certification": CertificationFactory,
    "makercertification": MakerCertificationFactory,
    "piece": PieceFactory,
    "productionstep": ProductionStepFactory,
    "piecematerial": PieceMaterialFactory,
    "pieceimage": PieceImageFactory,
    "personalizationoption": PersonalizationOptionFactory,
    "collection": CollectionFactory,
    "collectionpiece": CollectionPieceFactory,
    "personalizationrequest": PersonalizationRequestFactory,
    "requestmessage": lambda: PersonalizationRequestFactory().messages.create(body="Hello"),
    "requestphoto": lambda: PersonalizationRequestFactory().photos.create(image="requests/x.png"),
    "review": ReviewFactory,
    "trustevent": TrustEventFactory,
    "copyflag": CopyFlagFactory,
    "piecereport": PieceReportFactory,
    "descriptionband": DescriptionBandFactory,
    "photocrophash": PhotoCropHashFactory,
    "pieceviewday": lambda: PieceFactory().view_days.create(day="2026-11-27", views=3),
    "profile": lambda: Profile.objects.create(user=UserFactory(), display_name="Ada L."),
    "outboxemail": lambda: OutboxEmail.objects.create(message_id="<1@a>", from_email="a@a", to=["b@a"], subject="Hi"),
    "searchsynonym": lambda: SearchSynonym.objects.create(phrase="huggies", facet="category", value="earrings"),
    "savedpiece": lambda: SavedPiece.objects.create(shopper=UserFactory(), piece=PieceFactory()),
    "follow": lambda: Follow.objects.create(shopper=UserFactory(), artisan=ArtisanFactory()),
    "savedsearch": lambda: SavedSearch.objects.create(shopper=UserFactory(), name="Silver", query="metal=silver"),
    "importjob": lambda: ImportJob.objects.create(
        artisan=ArtisanFactory(), format="atelier", csv_name="pieces.csv", csv_bytes=b"title\n"
    ),
    "importedrow": lambda: ImportedRow.objects.create(
        job=ImportJob.objects.create(artisan=ArtisanFactory(), format="atelier", csv_name="a.csv", csv_bytes=b""),
        number=2,
        piece=PieceFactory(),
        created=True,
    ),
}
# Requests, their threads and photos are written by shoppers and makers, never added in the admin;
# the review queue's rows are written by its services.
NOT_ADDED_IN_ADMIN = {
    "outboxemail",
    "pieceviewday",
    "personalizationrequest",
    "requestmessage",
    "requestphoto",
    "review",
    "trustevent",
    "copyflag",
    "piecereport",
    "descriptionband",
    "photocrophash",
    # What shoppers keep is written by them alone (catalog.shoppers).
    "savedpiece",
    "follow",
    "savedsearch",
    # Imports are made by uploading a file (the studio, or the admin's "Import for a maker"), never as a row.
    "importjob",
    "importedrow",
}


def run_action(client, action, pieces):
    return client.post(
        admin_url(Piece, "changelist"),
        {"action": action, admin.helpers.ACTION_CHECKBOX_NAME: [piece.pk for piece in pieces]},
    )


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Who may reach the admin -------------------------------------------------------


def test_every_catalog_model_is_registered_with_the_admin():
    for model in apps.get_app_config("catalog").get_models():
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize("model", CATALOG_MODELS, ids=lambda model: model._meta.model_name)
def test_staff_can_open_the_list_add_and_change_pages_of_every_catalog_model(admin_client, model):
    row = FACTORIES[model._meta.model_name]()
    for url in (admin_url(model, "changelist"), admin_url(model, "add"), admin_url(model, "change", row.pk)):
        expected = 403 if url.endswith("/add/") and model._meta.model_name in NOT_ADDED_IN_ADMIN else 200
        assert admin_client.get(url).status_code == expected, url


@pytest.mark.parametrize("model", CATALOG_MODELS, ids=lambda model: model._meta.model_name)
def test_anonymous_visitors_are_sent_to_the_login_page(client, model):
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("who", ["shopper", "maker"])
@pytest.mark.parametrize("model", CATALOG_MODELS, ids=lambda model: model._meta.model_name)
def test_signed_in_shoppers_and_makers_are_sent_to_the_login_page(client, model, who):
    client.force_login(UserFactory() if who == "shopper" else ArtisanFactory().user)
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("action", ["publish", "hide", "feature", "unfeature"])
def test_a_signed_in_non_staff_user_cannot_run_piece_actions(client, action):
    piece = PieceFactory(status=PieceStatus.DRAFT, published_at=None, featured=action == "unfeature")
    client.force_login(piece.artisan.user)
    response = run_action(client, action, [piece])
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    unchanged = Piece.objects.get(pk=piece.pk)
    assert (unchanged.status, unchanged.published_at, unchanged.featured) == (
        PieceStatus.DRAFT,
        None,
        action == "unfeature",
    )


def test_an_anonymous_visitor_cannot_publish_pieces(client):
    piece = PieceFactory(status=PieceStatus.DRAFT, published_at=None)
    response = run_action(client, "publish", [piece])
    assert response.status_code == 302
    assert Piece.objects.get(pk=piece.pk).status == PieceStatus.DRAFT


# --- Piece actions -----------------------------------------------------------------


def test_publishing_sets_the_status_and_a_first_publication_date(admin_client):
    first_published = datetime(2024, 3, 1, tzinfo=UTC)
    draft = PieceFactory(status=PieceStatus.DRAFT, published_at=None)
    hidden = PieceFactory(status=PieceStatus.HIDDEN, published_at=first_published)

    response = run_action(admin_client, "publish", [draft, hidden])

    assert response.status_code == 302
    draft.refresh_from_db()
    hidden.refresh_from_db()
    assert draft.status == hidden.status == PieceStatus.PUBLISHED
    assert timezone.now() - draft.published_at < timedelta(minutes=1)
    assert hidden.published_at == first_published
    assert MESSAGE_PUBLISHED_PLURAL % {"count": 2} in messages_of(response)


def test_publishing_pieces_of_makers_not_approved_works_and_says_they_stay_off_the_site(admin_client):
    pending = PieceFactory(status=PieceStatus.DRAFT, artisan__status=ArtisanStatus.PENDING)
    suspended = PieceFactory(status=PieceStatus.DRAFT, artisan__status=ArtisanStatus.SUSPENDED)
    approved = PieceFactory(status=PieceStatus.DRAFT)

    response = run_action(admin_client, "publish", [pending, suspended, approved])

    assert set(Piece.objects.values_list("status", flat=True)) == {PieceStatus.PUBLISHED}
    assert list(Piece.objects.published()) == [approved]
    assert MESSAGE_MAKER_NOT_APPROVED_PLURAL % {"count": 2} in messages_of(response)


def test_hiding_takes_pieces_off_the_public_site(admin_client):
    piece = PieceFactory()
    run_action(admin_client, "hide", [piece])
    piece.refresh_from_db()
    assert piece.status == PieceStatus.HIDDEN
    assert not Piece.objects.published().exists()


def test_featuring_and_unfeaturing_pieces(admin_client):
    piece, other = PieceFactory(), PieceFactory()

    run_action(admin_client, "feature", [piece, other])
    assert set(Piece.objects.values_list("featured", flat=True)) == {True}

    run_action(admin_client, "unfeature", [piece])
    piece.refresh_from_db()
    other.refresh_from_db()
    assert (piece.featured, other.featured) == (False, True)
