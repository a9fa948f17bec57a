"""
Deleting one's own account (/accounts/delete/): the password, then everything only theirs removed in one
transaction, what makers and staff rely on kept without their name; makers refused; CSRF and rate limit.
"""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.models import (
    Follow,
    PersonalizationRequest,
    PieceReport,
    Profile,
    RequestMessage,
    RequestState,
    SavedPiece,
    SavedSearch,
)
from catalog.models.people import FORMER_SHOPPER
from catalog.people.forms import ERROR_PASSWORD_EMPTY, ERROR_PASSWORD_WRONG
from catalog.people.services import account_delete
from catalog.people.tests.helpers import finished_request_of, shopper_with_everything
from catalog.people.views import DELETE_ATTEMPTS_PER_WINDOW, MESSAGE_DELETED
from catalog.personalization.emails import request_notify
from catalog.personalization.roles import STAFF
from catalog.tests.factories import PieceFactory
from catalog.tests.request_helpers import request_in
from catalog.trust.emails import report_outcome_send

pytestmark = pytest.mark.django_db

DELETE_URL = reverse("people:delete")
PASSWORD = "a-long-test-password"  # artisans.tests.factories.UserFactory's
User = get_user_model()


@pytest.fixture
def ada(client):
    user = shopper_with_everything("Ada")
    client.force_login(user)
    return user


def rows_of(user):
    return {
        "profile": Profile.objects.filter(user=user).count(),
        "emails": EmailAddress.objects.filter(user=user).count(),
        "saved": SavedPiece.objects.filter(shopper=user).count(),
        "follows": Follow.objects.filter(shopper=user).count(),
        "searches": SavedSearch.objects.filter(shopper=user).count(),
        "requests": PersonalizationRequest.objects.filter(shopper=user).count(),
        "reports": PieceReport.objects.filter(reporter=user).count(),
    }


def assert_nothing_deleted(user, before):
    assert User.objects.filter(pk=user.pk).exists()
    assert rows_of(user) == before


# --- Who may --------------------------------------------------------------------------


def test_a_visitor_is_sent_to_sign_in_and_nothing_happens(client):
    for response in (client.get(DELETE_URL), client.post(DELETE_URL, {"password": PASSWORD})):
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_page_says_what_is_removed_and_what_is_kept(client, ada):
    response = client.get(DELETE_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "What is removed" in html and "What is kept, without your name" in html
    assert "a former shopper" in html
    assert 'type="password"' in html and 'autocomplete="current-password"' in html
    assert '<label for="id_password">Your password</label>' in html


def test_another_shoppers_deletion_touches_only_their_own_account(client, ada):
    bob = shopper_with_everything("Bob")
    before = rows_of(ada)
    bobs_client = Client()
    bobs_client.force_login(bob)
    assert bobs_client.post(DELETE_URL, {"password": PASSWORD}).status_code == 302
    assert not User.objects.filter(pk=bob.pk).exists()
    assert_nothing_deleted(ada, before)


def test_a_maker_is_told_to_write_to_staff_and_their_post_is_refused(client):
    maker = ArtisanFactory().user
    PieceFactory(artisan=maker.artisan)
    client.force_login(maker)
    page = client.get(DELETE_URL).content.decode()
    assert "Our staff close a maker's account" in page and "mailto:hello@atelier.localhost" in page
    assert 'type="password"' not in page
    response = client.post(DELETE_URL, {"password": PASSWORD})
    assert response.status_code == 403
    assert User.objects.filter(pk=maker.pk).exists()


def test_the_service_refuses_a_maker_with_a_code(client):
    maker = ArtisanFactory().user
    with pytest.raises(ValidationError) as refused:
        account_delete(user=maker, contact="hello@atelier.localhost")
    assert refused.value.code == "maker"
    assert User.objects.filter(pk=maker.pk).exists()


def test_a_post_without_the_csrf_token_is_refused(ada):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ada)
    before = rows_of(ada)
    assert strict.post(DELETE_URL, {"password": PASSWORD}).status_code == 403
    assert_nothing_deleted(ada, before)


def test_with_the_csrf_token_the_strict_client_deletes(ada):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ada)
    strict.get(DELETE_URL)
    token = strict.cookies["csrftoken"].value
    assert strict.post(DELETE_URL, {"password": PASSWORD, "csrfmiddlewaretoken": token}).status_code == 302
    assert not User.objects.filter(pk=ada.pk).exists()


# --- Bad passwords ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("not-my-password", ERROR_PASSWORD_WRONG),
        ("", ERROR_PASSWORD_EMPTY),
        ("x" * 10_000, ERROR_PASSWORD_WRONG),
        ("<script>alert(1)</script>", ERROR_PASSWORD_WRONG),
        (PASSWORD + " ", ERROR_PASSWORD_WRONG),  # a password is never stripped
    ],
)
def test_a_wrong_empty_or_overlong_password_deletes_nothing_and_says_so(client, ada, typed, error):
    before = rows_of(ada)
    response = client.post(DELETE_URL, {"password": typed})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert_nothing_deleted(ada, before)


