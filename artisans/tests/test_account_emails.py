"""The account emails (allauth's) in Atelier's name: both parts branded, never the request's host or example.com."""

from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from artisans.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
BRAND = "Atelier · jewelry that shows how it was made"
# What allauth's own templates said: the request's host, Sites' default domain, its greeting.
UNBRANDED = ("127.0.0.1", "example.com", "testserver!", "Hello from", "Thank you for using")
TEMPLATES = Path(settings.BASE_DIR) / "templates" / "account" / "email"


def assert_branded(email):
    html, kind = email.alternatives[0]
    assert kind == "text/html"
    assert email.subject.startswith("Atelier: ")
    for part in (email.body, html):
        assert BRAND in part
        for word in UNBRANDED:
            assert word not in part, word


def verified_user(email):
    user = UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def test_the_sign_up_confirmation_is_branded_in_its_text_and_html_parts(client):
    client.post(
        reverse("account_signup"),
        {"first_name": "Ana", "email": "new@mail.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    [email] = mail.outbox
    assert_branded(email)
    assert email.body.startswith("Atelier\n\nPlease confirm that this is your email address")
    assert "Confirm my email address: http://testserver/accounts/confirm-email/" in email.body


def test_the_password_reset_is_branded_in_its_text_and_html_parts(client):
    verified_user("ana@mail.test")
    client.post(reverse("account_reset_password"), {"email": "ana@mail.test"})
    [email] = mail.outbox
    assert_branded(email)
    assert "Choose a new password: http://testserver/accounts/password/reset/key/" in email.body


def test_a_reset_for_an_unknown_address_is_branded_in_both_parts(client):
    client.post(reverse("account_reset_password"), {"email": "nobody@mail.test"})
    [email] = mail.outbox
    assert_branded(email)
    assert "there is no account with it" in email.body


def test_signing_up_again_with_a_known_address_gets_a_branded_email_in_both_parts(client):
    verified_user("ana@mail.test")
    client.post(
        reverse("account_signup"),
        {"first_name": "Ana", "email": "ana@mail.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    [email] = mail.outbox
    assert_branded(email)
    assert "already has an account" in email.body


def test_the_emails_name_atelier_even_when_the_site_is_served_from_another_host(client, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    client.post(
        reverse("account_signup"),
        {"first_name": "Ana", "email": "new@mail.test", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST="127.0.0.1",
    )
    [email] = mail.outbox
    # The link leads back to the host in use; nothing else names it.
    assert email.body.count("127.0.0.1") == 1 and "/accounts/confirm-email/" in email.body


@pytest.mark.parametrize(
    "prefix", sorted({path.name.rsplit("_message.", 1)[0] for path in TEMPLATES.glob("*_message.txt")} - {"base"})
)
def test_every_account_email_has_a_branded_text_part_and_an_html_part(prefix):
    context = {
        "SITE_NAME": "Atelier",
        "user": UserFactory.build(email="ana@mail.test"),
        "email": "ana@mail.test",
        "activate_url": "https://atelier.test/accounts/confirm-email/key/",
        "password_reset_url": "https://atelier.test/accounts/password/reset/key/1-key/",
        "signup_url": "https://atelier.test/accounts/signup/",
        "code": "ABC123",
        "from_email": "old@mail.test",
        "to_email": "new@mail.test",
        "deleted_email": "old@mail.test",
        "ip": "192.0.2.1",
        "user_agent": "Firefox <script>",
        "timestamp": timezone.now(),
    }
    text = render_to_string(f"account/email/{prefix}_message.txt", context)
    html = render_to_string(f"account/email/{prefix}_message.html", context)
    subject = render_to_string(f"account/email/{prefix}_subject.txt", context).strip()
    assert subject and "{" not in subject
    for part in (text, html):
        assert BRAND in part
        for word in UNBRANDED:
            assert word not in part, (prefix, word)
    assert "<script>" not in html
