"""
The curator's screens in a real browser, at 390 and 1280 px: an application's page fits the
window and carries Approve and Refuse; the applications list shows its last column whole; a
possible copy stands beside the piece it matched with which was published first; Approve says
why it is unavailable; rejecting with an empty note opens the page at the note with its error and
the cursor in it (autofocus). axe-core checks each page.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory, StaffFactory
from catalog.admin.trust import APPROVE_BLOCKED_FLAGGED
from catalog.choices import ReviewReason, ReviewState
from catalog.models import Review
from catalog.tests.factories import CopyFlagFactory, PieceFactory, PieceImageFactory, ReviewFactory
from catalog.trust.services import ERROR_NOTE_REQUIRED

from .conftest import VIEWPORTS, serious_accessibility_violations
from .test_request_journey import act, signed_in_page

pytestmark = pytest.mark.django_db(transaction=True)
SCREENSHOTS = "/tmp/helpers/curator"


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def in_view(page, locator):
    """Whether the element is inside the window as it is scrolled now."""
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_an_application_is_approved_from_its_page_which_fits_the_window(live_server, browser, viewport):
    maker = ArtisanFactory(name="Oficina Ferro", status=ArtisanStatus.PENDING, applied_at=timezone.now())
    ArtisanFactory(name="Refused Once", status=ArtisanStatus.PENDING, refused_at=timezone.now(), refusal_reason="x")
    staff = signed_in_page(browser, live_server, StaffFactory(), viewport)

    staff.goto(f"{live_server.url}/admin/artisans/application/")
    if viewport == "desktop":
        # The list's last column is drawn whole inside the results, not cut off at their edge.
        results = staff.locator("#changelist-form .results").bounding_box()
        last = staff.locator("#result_list thead th").last.bounding_box()
        assert last["x"] + last["width"] <= results["x"] + results["width"] + 1
    staff.get_by_role("link", name="Oficina Ferro").click()
    staff.wait_for_url(re.compile(r"/change/"))
    assert page_width(staff) <= VIEWPORTS[viewport]["width"]
    assert serious_accessibility_violations(staff) == []
    staff.screenshot(path=f"{SCREENSHOTS}/application-{viewport}.png", full_page=True)

    act(staff, "Approve")
    assert staff.url.endswith("/admin/artisans/application/")
    expect(staff.get_by_text("Approved “Oficina Ferro”")).to_be_visible()
    maker.refresh_from_db()
    assert maker.status == ArtisanStatus.APPROVED


def test_refusing_an_application_without_a_reason_opens_at_the_reason(live_server, browser):
    maker = ArtisanFactory(name="Oficina Ferro", status=ArtisanStatus.PENDING, applied_at=timezone.now())
    staff = signed_in_page(browser, live_server, StaffFactory(), "desktop")
    staff.goto(f"{live_server.url}/admin/artisans/application/{maker.pk}/change/")
    # The browser's own check stops an empty reason; a reason of spaces reaches the server.
    staff.get_by_label("Reason for refusing").fill("   ")
    act(staff, "Refuse with this reason")
    assert staff.url.endswith(f"/admin/artisans/application/{maker.pk}/refuse/")
    assert staff.evaluate("document.activeElement.name") == "reason"
    assert in_view(staff, staff.locator("#refusal .errorlist"))
    assert serious_accessibility_violations(staff) == []
    staff.get_by_label("Reason for refusing").fill("Show us the bench where you work.")
    act(staff, "Refuse and email the maker")
    maker.refresh_from_db()
    assert maker.refusal_reason == "Show us the bench where you work."


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_copy_stands_beside_its_original_and_an_empty_note_lands_at_the_note(live_server, browser, viewport):
    published = timezone.now() - timedelta(days=40)
    original = PieceFactory(title="Hammered band", artisan=ArtisanFactory(name="Oficina Ferro"), published_at=published)
    copy = PieceFactory(
        title="Handmade band", artisan=ArtisanFactory(name="Bright Bazaar"), published_at=published + timedelta(days=12)
    )
    for piece, other in ((copy, original), (original, copy)):
        PieceImageFactory(piece=piece)
        CopyFlagFactory(piece=piece, other=other)
    review = ReviewFactory(piece=copy, reason=ReviewReason.COPY)
    staff = signed_in_page(browser, live_server, StaffFactory(), viewport)

    staff.goto(f"{live_server.url}/admin/catalog/review/{review.pk}/change/")
    order = staff.locator(".review__order")
    assert "was published first, 12 days before the piece under review" in order.inner_text()
    assert staff.locator(".review__side").count() == 2
    expect(staff.get_by_text(APPROVE_BLOCKED_FLAGGED)).to_be_visible()
    assert staff.get_by_role("button", name="Approve (staff verified)").is_disabled()
    assert page_width(staff) <= VIEWPORTS[viewport]["width"]
    assert serious_accessibility_violations(staff) == []
    staff.screenshot(path=f"{SCREENSHOTS}/copy-review-{viewport}.png", full_page=True)

    act(staff, "Reject with the note")
    error = staff.get_by_text(ERROR_NOTE_REQUIRED)
    expect(error).to_be_visible()
    assert in_view(staff, error)
    assert staff.evaluate("document.activeElement.id") == "id_note"
    assert serious_accessibility_violations(staff) == []
    staff.screenshot(path=f"{SCREENSHOTS}/copy-review-error-{viewport}.png")
    assert Review.objects.get(pk=review.pk).state == ReviewState.WAITING

    staff.get_by_label("Note for the maker").fill("This is Oficina Ferro's photo.")
    act(staff, "Reject with the note")
    assert Review.objects.get(pk=review.pk).state == ReviewState.REJECTED