def test_a_missing_password_field_deletes_nothing(client, ada):
    before = rows_of(ada)
    response = client.post(DELETE_URL, {})
    assert response.status_code == 400 and ERROR_PASSWORD_EMPTY in response.content.decode()
    assert_nothing_deleted(ada, before)


def test_password_attempts_are_rate_limited_even_the_right_one_past_the_limit(client, ada):
    before = rows_of(ada)
    for _ in range(DELETE_ATTEMPTS_PER_WINDOW):
        assert client.post(DELETE_URL, {"password": "guess"}).status_code == 400
    response = client.post(DELETE_URL, {"password": PASSWORD})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert_nothing_deleted(ada, before)


def test_an_account_without_a_password_is_offered_to_set_one(client):
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    html = client.get(DELETE_URL).content.decode()
    assert 'type="password"' not in html and reverse("account_reset_password") in html
    assert client.post(DELETE_URL, {"password": ""}).status_code == 400
    assert User.objects.filter(pk=user.pk).exists()


# --- The right password ------------------------------------------------------------------


def test_the_right_password_deletes_the_account_signs_out_and_says_so(client, ada):
    response = client.post(DELETE_URL, {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("catalog:home")
    assert [str(message) for message in get_messages(response.wsgi_request)] == [MESSAGE_DELETED]
    home = client.get(reverse("catalog:home"))
    assert not home.wsgi_request.user.is_authenticated
    assert MESSAGE_DELETED in home.content.decode()


def test_what_was_only_theirs_is_removed(client, ada):
    pk = ada.pk
    client.post(DELETE_URL, {"password": PASSWORD})
    assert not User.objects.filter(pk=pk).exists()
    assert not Profile.objects.filter(user_id=pk).exists()
    assert not EmailAddress.objects.filter(user_id=pk).exists()
    assert not EmailAddress.objects.filter(email__startswith="ada").exists()
    assert not SavedPiece.objects.filter(shopper_id=pk).exists()
    assert not Follow.objects.filter(shopper_id=pk).exists()
    assert not SavedSearch.objects.filter(shopper_id=pk).exists()


def test_their_sessions_on_other_devices_sign_nobody_in(client, ada):
    phone = Client()
    phone.force_login(ada)
    assert phone.get(reverse("people:name")).status_code == 200
    client.post(DELETE_URL, {"password": PASSWORD})
    response = phone.get(reverse("people:name"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_requests_and_reports_are_kept_without_them_and_open_requests_are_withdrawn(client, ada):
    requests = list(PersonalizationRequest.objects.filter(shopper=ada).order_by("pk"))
    finished = finished_request_of(ada)
    reports = list(PieceReport.objects.filter(reporter=ada).values_list("pk", flat=True))
    client.post(DELETE_URL, {"password": PASSWORD})
    for item in requests:
        item.refresh_from_db()
        assert item.shopper_id is None
        assert item.state == RequestState.WITHDRAWN
        line = item.messages.get(action="shopper_left")
        assert line.author_id is None
        # The shopper's own words stay in the maker's thread, without their account.
        assert item.messages.filter(body__startswith="From shopper Ada", author__isnull=True).count() == 1
        assert item.messages.filter(body__startswith="From maker Ada", author=item.artisan.user).count() == 1
    finished.refresh_from_db()
    assert finished.state == RequestState.COMPLETED and finished.shopper_id is None
    assert finished.messages.filter(action="shopper_left").count() == 0
    assert set(PieceReport.objects.filter(pk__in=reports).values_list("reporter", flat=True)) == {None}


def test_each_maker_is_told_by_email_and_the_deleted_shopper_is_not(client, ada, django_capture_on_commit_callbacks):
    makers = {item.artisan.user.email for item in PersonalizationRequest.objects.filter(shopper=ada)}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(DELETE_URL, {"password": PASSWORD})
    assert {message.to[0] for message in mail.outbox} == makers
    assert all("the shopper deleted their account" in message.subject for message in mail.outbox)
    assert all("ada@mail.test" not in message.to for message in mail.outbox)


def test_a_request_in_any_open_state_is_withdrawn_and_a_closed_one_keeps_its_state():
    shopper = UserFactory()
    states = [
        RequestState.SUBMITTED,
        RequestState.QUOTED,
        RequestState.ACCEPTED,
        RequestState.PROOF_SHARED,
        RequestState.PROOF_APPROVED,
        RequestState.IN_PROGRESS,
        RequestState.DECLINED,
        RequestState.EXPIRED,
        RequestState.CLOSED,
    ]
    items = [request_in(state, shopper=shopper) for state in states]
    done = account_delete(user=shopper)
    assert done.requests_withdrawn == 6 and done.requests_kept == len(states)
    after = [PersonalizationRequest.objects.get(pk=item.pk).state for item in items]
    assert after == [RequestState.WITHDRAWN] * 6 + [RequestState.DECLINED, RequestState.EXPIRED, RequestState.CLOSED]


# --- No 500 where the request appears ------------------------------------------------------


@pytest.fixture
def former(client, ada):
    """A request of Ada's, after she deleted her account."""
    item = PersonalizationRequest.objects.filter(shopper=ada).select_related("artisan__user").first()
    client.post(DELETE_URL, {"password": PASSWORD})
    item.refresh_from_db()
    return item


def test_the_makers_inbox_and_thread_show_a_former_shopper(former):
    maker = Client()
    maker.force_login(former.artisan.user)
    inbox = maker.get(reverse("studio:requests"))
    assert inbox.status_code == 200 and FORMER_SHOPPER in inbox.content.decode()
    thread = maker.get(reverse("studio:request_detail", args=[former.pk]))
    html = thread.content.decode()
    assert thread.status_code == 200
    assert "from a former shopper" in html
    assert f"<strong>{FORMER_SHOPPER}</strong>" in html  # the shopper's own lines
    assert "withdrew the request: the shopper deleted their account" in html
    assert "From shopper Ada" in html and "FirstAda" not in html and "Display Ada" not in html


def test_the_maker_can_no_longer_act_on_the_withdrawn_request(former):
    maker = Client()
    maker.force_login(former.artisan.user)
    response = maker.post(reverse("studio:request_action", args=[former.pk, "quote"]), {"price": "10"})
    assert response.status_code in (302, 400)
    former.refresh_from_db()
    assert former.state == RequestState.WITHDRAWN


def test_the_admin_pages_of_the_request_and_the_report_work(former):
    staff = Client()
    staff.force_login(StaffFactory())
    changelist = staff.get(reverse("admin:catalog_personalizationrequest_changelist"))
    assert changelist.status_code == 200 and FORMER_SHOPPER in changelist.content.decode()
    assert staff.get(reverse("admin:catalog_personalizationrequest_change", args=[former.pk])).status_code == 200
    assert staff.get(reverse("admin:catalog_requestmessage_changelist")).status_code == 200
    assert staff.get(reverse("admin:catalog_piecereport_changelist")).status_code == 200
    report = PieceReport.objects.filter(reporter__isnull=True).first()
    assert staff.get(reverse("admin:catalog_piecereport_change", args=[report.pk])).status_code == 200


def test_emails_about_a_former_shoppers_request_go_to_the_maker_only(former):
    mail.outbox.clear()
    request_notify(request=former, action="close", actor_role=STAFF)
    assert [message.to for message in mail.outbox] == [[former.artisan.user.email]]
    report = PieceReport.objects.filter(reporter__isnull=True).first()
    report_outcome_send(report=report, review=None)  # nobody to tell: nothing sent, no error
    assert len(mail.outbox) == 1


def test_the_messages_left_in_the_thread_still_exist(former):
    assert RequestMessage.objects.filter(request=former, author__isnull=True, body__startswith="From shopper").exists()


# --- Staff, in the admin --------------------------------------------------------------------


def test_staff_deleting_a_maker_with_pieces_see_what_is_protected_and_nothing_is_deleted():
    maker = ArtisanFactory(name="Maker With Pieces").user
    PieceFactory(artisan=maker.artisan, title="Protected ring")
    staff = Client()
    staff.force_login(StaffFactory())
    url = reverse("admin:auth_user_delete", args=[maker.pk])
    page = staff.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "protected" in html and "Protected ring" in html
    assert staff.post(url, {"post": "yes"}).status_code == 200
    assert User.objects.filter(pk=maker.pk).exists()


def test_staff_deleting_a_shopper_in_the_admin_goes_through_the_same_service():
    shopper = shopper_with_everything("Cid", count=1)
    item = PersonalizationRequest.objects.get(shopper=shopper)
    staff = Client()
    staff.force_login(StaffFactory())
    url = reverse("admin:auth_user_delete", args=[shopper.pk])
    page = staff.get(url)
    html = page.content.decode().split('id="content"')[1]  # the page, not the admin's navigation
    # Django's confirmation lists what would be removed; requests and reports are not among them.
    assert page.status_code == 200
    for removed in ("Email addresses: 2", "Public names: 1", "Saved pieces: 1", "Follows: 1", "Saved searches: 1"):
        assert removed in html
    assert "Personalization request" not in html and "Piece report" not in html
    assert staff.post(url, {"post": "yes"}).status_code == 302
    assert not User.objects.filter(pk=shopper.pk).exists()
    item.refresh_from_db()
    assert item.state == RequestState.WITHDRAWN and item.shopper_id is None
