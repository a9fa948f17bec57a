"""Accounts for shoppers and makers: sign up with email verification, sign in and out, reset, rate limits."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from artisans.tests.factories import UserFactory

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


def test_sign_up_sends_a_verification_email_in_html_and_text_and_confirming_signs_in(client):
    response = client.post(
        reverse("account_signup"), {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD}
    )
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
