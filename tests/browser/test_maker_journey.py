"""
A jeweler signs up, applies to sell, is approved by staff in the admin, lists a
hand-forged ring with two photos and its production steps from the studio, and
finds it in /pieces/ with its maker share. axe-core checks the studio pages.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from artisans.tests.factories import StaffFactory
from artisans.tests.uploads import encoded
from catalog.tests.factories import CategoryFactory, MaterialFactory, TechniqueFactory

from .conftest import serious_accessibility_violations

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"
# The elements that reach past the right edge, to name them when a page scrolls sideways.
WIDER_THAN_THE_PAGE = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth)
  .slice(0, 5).map(el => el.tagName + '.' + el.className + '#' + (el.name || el.id))"""


@pytest.fixture
def photos(tmp_path):
    paths = {}
    for name, image_format, colour in [
        ("bench.jpg", "JPEG", (90, 70, 50)),
        ("ring.jpg", "JPEG", (200, 190, 170)),
        ("forging.png", "PNG", (120, 100, 80)),
    ]:
        path = tmp_path / name
        path.write_bytes(encoded(image_format, size=(600, 750), colour=colour))
        paths[name] = str(path)
    return paths


def assert_accessible(page, name):
    page.screenshot(path=f"/tmp/atelier-{name}-{page.viewport_name}.png", full_page=True)
    assert serious_accessibility_violations(page) == [], name
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide = page.evaluate(WIDER_THAN_THE_PAGE) if overflow > 0 else []
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {page.viewport_name}: {wide}"


def test_a_jeweler_applies_is_approved_and_lists_a_hand_forged_ring(live_server, browser, page, photos):
    CategoryFactory(name="Rings", slug="rings")
    MaterialFactory(name="Sterling silver", slug="sterling-silver")
    TechniqueFactory(name="Hand-forging", slug="hand-forging")
    staff = StaffFactory(username="curator")
    email = f"jeweler-{page.viewport_name}@example.com"

    # Sign up, and confirm the address from the email.
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=first_name]", "Inês")
    page.fill("input[name=first_name]", "Rui")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link.replace("http://testserver", live_server.url))
    page.locator("main form button[type=submit]").click()

    # Apply to sell.
    page.goto(f"{live_server.url}/sell/apply/")
    page.fill("input[name=name]", "Oficina Ferro")
    page.check("input[name=maker_type][value=independent]")
    page.select_option("select[name=country]", "PT")
    page.fill("input[name=region]", "Porto")
    page.fill("textarea[name=bio]", "Trained as a goldsmith in Lisbon.")
    page.fill("textarea[name=statement]", "I forge every band from recycled silver.")
    page.check("input[name=workshop_size][value=solo]")
    page.fill("textarea[name=labor_practices]", "I work alone and pay myself a living wage.")
    page.get_by_label("Hand-forging").check()
    page.set_input_files("input[name=photos-0-image]", photos["bench.jpg"])
    page.fill("input[name=photos-0-alt_text]", "My bench with a saw and files")
    assert_accessible(page, "sell")
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator(".messages")).to_contain_text("your application is with our staff")
    assert_accessible(page, "studio-pending")

    # Staff approve in the admin's queue.
    staff_context = browser.new_context()
    admin = staff_context.new_page()
    admin.goto(f"{live_server.url}/admin/login/")
    admin.fill("input[name=username]", staff.username)
    admin.fill("input[name=password]", PASSWORD)
    admin.locator("input[type=submit]").click()
    admin.goto(f"{live_server.url}/admin/artisans/application/")
    admin.get_by_role("row", name=re.compile("Oficina Ferro")).locator("input[type=checkbox]").check()
    admin.select_option("select[name=action]", "approve")
    admin.locator("button[name=index]").click()
    expect(admin.locator(".messagelist")).to_contain_text("Approved 1 maker")
    staff_context.close()
    assert "approved" in mail.outbox[-1].subject

    # List a hand-forged ring with two photos and its production steps.
    page.goto(f"{live_server.url}/studio/pieces/new/")
    page.fill("input[name=title]", "Hand-forged Douro Ring")
    page.select_option("select[name=category]", label="Rings")
    page.check("input[name=production_method][value=handcrafted]")
    page.check("input[name=made_by][value=artisan]")
    page.check("input[name=availability][value=one_of_a_kind]")
    page.fill("input[name=price]", "240")
    page.select_option("select[name=steps-0-step]", "design")
    page.select_option("select[name=steps-0-done]", "by_hand")
    # More rows, added in place before anything is saved.
    page.get_by_role("button", name="Add a step").click()
    expect(page.locator("select[name=steps-1-step]")).to_be_focused()
    page.get_by_role("button", name="Add a step").click()
    expect(page.locator("select[name=steps-2-step]")).to_be_focused()
    page.select_option("select[name=steps-1-step]", "fabrication")
    page.select_option("select[name=steps-1-done]", "with_hand_tools")
    page.select_option("select[name=steps-2-step]", "finishing")
    page.select_option("select[name=steps-2-done]", "by_machine")
    # The maker share follows the steps as they are filled in.
    expect(page.locator("[data-maker-share-value]")).to_have_text("67%")
    page.select_option("select[name=materials-0-material]", label="Sterling silver")
    page.fill("input[name=materials-0-purity]", "925")
    page.check("input[name=materials-0-recycled]")
    page.set_input_files("input[name=photos-0-image]", photos["ring.jpg"])
    page.fill("input[name=photos-0-alt_text]", "The ring on linen")
    page.check("input[name=photos-0-is_cover]")
    page.get_by_role("button", name="Add a photo").click()
    expect(page.locator("input[name=photos-1-image]")).to_be_focused()
    page.set_input_files("input[name=photos-1-image]", photos["forging.png"])
    page.fill("input[name=photos-1-alt_text]", "Forging the band on a mandrel")
    page.check("input[name=photos-1-is_process_photo]")
    # Reordering with the buttons renumbers the positions; then back again.
    page.get_by_role("button", name="Move photo 2 up").click()
    expect(page.locator("input[name=photos-1-position]")).to_have_value("0")
    expect(page.locator("input[name=photos-0-position]")).to_have_value("1")
    page.get_by_role("button", name="Move photo 2 up").click()
    expect(page.locator("input[name=photos-0-position]")).to_have_value("0")
    assert_accessible(page, "piece-new")
    page.get_by_role("button", name="Save as a draft").last.click()
    expect(page.locator(".messages")).to_contain_text("Saved “Hand-forged Douro Ring”")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator(".messages")).to_contain_text("is published")
    assert_accessible(page, "piece-edit")

    page.goto(f"{live_server.url}/studio/")
    expect(page.locator(".studio-table")).to_contain_text("Hand-forged Douro Ring")
    assert_accessible(page, "dashboard")

    # The ring is public, with its maker share.
    page.goto(f"{live_server.url}/pieces/")
    card = page.locator(".card", has_text="Hand-forged Douro Ring")
    expect(card).to_contain_text("67%")
    page.screenshot(path=f"/tmp/atelier-listing-after-{page.viewport_name}.png", full_page=True)
