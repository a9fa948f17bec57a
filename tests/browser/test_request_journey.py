"""
A shopper asks for an engraving from a piece page: the form shows only the kinds the piece
offers, each with its price and extra days, and counts the engraving's characters (17 of 12 is
said, never cut; the server refuses it too). The maker quotes with the piece's and options'
prices in view; the shopper reads what the quote means, goes through the summary and accepts.
The maker is not offered "Start making" before a proof; shares one; the shopper checks it
letter by letter and approves it; the maker starts and finishes. axe-core and the sideways
scroll are checked on every request page at phone and desktop widths; the confirm step also
runs with JavaScript off.
"""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from artisans.tests.factories import ArtisanFactory, UserFactory
from artisans.tests.uploads import encoded
from catalog.choices import Availability, PersonalizationKind
from catalog.models import PersonalizationRequest, RequestState
from catalog.tests.factories import PersonalizationOptionFactory, PieceFactory, PieceImageFactory
from catalog.tests.request_helpers import request_in

from .conftest import VIEWPORTS
from .test_maker_journey import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path("/tmp/helpers/requests")


def signed_in_page(browser, live_server, user, viewport_name, *, javascript=True):
    """A new browser context holding a session for `user` (signing in through the form is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=VIEWPORTS[viewport_name], java_script_enabled=javascript)
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    page = context.new_page()
    page.viewport_name = viewport_name
    return page


def act(page, button):
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def checked(page, name):
    """axe, no sideways scroll, and a full-page screenshot to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert_accessible(page, name)
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_name}.png"), full_page=True)


def engraved_band():
    maker = ArtisanFactory(name="Oficina Ferro")
    piece = PieceFactory(
        artisan=maker,
        title="Hammered band",
        slug="hammered-band",
        price=Decimal("200"),
        availability=Availability.MADE_TO_ORDER,
        lead_time_days=10,
    )
    PieceImageFactory(piece=piece)
    PersonalizationOptionFactory(
        piece=piece, kind=PersonalizationKind.ENGRAVING, max_characters=12, extra_price=40, extra_lead_days=5
    )
    PersonalizationOptionFactory(piece=piece, kind=PersonalizationKind.SIZING, max_characters=None, note="4 to 12")
    return maker, piece


