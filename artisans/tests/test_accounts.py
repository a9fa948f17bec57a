"""Accounts: sign up (with the names makers see) and email verification, sign in and out, reset, rate limits."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from artisans.tests.factories import UserFactory
from catalog.models import Profile
from catalog.models.people import ERROR_NAME_EMAIL, public_name

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def verified_user(email="ana@example.com"):
    user = UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def sign_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_the_account_pages_use_the_sites_layout(client):
    for name in ("account_login", "account_signup", "account_reset_password"):
        page = client.get(reverse(name)).content.decode()
        assert 'class="site-header"' in page, name


def sign_up(client, **fields):
    data = {"first_name": "Ada", "last_name": "Lovelace", "email": "new@example.com"}
    return client.post(reverse("account_signup"), {**data, "password1": PASSWORD, "password2": PASSWORD, **fields})


def test_sign_up_sends_a_verification_email_in_html_and_text_and_confirming_signs_in(client):
    response = sign_up(client)
    assert response.status_code == 302
    user = get_user_model().objects.get(email="new@example.com")
    [email] = mail.outbox
    assert email.to == ["new@example.com"]
    html, kind = email.alternatives[0]
    assert kind == "text/html"
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", email.body).group(0)
    assert link in html

    # Until the address is confirmed, signing in is refused and another email goes out.
    sign_in(client, "new@example.com")
    assert "_auth_user_id" not in client.session

    path = link.split("testserver", 1)[1]
    client.post(path)
    assert EmailAddress.objects.get(user=user).verified
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_verified_user_signs_in_and_out(client):
    user = verified_user()
    response = sign_in(client, "ana@example.com")
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_the_header_offers_sign_in_and_up_then_the_studio_or_selling(client):
    page = client.get("/").content.decode()
    assert "Sign in" in page and "Sign up" in page and "Sell on Atelier" in page
    client.force_login(verified_user())
    page = client.get("/").content.decode()
    assert "Sign out" in page and "Sell on Atelier" in page


def test_password_reset_is_sent_by_email_with_an_html_part(client):
    verified_user()
    client.post(reverse("account_reset_password"), {"email": "ana@example.com"})
    [email] = mail.outbox
    assert "/accounts/password/reset/key/" in email.body
    assert email.alternatives[0][1] == "text/html"


def test_failed_sign_ins_are_limited_per_account(client):
    verified_user()
    for _ in range(5):
        sign_in(client, "ana@example.com", password="wrong")
    response = sign_in(client, "ana@example.com")  # even the right password is refused for now
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_failed_sign_ins_are_limited_per_address(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip,100/m/key"}
    for n in range(3):
        sign_in(client, f"someone{n}@example.com", password="wrong")
    verified_user("fresh@example.com")
    response = sign_in(client, "fresh@example.com")
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_the_sign_up_page_asks_the_names_and_says_makers_see_the_display_name_not_the_address(client):
    page = client.get(reverse("account_signup")).content.decode()
    for name in ("first_name", "last_name", "display_name", "email", "password1", "password2"):
        assert f'name="{name}"' in page, name
    assert "What makers see on your requests and in their threads" in page
    assert "Your email address is never shown to them." in page


def test_sign_up_with_names_stores_them_and_the_chosen_display_name(client):
    assert sign_up(client, display_name="  Countess  of Numbers ").status_code == 302
    user = get_user_model().objects.get(email="new@example.com")
    assert (user.first_name, user.last_name) == ("Ada", "Lovelace")
    assert Profile.objects.get(user=user).display_name == "Countess of Numbers"
    assert public_name(user) == "Countess of Numbers"


def test_sign_up_without_a_display_name_shows_the_first_name_and_last_initial(client):
    sign_up(client, display_name="")
    user = get_user_model().objects.get(email="new@example.com")
    assert Profile.objects.get(user=user).display_name == ""
    assert public_name(user) == "Ada L."


def test_sign_up_needs_a_first_name_and_refuses_an_address_as_a_name(client):
    response = sign_up(client, first_name="  ")
    assert response.status_code == 200 and "Write your first name" in response.content.decode()
    response = sign_up(client, display_name="new@example.com")
    assert escape(ERROR_NAME_EMAIL) in response.content.decode()
    response = sign_up(client, first_name="new@example.com")
    assert escape(ERROR_NAME_EMAIL) in response.content.decode()
    assert not get_user_model().objects.exists()
    assert not Profile.objects.exists()
