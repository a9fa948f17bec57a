"""/sell/: selling on Atelier explained to everyone, with the next step for each kind of user."""

import re
from html import unescape
from urllib.parse import quote

import pytest
from django.core import mail
from django.urls import reverse

from artisans.choices import ArtisanStatus
from artisans.services import artisans_refuse
from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.choices import EvidenceLevel
from catalog.studio.sell_views import EVIDENCE_STEPS

pytestmark = pytest.mark.django_db

SELL = reverse("studio:sell")
APPLY = reverse("studio:apply")
SIGN_UP_TO_APPLY = f"{reverse('account_signup')}?next={quote(APPLY)}"
SIGN_IN_TO_APPLY = f"{reverse('account_login')}?next={quote(APPLY)}"
PASSWORD = "a-long-test-password"


def page_of(client, path=SELL):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def headings(page):
    return [
        (level, unescape(re.sub(r"<[^>]+>", "", text)).strip())
        for level, text in re.findall(r"<h([1-3])[^>]*>(.*?)</h\1>", page)
    ]


def test_a_visitor_reads_the_sell_page_without_meeting_a_sign_in_wall(client):
    page = page_of(client)
    assert "What we ask of makers" in page
    assert "<form" not in page.split("<main", 1)[1]  # the application waits behind an account


def test_the_sell_page_explains_in_order_what_we_ask_the_evidence_review_costs_then_the_next_step(client):
    titles = [text for level, text in headings(page_of(client)) if level in "12"]
    assert titles == [
        "Sell on Atelier",
        "What we ask of makers",
        "Evidence levels: how far a claim is proven",
        "How our staff review",
        "What it costs, and what happens after you apply",
        "Apply to sell",
    ]


def test_the_sell_page_asks_for_method_maker_steps_materials_and_says_a_change_goes_back_to_review(client):
    page = unescape(page_of(client))
    for asked in ("How it is made", "Who made it", "The steps of making", "Materials and provenance"):
        assert f"<dt>{asked}</dt>" in page
    assert "goes back to “Documented by the maker”" in page
    assert "Applying costs nothing" in page


def test_every_evidence_level_says_how_it_is_reached_and_what_shoppers_read(client):
    assert set(EVIDENCE_STEPS) == set(EvidenceLevel)
    page = unescape(page_of(client))
    for level in EvidenceLevel:
        assert str(level.label) in page and EVIDENCE_STEPS[level] in page and str(level.explanation) in page


def test_a_visitor_is_offered_an_account_that_leads_back_to_the_application_and_sign_in(client):
    page = unescape(page_of(client))
    assert f'href="{SIGN_UP_TO_APPLY}">Create an account to apply</a>' in page
    assert f'href="{SIGN_IN_TO_APPLY}">Sign in</a>' in page


def test_signing_up_from_the_sell_page_brings_the_new_maker_to_the_application(client):
    response = client.post(
        SIGN_UP_TO_APPLY, {"first_name": "Ana", "email": "new@mail.test", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    confirmed = client.post(link.split("testserver", 1)[1])
    assert confirmed.url == APPLY
    assert client.get(APPLY).context["form"] is not None


def test_a_planted_next_never_changes_where_the_sell_page_sends_people(client):
    page = page_of(client, f"{SELL}?next=https://evil.example/&q=<script>alert(1)</script>")
    assert "evil.example" not in page and "<script>alert(1)" not in page
    assert f'href="{SIGN_UP_TO_APPLY}"' in unescape(page)


def test_a_signed_in_shopper_is_sent_to_the_application_form(client):
    client.force_login(UserFactory())
    page = page_of(client)
    assert f'<a class="button" href="{APPLY}">Start your application</a>' in page
    assert "Create an account to apply" not in page
    assert '<h2 id="next-title">Apply to sell</h2>' in page


def test_an_applicant_reads_that_their_application_is_with_staff(client):
    applicant = ArtisanFactory(status=ArtisanStatus.PENDING, name="Oficina <b>Ferro</b>")
    client.force_login(applicant.user)
    page = page_of(client)
    assert "Your application as Oficina &lt;b&gt;Ferro&lt;/b&gt; is with our staff" in page
    assert f'href="{APPLY}">Change your application</a>' in page
    assert "Start your application" not in page and "Create an account to apply" not in page


def test_a_refused_applicant_reads_the_reason_escaped_and_can_send_it_again(client):
    applicant = ArtisanFactory(status=ArtisanStatus.PENDING)
    artisans_refuse(artisans=[applicant], reason="Add a photo of your <script>bench</script>.", actor=StaffFactory())
    client.force_login(applicant.user)
    page = page_of(client)
    assert "Add a photo of your &lt;script&gt;bench&lt;/script&gt;." in page
    assert f'href="{APPLY}">Edit and send it again</a>' in page


def test_an_approved_maker_is_pointed_to_their_studio(client):
    maker = ArtisanFactory()
    client.force_login(maker.user)
    page = page_of(client)
    assert f"You sell on Atelier as {maker.name}." in page
    assert f'href="{reverse("studio:dashboard")}">Go to your studio</a>' in page
    assert '<h2 id="next-title">Your studio</h2>' in page
    assert APPLY not in page


def test_a_suspended_maker_reads_that_their_shop_is_suspended(client):
    maker = ArtisanFactory(status=ArtisanStatus.SUSPENDED)
    client.force_login(maker.user)
    assert "Your shop is suspended by staff" in page_of(client)


def test_the_sell_page_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(ArtisanFactory().user)
    # The session, the user, their maker profile (which the header reuses), inside the request's savepoint.
    with django_assert_max_num_queries(5):
        client.get(SELL)


def test_the_header_sends_visitors_and_shoppers_to_the_sell_page_not_to_a_sign_in_page(client):
    assert f'href="{SELL}"' in page_of(client, "/")
    client.force_login(UserFactory())
    assert f'href="{SELL}"' in page_of(client, "/")


def test_crawlers_may_read_the_sell_page_but_not_the_application(client):
    robots = client.get(reverse("robots_txt")).content.decode().splitlines()
    assert "Disallow: /sell/apply/" in robots and "Disallow: /sell/" not in robots
