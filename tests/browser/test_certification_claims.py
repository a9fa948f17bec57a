"""
A maker claims a certification from the studio (on a phone and on a desktop):
a first try with neither number nor certificate is refused with a message,
the claim with a PDF certificate goes to staff, a second claim is withdrawn,
staff's rejection and note show in the list. axe-core checks the page; it
reads without horizontal scrolling at 390 px.
"""

import pytest
from playwright.sync_api import expect

from artisans.tests.factories import ArtisanFactory, StaffFactory
from catalog.models import MakerCertification, Review
from catalog.tests.factories import CertificationFactory
from catalog.trust.services import ERROR_CLAIM_EVIDENCE, review_decide

from .conftest import serious_accessibility_violations
from .test_request_journey import act, signed_in_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_maker_claims_withdraws_and_reads_staff_decision(live_server, browser, page, tmp_path):
    maker = ArtisanFactory(name="Oficina Ferro")
    CertificationFactory(name="Fairmined", slug="fairmined")
    CertificationFactory(name="RJC Chain of Custody", slug="rjc-coc")
    scs = CertificationFactory(name="SCS Recycled Content", slug="scs-recycled")
    studio = signed_in_page(browser, live_server, maker.user, page.viewport_name)
    studio.goto(f"{live_server.url}/studio/")
    studio.get_by_role("navigation", name="Studio").get_by_role("link", name="Certifications").click()
    expect(studio.get_by_text("You claim no certification yet.")).to_be_visible()

    studio.get_by_label("Certification").select_option(label="Fairmined")
    act(studio, "Send to staff")
    expect(studio.get_by_text(ERROR_CLAIM_EVIDENCE)).to_be_visible()
    assert serious_accessibility_violations(studio) == []

    certificate = tmp_path / "fairmined.pdf"
    certificate.write_bytes(b"%PDF-1.4\n% Fairmined licence\n")
    studio.get_by_label("Certification").select_option(label="Fairmined")
    studio.get_by_label("The certificate (PDF or photo)").set_input_files(str(certificate))
    act(studio, "Send to staff")
    expect(studio.get_by_text("Your claim to Fairmined is with our staff")).to_be_visible()
    assert Review.objects.waiting().filter(maker_claim__certification__slug="fairmined").exists()

    studio.get_by_label("Certification").select_option(label="RJC Chain of Custody")
    studio.get_by_label("Certificate or member number").fill("RJC-COC-1234")
    act(studio, "Send to staff")
    act(studio, "Withdraw the claim to RJC Chain of Custody")
    expect(studio.get_by_text("You withdrew your claim to RJC Chain of Custody.")).to_be_visible()
    assert not MakerCertification.objects.filter(certification__slug="rjc-coc").exists()

    studio.get_by_label("Certification").select_option(label="SCS Recycled Content")
    studio.get_by_label("Certificate or member number").fill("SCS-RC-99")
    act(studio, "Send to staff")
    claim = MakerCertification.objects.get(certification=scs)
    review_decide(
        review=claim.reviews.get(), approve=False, note="This certificate expired in 2024.", actor=StaffFactory()
    )
    studio.reload()
    expect(studio.get_by_text("This certificate expired in 2024.")).to_be_visible()
    assert studio.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert serious_accessibility_violations(studio) == []
    studio.screenshot(path=str(tmp_path / f"certifications-{page.viewport_name}.png"), full_page=True)
