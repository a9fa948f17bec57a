"""Staff see and correct a person's display name on the user's admin page, beside their email address."""

import pytest
from django.urls import reverse

from artisans.tests.factories import StaffFactory, UserFactory
from catalog.models import Profile

pytestmark = pytest.mark.django_db


def inline_data(user, display_name, profile=None):
    """The user's change form as the admin posts it, with the profile inline."""
    return {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "10:00:00",
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "1" if profile else "0",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
        "profile-0-id": str(profile.pk) if profile else "",
        "profile-0-user": str(user.pk),
        "profile-0-display_name": display_name,
    }


def test_the_user_page_shows_the_display_name_inline(client):
    user = UserFactory(first_name="Ada", last_name="Lovelace")
    Profile.objects.create(user=user, display_name="Countess")
    client.force_login(StaffFactory())
    page = client.get(reverse("admin:auth_user_change", args=[user.pk])).content.decode()
    assert 'name="profile-0-display_name"' in page and 'value="Countess"' in page


def test_staff_correct_a_display_name_and_the_rules_hold(client):
    user = UserFactory(first_name="Ada", last_name="Lovelace")
    profile = Profile.objects.create(user=user, display_name="Countess")
    client.force_login(StaffFactory())
    url = reverse("admin:auth_user_change", args=[user.pk])
    response = client.post(url, inline_data(user, "ada@mail.test", profile))
    assert response.status_code == 200  # the form again, with the reason
    profile.refresh_from_db()
    assert profile.display_name == "Countess"
    assert client.post(url, inline_data(user, "Ada L.", profile)).status_code == 302
    profile.refresh_from_db()
    assert profile.display_name == "Ada L."


def test_staff_find_the_account_behind_a_display_name(client):
    user = UserFactory(email="ada.lovelace@mail.test")
    Profile.objects.create(user=user, display_name="Countess")
    Profile.objects.create(user=UserFactory(), display_name="Admiral")
    client.force_login(StaffFactory())
    page = client.get(reverse("admin:catalog_profile_changelist"), {"q": "Countess"}).content.decode()
    assert "ada.lovelace@mail.test" in page and "Admiral" not in page


def test_shoppers_cannot_open_the_public_names_in_the_admin(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:catalog_profile_changelist"))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
