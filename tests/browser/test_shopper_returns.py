"""
A shopper who comes back (issue 18), end to end in the browser: saves two pieces before having an
account, signs up and finds them saved, follows their maker, saves a search; a new piece matching it
is published, `send_alerts` sends one digest (read from the test mailbox), whose link opens the piece
(with the pieces looked at before, below it) and whose unsubscribe link stops the alerts; then the
shopper downloads their data and deletes their account. axe-core and the sideways scroll are checked
on every page at phone and desktop widths.
"""

import datetime
import json
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from artisans.tests.factories import ArtisanFactory
from catalog.models import AlertFrequency, Follow, PersonalizationRequest, SavedPiece, SavedSearch
from catalog.tests.factories import CategoryFactory, PersonalizationRequestFactory, PieceFactory, PieceImageFactory

from .test_maker_journey import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path("/tmp/helpers/shoppers")
PASSWORD = "a-long-test-password"


def checked(page, name):
    """axe, no sideways scroll, and a full-page screenshot to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert_accessible(page, f"shoppers-{name}")
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_name}.png"), full_page=True)


def on_site(link, live_server):
    """An absolute link from an email, pointed at the test's server."""
    return re.sub(r"^https?://[^/]+", live_server.url, link)


def press(page, name):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def test_a_shopper_saves_follows_is_alerted_takes_their_data_and_leaves(live_server, page):
    rings = CategoryFactory(name="Rings", slug="rings")
    pendants = CategoryFactory(name="Pendants", slug="pendants")
    maker = ArtisanFactory(name="Oficina Ferro", slug="oficina-ferro")
    long_ago = timezone.now() - datetime.timedelta(days=30)
    for title in ("Hammered band", "Oval signet"):
        PieceImageFactory(piece=PieceFactory(artisan=maker, category=rings, title=title, published_at=long_ago))
    email = f"ana-{page.viewport_name}@mail.test"

    # Two pieces saved before having an account: kept in this browser.
    page.goto(f"{live_server.url}/pieces/")
    for title in ("Hammered band", "Oval signet"):
        card = page.locator(".card").filter(has_text=title)
        card.get_by_role("button", name=re.compile(r"^\W*Save\b")).click()
        expect(card.get_by_role("button", name=re.compile(r"Saved\b"))).to_have_attribute("aria-pressed", "true")
    checked(page, "listing-saved")
    page.goto(f"{live_server.url}/saved/")
    expect(page.locator("main")).to_contain_text("Hammered band")
    expect(page.locator("main")).to_contain_text("Oval signet")
    checked(page, "saved-anonymous")
    page.get_by_role("link", name="Oval signet").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Oval signet")

    # Signing up (and confirming the address) keeps them, now on the account.
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=first_name]", "Ana")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(on_site(link, live_server))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/saved/")
    expect(page.locator("main")).to_contain_text("Hammered band")
    expect(page.locator("main")).to_contain_text("Oval signet")
    assert SavedPiece.objects.filter(shopper__email=email).count() == 2
    checked(page, "saved")

    # Following the maker: their pieces on /following/.
    page.goto(f"{live_server.url}/artisans/oficina-ferro/")
    press(page, re.compile(r"^Follow\b"))
    expect(page.get_by_role("button", name=re.compile(r"^Following\b"))).to_have_attribute("aria-pressed", "true")
    assert Follow.objects.filter(shopper__email=email, artisan=maker).exists()
    page.goto(f"{live_server.url}/following/")
    expect(page.locator("main")).to_contain_text("Oficina Ferro")
    expect(page.locator("main")).to_contain_text("Hammered band")
    checked(page, "following")

    # A search saved from the listing: rings only.
    page.goto(f"{live_server.url}/pieces/?category=rings")
    press(page, "Tell me about new pieces like these")
    search = SavedSearch.objects.get(shopper__email=email)
    assert search.query == "category=rings"
    page.goto(f"{live_server.url}/searches/")
    expect(page.locator("main")).to_contain_text(search.name)
    checked(page, "searches")

    # A week later: a new ring and a new pendant are published; the digest tells of the ring alone.
    SavedSearch.objects.filter(pk=search.pk).update(alerted_until=timezone.now() - datetime.timedelta(days=8))
    fresh = timezone.now() - datetime.timedelta(days=1)
    PieceImageFactory(piece=PieceFactory(artisan=maker, category=rings, title="Twisted ring", published_at=fresh))
    PieceFactory(artisan=maker, category=pendants, title="Moon pendant", slug="moon-pendant", published_at=fresh)
    sent_before = len(mail.outbox)
    call_command("send_alerts")
    call_command("send_alerts")  # run twice: nothing is sent twice
    digests = [message for message in mail.outbox[sent_before:] if email in message.to]
    assert len(digests) == 1
    digest = digests[0]
    assert "Twisted ring" in digest.body
    assert "Moon pendant" not in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Its link opens the piece.
    piece_link = re.search(r"https?://\S+/pieces/[-\w]+/", digest.body).group(0)
    page.goto(on_site(piece_link, live_server))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Twisted ring")
    # Below it, the pieces opened before (kept in a cookie since before the account existed).
    expect(page.get_by_role("region", name="Pieces you looked at recently")).to_contain_text("Oval signet")
    checked(page, "piece-recently-viewed")

    # Its unsubscribe link asks first (a GET changes nothing), then stops the alerts.
    unsubscribe = digest.extra_headers["List-Unsubscribe"].strip("<>")
    page.goto(on_site(unsubscribe, live_server))
    search.refresh_from_db()
    assert search.frequency != AlertFrequency.NEVER
    checked(page, "unsubscribe")
    press(page, re.compile(r"^Stop"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerts stopped")
    search.refresh_from_db()
    assert search.frequency == AlertFrequency.NEVER

    # A request to the maker, which must outlive the account.
    request = PersonalizationRequestFactory(shopper=SavedSearch.objects.get(pk=search.pk).shopper, artisan=maker)

    # The shopper's data, downloaded whole.
    page.goto(f"{live_server.url}/accounts/data/")
    checked(page, "data")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    data = json.loads(Path(download.value.path()).read_text())
    text = json.dumps(data)
    for held in ("Hammered band", "Oval signet", "Oficina Ferro", "category=rings", email):
        assert held in text, held

    # Deleting the account: a wrong password deletes nothing; the right one deletes it.
    page.goto(f"{live_server.url}/accounts/delete/")
    checked(page, "delete")
    page.get_by_label("Password").fill("not-my-password")
    press(page, "Delete my account")
    assert SavedPiece.objects.filter(shopper__email=email).count() == 2
    checked(page, "delete-refused")
    page.get_by_label("Password").fill(PASSWORD)
    press(page, "Delete my account")
    expect(page.locator("body")).to_contain_text("Your account is deleted")
    assert not SavedPiece.objects.filter(shopper__email=email).exists()
    assert not SavedSearch.objects.filter(pk=search.pk).exists()
    request = PersonalizationRequest.objects.get(pk=request.pk)
    assert request.shopper is None
    checked(page, "deleted")
