"""
A reseller copies a maker's photo; the upload check flags both pieces; a
shopper reports the copy from its page (without JavaScript); staff see the copy
beside the original, published 12 days after it, and reject it from the review
queue with a note; the copy is gone from the public site; the reseller reads the
note in the studio and appeals once; the appeal is back in the queue. axe-core
checks the shopper's, the curator's and the maker's pages.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.models import CopyFlag, PieceReport, Review
from catalog.tests.drawings import drawing, encoded, recoloured
from catalog.tests.factories import PieceFactory, PieceImageFactory

from .conftest import serious_accessibility_violations
from .test_request_journey import act, signed_in_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_copied_photo_is_flagged_reported_rejected_and_appealed(live_server, browser):
    published = timezone.now() - timedelta(days=30)
    original = PieceFactory(
        artisan=ArtisanFactory(name="Oficina Ferro"),
        title="Hammered band",
        slug="hammered-band",
        published_at=published,
    )
    PieceImageFactory(piece=original, image=ContentFile(encoded(drawing(3)), name="band.jpg"))
    copy = PieceFactory(
        artisan=ArtisanFactory(name="Bright Bazaar"),
        title="Handmade band",
        slug="handmade-band",
        published_at=published + timedelta(days=12),
    )
    PieceImageFactory(piece=copy, image=ContentFile(encoded(recoloured(drawing(3))), name="stolen.jpg"))
    assert CopyFlag.objects.filter(piece=copy, other=original).exists()

    shopper = signed_in_page(browser, live_server, UserFactory(), "desktop")
    shopper.goto(f"{live_server.url}/pieces/handmade-band/")
    shopper.get_by_role("link", name="Report this listing").click()
    act(shopper, "Send the report")
    assert shopper.locator(".field__error").first.inner_text() == "This field is required."
    shopper.get_by_label("Copied photos").check()
    shopper.get_by_label("Details (optional)").fill("The same photo is in Oficina Ferro's shop.")
    assert serious_accessibility_violations(shopper) == []
    act(shopper, "Send the report")
    assert shopper.url.endswith("/pieces/handmade-band/")
    assert PieceReport.objects.get().review == Review.objects.waiting().get(piece=copy)

    staff = signed_in_page(browser, live_server, StaffFactory(), "desktop")
    staff.goto(f"{live_server.url}/admin/catalog/review/")
    staff.get_by_role("link", name="Possible copy: Handmade band").click()
    expect(staff.get_by_text("Hammered band").first).to_be_visible()
    order = staff.locator(".review__order").inner_text()
    assert "“Hammered band” (Oficina Ferro) was published first, 12 days before the piece under review" in order
    assert staff.get_by_role("button", name="Approve (staff verified)").is_disabled()
    assert serious_accessibility_violations(staff) == []
    staff.get_by_label("Note for the maker").fill("This is Oficina Ferro's photo. Show us your own piece.")
    act(staff, "Reject with the note")
    assert Review.objects.get(piece=copy, reason="copy").state == "rejected"

    # Rejected as a copy: hidden from shoppers while its maker may appeal; the original stays.
    assert shopper.goto(f"{live_server.url}/pieces/handmade-band/").status == 404
    shopper.goto(f"{live_server.url}/pieces/")
    assert shopper.get_by_role("link", name="Hammered band").count() >= 1
    assert shopper.get_by_role("link", name="Handmade band").count() == 0

    maker = signed_in_page(browser, live_server, copy.artisan.user, "phone")
    maker.goto(f"{live_server.url}/studio/reviews/")
    expect(maker.get_by_text("This is Oficina Ferro's photo.")).to_be_visible()
    assert serious_accessibility_violations(maker) == []
    maker.get_by_role("link", name="Appeal with new evidence").click()
    maker.get_by_label("What your new evidence shows").fill("We bought the photo with the design; see the invoice.")
    act(maker, "Send the appeal")
    assert Review.objects.waiting().get(piece=copy).reason == "appeal"
    expect(maker.get_by_text("You appealed this decision.")).to_be_visible()
