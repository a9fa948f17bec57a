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


# --- Approve and refuse from an application's page -------------------------------------

from django.contrib.auth.models import Permission  # noqa: E402
from django.core import mail  # noqa: E402

from artisans.admin import (  # noqa: E402
    MESSAGE_APPLICATION_APPROVED,
    MESSAGE_APPLICATION_DECIDED,
    MESSAGE_APPLICATION_REFUSED,
    MESSAGE_APPLICATION_REFUSED_ALREADY,
)
from artisans.models import Application  # noqa: E402
from artisans.services import ERROR_REFUSAL_REASON  # noqa: E402


def application_url(view, application):
    return reverse(f"admin:artisans_application_{view}", args=[application.pk])


@pytest.fixture
def application():
    return ArtisanFactory(name="Oficina Ferro", status=ArtisanStatus.PENDING, applied_at=timezone.now())


def test_an_applications_page_offers_approve_and_refuse_as_post_forms(staff_client, application):
    body = staff_client.get(application_url("change", application)).content.decode()
    assert f'<form method="post" action="{application_url("approve", application)}"' in body
    assert f'<form method="post" action="{application_url("refuse", application)}"' in body
    assert 'name="reason"' in body and "Reason for refusing" in body


def test_approving_from_the_page_approves_emails_and_goes_back_to_the_queue(
    staff_client, application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(application_url("approve", application))
    assert response.status_code == 302 and response.url == admin_url(Application, "changelist")
    application.refresh_from_db()
    assert application.status == ArtisanStatus.APPROVED
    assert MESSAGE_APPLICATION_APPROVED % {"name": "Oficina Ferro"} in messages_of(response)
    assert [email.to for email in mail.outbox] == [[application.user.email]]


def test_approving_twice_changes_nothing_the_second_time(staff_client, application, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(application_url("approve", application))
        again = staff_client.post(application_url("approve", application))
    assert again.status_code == 302
    assert MESSAGE_APPLICATION_DECIDED % {"name": "Oficina Ferro", "status": "Approved"} in messages_of(again)
    assert len(mail.outbox) == 1


def test_a_get_to_approve_or_refuse_changes_nothing(staff_client, application):
    assert staff_client.get(application_url("approve", application)).status_code == 405
    refuse_page = staff_client.get(application_url("refuse", application))
    assert refuse_page.status_code == 200 and "Reason for refusing" in refuse_page.content.decode()
    application.refresh_from_db()
    assert (application.status, application.refused_at) == (ArtisanStatus.PENDING, None)


def test_refusing_from_the_page_records_the_reason_and_emails_it(
    staff_client, application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(application_url("refuse", application), {"reason": "Show the bench, please."})
    assert response.status_code == 302 and response.url == admin_url(Application, "changelist")
    application.refresh_from_db()
    assert application.is_refused and application.refusal_reason == "Show the bench, please."
    assert application.refused_by == staff_client.staff
    assert MESSAGE_APPLICATION_REFUSED % {"name": "Oficina Ferro"} in messages_of(response)
    (email,) = mail.outbox
    assert "Show the bench, please." in email.body


def test_refusing_twice_keeps_the_first_reason_and_sends_one_email(
    staff_client, application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(application_url("refuse", application), {"reason": "Show the bench, please."})
        again = staff_client.post(application_url("refuse", application), {"reason": "Another reason."})
    application.refresh_from_db()
    assert application.refusal_reason == "Show the bench, please." and len(mail.outbox) == 1
    date = f"{application.refused_at:%d %b %Y}"
    assert MESSAGE_APPLICATION_REFUSED_ALREADY % {"name": "Oficina Ferro", "date": date} in messages_of(again)


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_refusing_without_a_reason_shows_the_error_at_the_reason_and_changes_nothing(staff_client, application, reason):
    response = staff_client.post(application_url("refuse", application), {"reason": reason})
    assert response.status_code == 200
    body = response.content.decode()
    error = ERROR_REFUSAL_REASON.replace("'", "&#x27;")
    # The error sits in the reason's block, above it, and the textarea takes the focus (the page opens there).
    block = body[body.index('id="refusal"') :]
    assert block.index(error) < block.index("<textarea")
    assert "autofocus" in block[block.index("<textarea") : block.index("</textarea>")]
    assert 'aria-invalid="true"' in block
    assert f'action="{application_url("refuse", application)}"' in body
    application.refresh_from_db()
    assert application.refused_at is None


@pytest.mark.parametrize("who", ["anonymous", "shopper", "maker"])
def test_only_staff_approve_or_refuse_an_application(client, application, who):
    if who == "shopper":
        client.force_login(UserFactory())
    elif who == "maker":
        client.force_login(application.user)
    for view, data in (("approve", {}), ("refuse", {"reason": "No."})):
        response = client.post(application_url(view, application), data)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    application.refresh_from_db()
    assert (application.status, application.refused_at) == (ArtisanStatus.PENDING, None)


def test_staff_without_the_right_to_change_applications_are_refused(client, application):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_application"))
    client.force_login(viewer)
    assert client.get(application_url("change", application)).status_code == 200
    for view, data in (("approve", {}), ("refuse", {"reason": "No."})):
        assert client.post(application_url(view, application), data).status_code == 403
    application.refresh_from_db()
    assert application.status == ArtisanStatus.PENDING


def test_an_unknown_application_is_a_404(staff_client):
    response = staff_client.post(reverse("admin:artisans_application_approve", args=[999_999]))
    assert response.status_code == 404


def test_the_queue_says_who_each_application_waits_for(staff_client, application):
    ArtisanFactory(name="Refused once", status=ArtisanStatus.PENDING, refused_at=timezone.now(), refusal_reason="x")
    body = staff_client.get(admin_url(Application, "changelist")).content.decode()
    assert "waiting for" in body.lower()
    assert "the maker&#x27;s changes" in body and ">staff<" in body
