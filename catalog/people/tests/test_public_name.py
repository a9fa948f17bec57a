"""The name others see for a person: chosen, else "Ada L.", else a neutral name; never any part of the email."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.template import Context, Template

from artisans.tests.factories import UserFactory
from catalog.models import PersonalizationRequest, Profile
from catalog.models.people import (
    DISPLAY_NAME_MAX_LENGTH,
    ERROR_NAME_EMAIL,
    FORMER_SHOPPER,
    NEUTRAL_NAME,
    name_clean,
    public_name,
)
from catalog.people.services import profile_set_display_name
from catalog.tests.factories import PersonalizationRequestFactory, PieceFactory

pytestmark = pytest.mark.django_db


def ada(**kwargs):
    return UserFactory(username="ada.lovelace", email="ada.lovelace@mail.test", **kwargs)


def test_a_chosen_display_name_is_what_others_see():
    user = ada(first_name="Ada", last_name="Lovelace")
    Profile.objects.create(user=user, display_name="Countess of Numbers")
    assert public_name(user) == "Countess of Numbers"


def test_without_a_chosen_name_others_see_the_first_name_and_the_last_initial():
    assert public_name(ada(first_name="Ada", last_name="lovelace")) == "Ada L."


def test_an_empty_display_name_means_the_default():
    user = ada(first_name="Ada", last_name="Lovelace")
    Profile.objects.create(user=user, display_name="")
    assert public_name(user) == "Ada L."


def test_a_first_name_alone_is_shown_alone():
    assert public_name(ada(first_name="Ada")) == "Ada"


def test_with_no_names_at_all_others_see_a_neutral_name_and_nothing_of_the_email():
    user = ada()
    name = public_name(user)
    assert name == NEUTRAL_NAME
    assert "ada" not in name.lower() and "mail" not in name.lower() and "@" not in name


def test_a_first_name_holding_an_address_is_not_shown():
    assert public_name(ada(first_name="ada.lovelace@mail.test")) == NEUTRAL_NAME


def test_an_anonymous_visitor_has_the_neutral_name_and_nobody_is_a_former_shopper():
    assert public_name(AnonymousUser()) == NEUTRAL_NAME
    # A request's shopper is None once they deleted their account.
    assert public_name(None) == FORMER_SHOPPER


def test_the_template_filter_gives_the_public_name_escaped():
    user = ada(first_name="Ada", last_name="Lovelace")
    Profile.objects.create(user=user, display_name="<b>Ada</b>")
    html = Template("{% load people %}{{ person|display_name }}").render(Context({"person": user}))
    assert html == "&lt;b&gt;Ada&lt;/b&gt;"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("  Ada   L. ", "Ada L."), ("Ada\tof\nLondon", "Ada of London"), ("Zoë Ł.", "Zoë Ł."), ("李 小龙", "李 小龙")],
)
def test_a_name_is_kept_as_typed_with_its_spaces_tidied(typed, kept):
    assert name_clean(typed) == kept


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "required"),
        ("   \n\t ", "required"),
        ("x" * (DISPLAY_NAME_MAX_LENGTH + 1), "max_length"),
        ("ada@mail.test", "email"),
        ("Ada @ home", "email"),
        ("ada＠mail.test", "email"),
        ("Ada\u200bL.", "unprintable"),
        ("Ada\x00", "unprintable"),
    ],
)
def test_a_name_that_is_blank_too_long_an_address_or_invisible_is_refused(typed, code):
    with pytest.raises(ValidationError) as refusal:
        name_clean(typed)
    assert refusal.value.code == code


def test_the_service_refuses_an_address_and_writes_nothing():
    user = ada(first_name="Ada", last_name="Lovelace")
    with pytest.raises(ValidationError) as refusal:
        profile_set_display_name(user=user, display_name="ada.lovelace@mail.test")
    assert ERROR_NAME_EMAIL in refusal.value.messages
    assert not Profile.objects.exists()


def test_the_model_keeps_a_display_name_only_as_name_clean_leaves_it():
    profile = Profile(user=ada(), display_name="Ada  L.")
    with pytest.raises(ValidationError) as refusal:
        profile.full_clean()
    assert refusal.value.error_dict["display_name"][0].code == "spaces"


def test_the_database_refuses_an_address_as_a_display_name():
    with pytest.raises(IntegrityError):
        Profile.objects.create(user=ada(), display_name="ada@mail.test")


def test_the_service_creates_the_profile_then_changes_it():
    user = ada(first_name="Ada", last_name="Lovelace")
    profile_set_display_name(user=user, display_name="Ada")
    profile_set_display_name(user=user, display_name="Countess")
    assert Profile.objects.get().display_name == "Countess"


@pytest.mark.parametrize("rows", [3, 12])
def test_a_list_of_requests_reads_every_shoppers_name_in_one_query(rows, django_assert_num_queries):
    piece = PieceFactory()
    for n in range(rows):
        shopper = UserFactory(first_name=f"Shopper{n}", last_name="Smith")
        if n % 2:  # half chose a name, half have no profile at all
            Profile.objects.create(user=shopper, display_name=f"Chosen {n}")
        PersonalizationRequestFactory(piece=piece, shopper=shopper)
    # The path every list of requests should load: the shopper and their profile, in the same query.
    with django_assert_num_queries(1):
        requests = PersonalizationRequest.objects.select_related("shopper__profile")
        names = [public_name(item.shopper) for item in requests]
    assert sorted(names) == sorted(f"Chosen {n}" if n % 2 else f"Shopper{n} S." for n in range(rows))
