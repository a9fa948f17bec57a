"""The makers' admin: staff only, approve, suspend and verify through the services, a fixed query count."""

from datetime import UTC, datetime, timedelta
from io import BytesIO

import factory
import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from artisans.admin import MESSAGE_APPROVED_PLURAL, MESSAGE_UNCHANGED, MESSAGE_VERIFIED
from artisans.choices import ArtisanStatus, MakerType, WorkshopSize
from artisans.models import Artisan, ProcessPhoto
from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def png(name="workshop.png"):
    buffer = BytesIO()
    Image.new("RGB", (40, 50), (120, 90, 60)).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name=name)


class ProcessPhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessPhoto

    artisan = factory.SubFactory(ArtisanFactory)
    image = factory.LazyFunction(png)
    alt_text = "Hands soldering a silver band"


ARTISANS_MODELS = [model for model in admin.site._registry if model._meta.app_label == "artisans"]
FACTORIES = {
    "artisan": ArtisanFactory,
    "processphoto": ProcessPhotoFactory,
    # The approval queue lists pending makers only, and makers apply on the site, not in it.
    "application": lambda: ArtisanFactory(status=ArtisanStatus.PENDING),
}
ADD_REFUSED = {"application"}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def run_action(client, action, artisans):
    return client.post(
        admin_url(Artisan, "changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [artisan.pk for artisan in artisans]},
    )


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def staff_client(client):
    staff = StaffFactory()
    client.force_login(staff)
    client.staff = staff
    return client


# --- Who may reach the admin ------------------------------------------------------


def test_every_artisans_model_is_registered_with_the_admin():
    for model in apps.get_app_config("artisans").get_models():
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize("model", ARTISANS_MODELS, ids=lambda model: model._meta.model_name)
def test_staff_can_open_the_list_add_and_change_pages(staff_client, model):
    row = FACTORIES[model._meta.model_name]()
    for url in (admin_url(model, "changelist"), admin_url(model, "change", row.pk)):
        assert staff_client.get(url).status_code == 200, url
    expected = 403 if model._meta.model_name in ADD_REFUSED else 200
    assert staff_client.get(admin_url(model, "add")).status_code == expected


@pytest.mark.parametrize("model", ARTISANS_MODELS, ids=lambda model: model._meta.model_name)
def test_anonymous_visitors_are_sent_to_the_login_page(client, model):
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("who", ["shopper", "maker"])
@pytest.mark.parametrize("model", ARTISANS_MODELS, ids=lambda model: model._meta.model_name)
def test_signed_in_shoppers_and_makers_are_sent_to_the_login_page(client, model, who):
    client.force_login(UserFactory() if who == "shopper" else ArtisanFactory().user)
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("action", ["approve", "suspend", "verify"])
def test_a_maker_cannot_run_the_review_actions_on_themselves(client, action):
    maker = ArtisanFactory(status=ArtisanStatus.PENDING if action == "approve" else ArtisanStatus.APPROVED)
    before = Artisan.objects.values("status", "is_verified", "verified_at").get(pk=maker.pk)
    client.force_login(maker.user)

    response = run_action(client, action, [maker])

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert Artisan.objects.values("status", "is_verified", "verified_at").get(pk=maker.pk) == before


def test_an_anonymous_visitor_cannot_approve_makers(client):
    maker = ArtisanFactory(status=ArtisanStatus.PENDING)
    assert run_action(client, "approve", [maker]).status_code == 302
    assert Artisan.objects.get(pk=maker.pk).status == ArtisanStatus.PENDING


# --- Review actions -------------------------------------------------------------


def test_approving_makers(staff_client):
    pending = ArtisanFactory.create_batch(2, status=ArtisanStatus.PENDING)
    already = ArtisanFactory(status=ArtisanStatus.APPROVED)

    response = run_action(staff_client, "approve", [*pending, already])

    assert set(Artisan.objects.values_list("status", flat=True)) == {ArtisanStatus.APPROVED}
    assert MESSAGE_APPROVED_PLURAL % {"count": 2} in messages_of(response)
    assert MESSAGE_UNCHANGED % {"count": 1, "state": "approved"} in messages_of(response)


def test_suspending_makers(staff_client):
    maker, other = ArtisanFactory(), ArtisanFactory()
    run_action(staff_client, "suspend", [maker])
    maker.refresh_from_db()
    other.refresh_from_db()
    assert (maker.status, other.status) == (ArtisanStatus.SUSPENDED, ArtisanStatus.APPROVED)


def test_verifying_a_maker_records_who_and_when(staff_client):
    maker = ArtisanFactory()

    response = run_action(staff_client, "verify", [maker])

    maker.refresh_from_db()
    assert maker.is_verified
    assert maker.verified_by == staff_client.staff
    assert timezone.now() - maker.verified_at < timedelta(minutes=1)
    assert MESSAGE_VERIFIED % {"count": 1} in messages_of(response)


def test_verifying_again_keeps_the_first_check(staff_client):
    first_checker = StaffFactory()
    first_checked = datetime(2024, 5, 2, tzinfo=UTC)
    maker = ArtisanFactory(is_verified=True, verified_by=first_checker, verified_at=first_checked)

    run_action(staff_client, "verify", [maker])

    maker.refresh_from_db()
    assert (maker.verified_by, maker.verified_at) == (first_checker, first_checked)


# --- The change form and the list -------------------------------------------------


def test_verification_fields_and_timestamps_are_read_only_on_the_form():
    maker_admin = admin.site._registry[Artisan]
    assert set(maker_admin.readonly_fields) >= {"is_verified", "verified_by", "verified_at", "created_at", "updated_at"}


def test_the_change_form_shows_the_process_photos_with_a_preview(staff_client):
    photo = ProcessPhotoFactory()
    response = staff_client.get(admin_url(Artisan, "change", photo.artisan.pk))
    assert f'alt="{photo.alt_text}"' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status__exact": ArtisanStatus.PENDING}, {"Pending"}),
        ({"maker_type__exact": MakerType.BRAND}, {"Brand"}),
        ({"workshop_size__exact": WorkshopSize.FACTORY}, {"Brand"}),
        ({"country": "MX"}, {"Pending"}),
        ({"is_verified__exact": "1"}, {"Verified"}),
        ({"q": "brand"}, {"Brand"}),
        ({"q": "pending-maker@example.com"}, {"Pending"}),
    ],
    ids=lambda value: "&".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else "-",
)
def test_the_maker_list_filters_and_search(staff_client, params, expected):
    ArtisanFactory(name="Pending", status=ArtisanStatus.PENDING, country="MX", user__username="pending-maker")
    ArtisanFactory(name="Brand", maker_type=MakerType.BRAND, workshop_size=WorkshopSize.FACTORY)
    ArtisanFactory(name="Verified", is_verified=True, verified_at=timezone.now())

    response = staff_client.get(admin_url(Artisan, "changelist"), params)

    assert {artisan.name for artisan in response.context["cl"].result_list} == expected


# Each request opens and releases a savepoint (ATOMIC_REQUESTS: 2) and reads the
# session and the user (2); then the two counts (2), the makers with their piece
# counts as one annotated query (1), and the countries of the filter (1).
ARTISAN_LIST_QUERIES = 4 + 2 + 1 + 1


@pytest.mark.parametrize("rows", [3, 9])
def test_the_maker_list_costs_the_same_queries_for_3_or_9_makers(staff_client, django_assert_max_num_queries, rows):
    for index in range(rows):
        ArtisanFactory(country=["PT", "MX", "IN"][index % 3])

    with django_assert_max_num_queries(ARTISAN_LIST_QUERIES):
        response = staff_client.get(admin_url(Artisan, "changelist"))

    assert len(response.context["cl"].result_list) == rows
