"""The account page of a person's display name (/accounts/name/): only ever their own, checked, escaped."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from artisans.tests.factories import UserFactory
from catalog.models import Profile
from catalog.models.people import (
    DISPLAY_NAME_MAX_LENGTH,
    ERROR_NAME_BLANK,
    ERROR_NAME_EMAIL,
    ERROR_NAME_UNPRINTABLE,
    public_name,
)

pytestmark = pytest.mark.django_db

NAME_URL = reverse("people:name")


@pytest.fixture
def ada(client):
    user = UserFactory(first_name="Ada", last_name="Lovelace", email="ada.lovelace@mail.test")
    client.force_login(user)
    return user


def test_a_visitor_is_sent_to_sign_in(client):
    for response in (client.get(NAME_URL), client.post(NAME_URL, {"display_name": "Intruder"})):
        assert response.status_code == 302
        assert response.url == f"{reverse('account_login')}?next={NAME_URL}"
    assert not Profile.objects.exists()


def test_the_page_shows_the_name_makers_see_and_starts_from_it(client, ada):
    page = client.get(NAME_URL).content.decode()
    assert 'show you as <strong class="user-text">Ada L.</strong> and never by your email address' in page
    assert 'value="Ada L."' in page
    assert "ada.lovelace@mail.test" not in page


def test_the_header_links_to_the_page_for_a_signed_in_person_only(client, ada):
    assert f'href="{NAME_URL}"' in client.get("/").content.decode()
    client.logout()
    assert f'href="{NAME_URL}"' not in client.get("/").content.decode()


def test_saving_a_display_name_changes_what_others_see(client, ada):
    response = client.post(NAME_URL, {"display_name": "  Countess   of Numbers "})
    assert response.status_code == 302 and response.url == NAME_URL
    ada.refresh_from_db()
    assert public_name(ada) == "Countess of Numbers"
    assert "makers now see you as “Countess of Numbers”" in client.get(NAME_URL).content.decode()


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", ERROR_NAME_BLANK),
        ("     ", ERROR_NAME_BLANK),
        ("n" * (DISPLAY_NAME_MAX_LENGTH + 1), f"Keep it to {DISPLAY_NAME_MAX_LENGTH} characters; this one has 41."),
        ("ada.lovelace@mail.test", ERROR_NAME_EMAIL),
        ("Ada\u200b", ERROR_NAME_UNPRINTABLE),
    ],
)
def test_a_bad_display_name_is_refused_with_its_reason_and_nothing_is_saved(client, ada, typed, error):
    response = client.post(NAME_URL, {"display_name": typed})
    assert response.status_code == 400
    assert escape(error) in response.content.decode()
    assert not Profile.objects.exists()
    assert public_name(ada) == "Ada L."


def test_a_missing_field_is_refused_like_a_blank_one(client, ada):
    response = client.post(NAME_URL, {})
    assert response.status_code == 400
    assert ERROR_NAME_BLANK in response.content.decode()


def test_script_in_a_display_name_is_shown_as_text(client, ada):
    client.post(NAME_URL, {"display_name": "<script>alert(1)</script>"})
    page = client.get(NAME_URL).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_page_edits_only_the_signed_in_persons_name_whatever_the_form_says(client, ada):
    other = UserFactory(first_name="Grace", last_name="Hopper")
    Profile.objects.create(user=other, display_name="Grace H.")
    # There is no id in the URL; a forged `user` or `profile` field is ignored.
    client.post(NAME_URL, {"display_name": "Taken over", "user": other.pk, "profile": other.profile.pk, "id": other.pk})
    other.profile.refresh_from_db()
    assert other.profile.display_name == "Grace H."
    assert Profile.objects.get(user=ada).display_name == "Taken over"


def test_another_person_signed_in_sees_and_changes_only_their_own(client, ada):
    client.post(NAME_URL, {"display_name": "Countess"})
    grace = UserFactory(first_name="Grace", last_name="Hopper")
    client = Client()
    client.force_login(grace)
    page = client.get(NAME_URL).content.decode()
    assert "Countess" not in page and "Grace H." in page
    client.post(NAME_URL, {"display_name": "Admiral"})
    assert Profile.objects.get(user=ada).display_name == "Countess"
    assert Profile.objects.get(user=grace).display_name == "Admiral"


def test_the_page_reads_the_person_and_their_profile_in_a_few_queries(client, ada, django_assert_max_num_queries):
    Profile.objects.create(user=ada, display_name="Countess")
    # The session, the user, their profile (read once for the form and the sentence), the header's maker
    # lookup, and the savepoint pair of the request's transaction.
    with django_assert_max_num_queries(6):
        assert client.get(NAME_URL).status_code == 200
