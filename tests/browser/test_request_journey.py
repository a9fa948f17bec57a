"""
A shopper asks for an engraving from a piece page; the maker quotes; the
shopper accepts; the maker shares a proof; the shopper checks it letter by
letter and approves it; the maker starts and finishes; both see the history.
axe-core checks every request page at phone and desktop widths.
"""

import pytest
from django.test import Client
from playwright.sync_api import expect

from artisans.tests.factories import ArtisanFactory, UserFactory
from artisans.tests.uploads import encoded
from catalog.choices import PersonalizationKind
from catalog.models import PersonalizationRequest, RequestState
from catalog.tests.factories import PersonalizationOptionFactory, PieceFactory, PieceImageFactory

from .conftest import VIEWPORTS, serious_accessibility_violations
from .test_maker_journey import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in_page(browser, live_server, user, viewport_name):
    """A new browser context holding a session for `user` (signing in through the form is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=VIEWPORTS[viewport_name])
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    page = context.new_page()
    page.viewport_name = viewport_name
    return page


def act(page, button):
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def test_a_shopper_has_a_ring_engraved_with_a_checked_proof(live_server, browser, page, tmp_path):
    maker = ArtisanFactory(name="Oficina Ferro")
    piece = PieceFactory(artisan=maker, title="Hammered band", slug="hammered-band")
    PieceImageFactory(piece=piece)
    PersonalizationOptionFactory(piece=piece, kind=PersonalizationKind.ENGRAVING, max_characters=12)
    PersonalizationOptionFactory(piece=piece, kind=PersonalizationKind.SIZING, max_characters=None)
    shopper_user = UserFactory(first_name="Ana", last_name="Silva")
    viewport = page.viewport_name
    shopper = signed_in_page(browser, live_server, shopper_user, viewport)
    artisan = signed_in_page(browser, live_server, maker.user, viewport)
    proof = tmp_path / "proof.png"
    proof.write_bytes(encoded("PNG", size=(400, 200)))

    # The shopper asks from the piece page.
    shopper.goto(f"{live_server.url}/pieces/hammered-band/")
    shopper.get_by_role("link", name="Ask Oficina Ferro to personalize it").click()
    shopper.get_by_role("checkbox", name="Engraving").check()
    shopper.get_by_role("checkbox", name="Sizing").check()
    shopper.fill("input[name=engraving_text]", "A & J 2026")
    expect(shopper.locator("[data-count-for]")).to_have_text("10 of 12 characters")
    shopper.fill("input[name=size]", "52")
    shopper.fill("input[name=budget]", "300")
    assert_accessible(shopper, "request-form")
    act(shopper, "Send the request")
    expect(shopper.get_by_text("Your request is with Oficina Ferro")).to_be_visible()
    request = PersonalizationRequest.objects.get()

    # The maker quotes from the inbox.
    artisan.goto(f"{live_server.url}/studio/requests/")
    assert_accessible(artisan, "studio-requests")
    artisan.get_by_role("link", name=f"#{request.pk} Hammered band").click()
    artisan.fill("input[name=price]", "240")
    artisan.fill("input[name=lead_days]", "21")
    artisan.fill("input[name=expires_on]", "2099-01-01")
    artisan.fill("textarea[name=message]", "Gladly, in recycled gold.")
    act(artisan, "Send quote")
    expect(artisan.get_by_text("Quote sent.")).to_be_visible()

    # The shopper accepts.
    shopper.goto(f"{live_server.url}/requests/")
    assert_accessible(shopper, "requests")
    shopper.get_by_role("link", name="Hammered band").click()
    act(shopper, "Accept the quote")

    # The maker cannot start before a proof is approved; shares one.
    artisan.reload()
    expect(artisan.get_by_role("button", name="Start making")).to_be_visible()
    act(artisan, "Start making")
    expect(artisan.get_by_text("approved a proof showing the exact text")).to_be_visible()
    artisan.set_input_files("input[name=image]", str(proof))
    artisan.fill("textarea[name=note]", "Engraving layout inside the band")
    act(artisan, "Share the proof")

    # The shopper checks it letter by letter and approves it.
    shopper.reload()
    expect(shopper.locator(".engraving__letter")).to_have_count(10)
    assert_accessible(shopper, "request-proof")
    act(shopper, "Approve the proof")

    # The maker starts and finishes.
    artisan.reload()
    act(artisan, "Start making")
    act(artisan, "Mark as finished")
    assert_accessible(artisan, "studio-request")

    request.refresh_from_db()
    assert request.state == RequestState.COMPLETED
    for side in (shopper, artisan):
        side.reload()
        history = side.locator(".thread")
        for line in ["sent the request", "sent a quote", "accepted the quote", "shared a proof", "approved the proof"]:
            expect(history).to_contain_text(line)
        expect(history).to_contain_text("finished the piece")
    shopper.screenshot(path=f"/tmp/atelier-request-done-{viewport}.png", full_page=True)
    assert serious_accessibility_violations(shopper) == []
