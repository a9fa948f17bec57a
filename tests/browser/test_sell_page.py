"""
A visitor reads /sell/ at 390 and 1280 px, with nothing scrolling sideways and axe clean, and its
call to action takes them to sign-up, which brings them back to the application once the address
is confirmed. Without JavaScript the page and its call to action work the same.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from .conftest import serious_accessibility_violations

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"


def test_a_visitor_reads_the_sell_page_and_its_call_to_action_leads_to_sign_up(live_server, page):
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Sell on Atelier").click()
    expect(page).to_have_url(f"{live_server.url}/sell/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sell on Atelier")
    page.screenshot(path=f"/tmp/atelier-sell-{page.viewport_name}.png", full_page=True)

    assert serious_accessibility_violations(page) == []
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") == width

    page.get_by_role("link", name="Create an account to apply").first.click()
    expect(page).to_have_url(f"{live_server.url}/accounts/signup/?next=/sell/apply/")
    email = f"maker-{page.viewport_name}@mail.test"
    page.fill("input[name=first_name]", "Ana")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)  # built from the request, so it names the live server
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/sell/apply/")
    expect(page.get_by_role("button", name="Send my application")).to_be_visible()


def test_the_sell_page_works_without_javascript(live_server, no_javascript_page):
    page = no_javascript_page
    page.goto(f"{live_server.url}/sell/")
    expect(page.get_by_role("heading", name="Evidence levels: how far a claim is proven")).to_be_visible()
    page.get_by_role("link", name="Sign in").last.click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/sell/apply/")
