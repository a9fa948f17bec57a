"""
A shopper signs up with their names and no display name, confirms the address, finds "Your name" in the
header, sees that makers know them as "Ada L." and chooses another name; a bad name is refused with its
reason where the field is. axe-core checks each page at phone and desktop widths; none scrolls sideways.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from playwright.sync_api import expect

from artisans.tests.factories import UserFactory
from catalog.models import Profile

from .test_maker_journey import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"
SHOTS = "/tmp/helpers/names"


def shoot(page, name):
    page.screenshot(path=f"{SHOTS}/{name}-{page.viewport_name}.png", full_page=True)


def test_a_shopper_signs_up_with_names_and_chooses_how_makers_see_them(live_server, page):
    email = f"ada-{page.viewport_name}@mail.test"
    page.goto(f"{live_server.url}/accounts/signup/")
    expect(page.get_by_role("group", name="How makers will see you")).to_contain_text("never shown to them")
    assert_accessible(page, "signup")
    shoot(page, "signup")

    # Sent without a first name and with an address as the display name: both refused, by the fields.
    page.get_by_label("Display name (optional)").fill(email)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#id_first_name_error")).to_have_text("Write your first name: makers greet you by it.")
    expect(page.locator("#id_display_name_error")).to_contain_text("Leave your email address out")
    assert_accessible(page, "signup-refused")
    shoot(page, "signup-refused")

    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name (optional)").fill("Lovelace")
    page.get_by_label("Display name (optional)").fill("")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.locator("main form button[type=submit]").click()

    # The header's account menu leads to the name page, which starts from the default.
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Your name").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your name on Atelier")
    expect(page.locator("main p strong")).to_have_text("Ada L.")
    expect(page.get_by_label("Display name")).to_have_value("Ada L.")
    assert email not in page.locator("main").inner_text()
    assert_accessible(page, "name")
    shoot(page, "name")

    page.get_by_label("Display name").fill("   ")
    page.get_by_role("button", name="Save my display name").click()
    expect(page.locator("#id_display_name_error")).to_have_text("Write the name makers will see you by.")
    assert_accessible(page, "name-refused")
    shoot(page, "name-refused")

    page.get_by_label("Display name").fill("Countess <of> Numbers")
    page.get_by_role("button", name="Save my display name").click()
    expect(page.locator("main").get_by_role("status")).to_contain_text("makers now see you as “Countess <of> Numbers”")
    expect(page.locator("main p strong")).to_have_text("Countess <of> Numbers")
    assert Profile.objects.get(user__email=email).display_name == "Countess <of> Numbers"
    assert_accessible(page, "name-saved")
    shoot(page, "name-saved")


def test_the_name_page_works_without_javascript(live_server, no_javascript_page):
    user = UserFactory(first_name="Grace", last_name="Hopper", email="grace@mail.test")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    page = no_javascript_page
    page.goto(f"{live_server.url}/accounts/name/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/accounts/name/$"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_label("Display name")).to_have_value("Grace H.")
    page.get_by_label("Display name").fill("Admiral")
    page.get_by_role("button", name="Save my display name").click()
    expect(page.locator("main p strong")).to_have_text("Admiral")
    assert Profile.objects.get(user=user).display_name == "Admiral"