def test_a_shopper_has_a_ring_engraved_with_a_checked_proof(live_server, browser, page, tmp_path):
    maker, piece = engraved_band()
    shopper_user = UserFactory(first_name="Ana", last_name="Silva")
    viewport = page.viewport_name
    shopper = signed_in_page(browser, live_server, shopper_user, viewport)
    artisan = signed_in_page(browser, live_server, maker.user, viewport)
    proof = tmp_path / "proof.png"
    proof.write_bytes(encoded("PNG", size=(400, 200)))

    # The shopper asks from the piece page: only the offered kinds, with their prices and days.
    shopper.goto(f"{live_server.url}/pieces/hammered-band/")
    shopper.get_by_role("link", name="Ask Oficina Ferro to personalize it").click()
    expect(shopper.get_by_role("checkbox")).to_have_count(2)
    expect(shopper.get_by_role("checkbox", name="Engraving (+€40 · 5 more days)")).to_be_visible()
    expect(shopper.get_by_text("Metal or stone")).to_have_count(0)
    expect(shopper.get_by_label("Your budget (€)")).to_be_visible()
    shopper.get_by_role("checkbox", name="Engraving (+€40 · 5 more days)").check()
    shopper.get_by_role("checkbox", name="Sizing (no extra cost · no extra days)").check()

    # Seventeen characters into a twelve-character engraving: counted, kept, refused with a message.
    engraving = shopper.get_by_label("Engraving text")
    engraving.fill("Ana & Joao 2026!!")
    counter = shopper.locator("[data-count-for]")
    expect(counter).to_have_text("17 of 12 characters: 5 too many")
    expect(engraving).to_have_value("Ana & Joao 2026!!")
    shopper.get_by_label("Size").fill("52")
    shopper.get_by_label("Your budget (€)").fill("300")
    act(shopper, "Send the request")
    expect(shopper.get_by_text("The engraving can have at most 12 characters; this one has 17.")).to_be_visible()
    assert not PersonalizationRequest.objects.exists()
    engraving = shopper.get_by_label("Engraving text")
    engraving.fill("A & J 2026!!")
    expect(counter).to_have_text("12 of 12 characters")
    checked(shopper, "request-form")
    act(shopper, "Send the request")
    expect(shopper.get_by_text("Your request is with Oficina Ferro")).to_be_visible()
    request = PersonalizationRequest.objects.get()
    assert request.engraving_text == "A & J 2026!!"
    # Waiting for a quote, the next step is not a button; withdrawing is lower down.
    expect(shopper.get_by_role("heading", name="Your next step")).to_be_visible()
    expect(shopper.get_by_role("button", name="Withdraw the request")).to_be_visible()
    checked(shopper, "request-waiting")

    # The maker quotes from the inbox, with the piece's and options' prices in view.
    artisan.goto(f"{live_server.url}/studio/requests/")
    checked(artisan, "studio-requests")
    artisan.get_by_role("link", name=f"#{request.pk} Hammered band").click()
    terms = artisan.locator(".request-terms")
    expect(terms).to_contain_text("€200")
    expect(terms).to_contain_text("+€40")
    expect(terms).to_contain_text("Listed total")
    expect(terms).to_contain_text("€240")
    expect(artisan.get_by_label("Total price (€)")).to_have_value("240.00")
    expect(artisan.get_by_label("Ready in (days after the shopper accepts)")).to_have_value("15")
    checked(artisan, "studio-request-quote-form")
    artisan.get_by_label("Total price (€)").fill("260")
    artisan.get_by_label("Ready in (days after the shopper accepts)").fill("21")
    artisan.get_by_label("Quote open until").fill("2099-01-01")
    artisan.get_by_label("Message").first.fill("Gladly, in recycled gold.")
    act(artisan, "Send quote")
    expect(artisan.get_by_text("Quote sent.")).to_be_visible()

    # The shopper reads what the quote means, and is offered Accept / Decline as the page says.
    shopper.goto(f"{live_server.url}/requests/")
    checked(shopper, "requests")
    shopper.get_by_role("link", name="Hammered band").click()
    expect(shopper.get_by_text("Next: accept or decline the quote.")).to_be_visible()
    expect(shopper.locator(".quote-total")).to_contain_text("€260 is the total for the piece as you asked it")
    ready = (timezone.localdate() + datetime.timedelta(days=21)).strftime("%-d %B %Y")
    expect(shopper.get_by_text(f"by {ready} if accepted today")).to_be_visible()
    expect(shopper.get_by_role("button", name="Decline the quote")).to_be_visible()
    checked(shopper, "request-quoted")

    # Accepting goes through the summary.
    shopper.get_by_role("link", name="Accept the quote").click()
    expect(shopper.get_by_role("heading", name="Accept this quote?")).to_be_visible()
    expect(shopper.get_by_text(f"{ready} if you accept today (21 days after acceptance)")).to_be_visible()
    expect(shopper.get_by_role("link", name="Not now: back to the request")).to_be_visible()
    checked(shopper, "request-confirm")
    act(shopper, "Accept this quote")
    expect(shopper.get_by_text("You accepted the quote")).to_be_visible()
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED

    # The maker is not offered "Start making" before the proof is approved; is told why; shares one.
    artisan.reload()
    expect(artisan.get_by_role("button", name="Start making")).to_have_count(0)
    expect(artisan.get_by_text("approved a proof showing the exact text")).to_be_visible()
    checked(artisan, "studio-request-accepted")
    artisan.set_input_files("input[name=image]", str(proof))
    artisan.fill("textarea[name=note]", "Engraving layout inside the band")
    act(artisan, "Share the proof")

    # The shopper checks it letter by letter and approves it.
    shopper.reload()
    expect(shopper.locator(".engraving__letter")).to_have_count(12)
    checked(shopper, "request-proof")
    act(shopper, "Approve the proof")

    # The maker starts and finishes.
    artisan.reload()
    act(artisan, "Start making")
    act(artisan, "Mark as finished")
    checked(artisan, "studio-request")

    request.refresh_from_db()
    assert request.state == RequestState.COMPLETED
    for side in (shopper, artisan):
        side.reload()
        history = side.locator(".thread")
        for line in ["sent the request", "sent a quote", "accepted the quote", "shared a proof", "approved the proof"]:
            expect(history).to_contain_text(line)
        expect(history).to_contain_text("finished the piece")
    checked(shopper, "request-done")


def test_without_javascript_the_shopper_accepts_through_the_summary(live_server, browser):
    maker, piece = engraved_band()
    request = request_in(
        RequestState.QUOTED, piece=piece, kinds=["engraving"], engraving_text="A & J", size="", quote_price=260
    )
    shopper = signed_in_page(browser, live_server, request.shopper, "desktop", javascript=False)
    shopper.goto(f"{live_server.url}/requests/{request.pk}/")
    shopper.get_by_role("link", name="Accept the quote").click()
    expect(shopper.get_by_role("heading", name="Accept this quote?")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    shopper.screenshot(path=str(SHOTS / "request-confirm-no-js.png"), full_page=True)
    act(shopper, "Accept this quote")
    expect(shopper.get_by_text("You accepted the quote")).to_be_visible()
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED
