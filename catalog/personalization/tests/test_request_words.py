"""
Requests in words that match their buttons (issue 17, item 4): the form asks only for what the
piece offers, with each option's price and days and the budget's currency; an engraving past its
limit is refused, never cut; both sides see the listed prices and what the quote means; the
shopper accepts only through the quote's summary; a page offers only the actions that can
succeed, with the words its sentence uses.
"""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.choices import Availability, PersonalizationKind
from catalog.models import PersonalizationRequest, RequestState
from catalog.personalization import flow
from catalog.personalization import forms as request_forms
from catalog.personalization.terms import request_terms
from catalog.tests.factories import PersonalizationOptionFactory, PieceFactory
from catalog.tests.request_helpers import form_url, perform, request_in

pytestmark = pytest.mark.django_db
LATER = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()


@pytest.fixture
def engraved_ring():
    """A ring made to order in 10 days (€200) offering only engraving (+€40, 5 more days, 12 characters)."""
    piece = PieceFactory(
        title="Hammered band", price=Decimal("200"), availability=Availability.MADE_TO_ORDER, lead_time_days=10
    )
    PersonalizationOptionFactory(
        piece=piece, kind=PersonalizationKind.ENGRAVING, max_characters=12, extra_price=40, extra_lead_days=5
    )
    return piece


def engraving(piece):
    return str(piece.personalization_options.get(kind=PersonalizationKind.ENGRAVING).pk)


def text(page):
    """The words of a page (or a response), tags dropped and entities read."""
    if not isinstance(page, str):
        page = page.content.decode()
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# --- The request form ------------------------------------------------------------


def test_the_form_asks_only_for_what_the_piece_offers(client, shopper, engraved_ring):
    response = client.get(form_url(engraved_ring))
    form = response.context["form"]
    assert set(form.fields) == {"options", "engraving_text", "details", "budget", "needed_by", "photos"}
    page = text(response.content.decode())
    assert "Engraving (+€40 · 5 more days)" in page
    assert "Size" not in page and "Metal or stone" not in page
    assert "Your budget (€)" in page and "listed at €200, made in 10 days" in page


def test_a_piece_offering_sizing_and_a_stone_asks_for_them_with_their_notes(client, shopper):
    piece = PieceFactory()
    PersonalizationOptionFactory(piece=piece, kind=PersonalizationKind.SIZING, max_characters=None, note="4 to 12")
    PersonalizationOptionFactory(piece=piece, kind=PersonalizationKind.STONE_CHOICE, max_characters=None)
    form = client.get(form_url(piece)).context["form"]
    assert "engraving_text" not in form.fields
    assert form.fields["size"].help_text == "4 to 12"
    assert form.fields["material_choice"].label == "Which stone?"
    assert form["options"].field.label_from_instance(piece.personalization_options.get(kind="sizing")) == (
        "Sizing (no extra cost · no extra days)"
    )


def test_the_engraving_is_never_cut_the_field_counts_and_the_server_refuses(client, shopper, engraved_ring):
    html = client.get(form_url(engraved_ring)).content.decode()
    field = re.search(r"<input[^>]*name=\"engraving_text\"[^>]*>", html).group(0)
    assert "maxlength" not in field and 'data-count-limit="12"' in field
    assert 'aria-describedby="id_engraving_text_helptext id_engraving_text_count"' in field
    assert 'id="id_engraving_text_count"' in html

    response = client.post(form_url(engraved_ring), {"options": [engraving(engraved_ring)], "engraving_text": "A" * 17})
    assert response.status_code == 200
    assert "The engraving can have at most 12 characters; this one has 17." in response.content.decode()
    assert not PersonalizationRequest.objects.exists()


def test_twelve_characters_of_twelve_are_accepted(client, shopper, engraved_ring):
    response = client.post(
        form_url(engraved_ring), {"options": [engraving(engraved_ring)], "engraving_text": "  A & J  2026 "}
    )
    assert response.status_code == 302
    assert PersonalizationRequest.objects.get().engraving_text == "A & J 2026"


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"engraving_text": "A" * 5000}, "engraving_text", "engraving_too_long"),
        ({"engraving_text": "<script>alert(1)</script>"}, "engraving_text", "engraving_too_long"),
        ({"engraving_text": "<b>hi</b>"}, "engraving_text", "engraving_characters"),
        ({"budget": "1e999"}, "budget", "max_digits"),
        ({"budget": "NaN"}, "budget", "invalid"),
        ({"budget": "12,50"}, "budget", "invalid"),
        ({"budget": "99999999999"}, "budget", "max_digits"),
        ({"needed_by": "31/31/2031"}, "needed_by", "invalid"),
        ({"options": ["abc"]}, "options", "invalid_pk_value"),
        ({"options": ["99999999"]}, "options", "invalid_choice"),
    ],
)
def test_the_form_refuses_hostile_input_with_a_message(client, shopper, engraved_ring, data, field, code):
    response = client.post(form_url(engraved_ring), {"options": [engraving(engraved_ring)], **data})
    assert response.status_code == 200
    assert response.context["form"].has_error(field, code)
    assert not PersonalizationRequest.objects.exists()


def test_another_pieces_option_is_refused_even_of_the_same_maker(client, shopper, engraved_ring):
    sibling = PieceFactory(artisan=engraved_ring.artisan)
    foreign = PersonalizationOptionFactory(piece=sibling, kind=PersonalizationKind.SIZING, max_characters=None)
    response = client.post(form_url(engraved_ring), {"options": [str(foreign.pk)]})
    assert response.context["form"].has_error("options", "invalid_choice")
    assert not PersonalizationRequest.objects.exists()


def test_fields_of_kinds_not_offered_are_ignored_and_of_kinds_not_ticked_refused(client, shopper, engraved_ring):
    # The ring offers no sizing: a forged size is not read at all.
    client.post(form_url(engraved_ring), {"options": [engraving(engraved_ring)], "size": "52", "material_choice": "x"})
    request = PersonalizationRequest.objects.get()
    assert (request.size, request.material_choice) == ("", "")
    # A piece that offers sizing, but the shopper did not tick it: told, not silently dropped.
    piece = PieceFactory()
    PersonalizationOptionFactory(piece=piece, kind=PersonalizationKind.SIZING, max_characters=None)
    PersonalizationOptionFactory(piece=piece, kind=PersonalizationKind.ENGRAVING, max_characters=8)
    response = client.post(form_url(piece), {"options": [engraving(piece)], "size": "52"})
    assert response.context["form"].has_error("size", "size_not_chosen")


def test_script_in_the_details_is_shown_as_text(client, shopper, engraved_ring):
    client.post(
        form_url(engraved_ring), {"options": [engraving(engraved_ring)], "details": "<script>alert(1)</script>"}
    )
    html = client.get(reverse("requests:detail", args=[PersonalizationRequest.objects.get().pk])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_limit_above_the_requests_column_is_held_to_the_column(client, shopper):
    piece = PieceFactory()
    PersonalizationOptionFactory(piece=piece, kind=PersonalizationKind.ENGRAVING, max_characters=500)
    form = client.get(form_url(piece)).context["form"]
    assert form.engraving_limit == request_forms.ENGRAVING_CEILING == 80


# --- Prices, days and the quote's meaning, on both sides ---------------------------


def quoted(piece, **fields):
    return request_in(
        RequestState.QUOTED,
        piece=piece,
        kinds=["engraving"],
        engraving_text="A & J",
        size="",
        quote_price=Decimal("260"),
        quote_lead_days=21,
        **fields,
    )


def test_both_sides_see_the_listed_prices_and_what_the_quote_means(client, engraved_ring):
    request = quoted(engraved_ring, needed_by=timezone.localdate() + datetime.timedelta(days=7))
    ready = (timezone.localdate() + datetime.timedelta(days=21)).strftime("%-d %B %Y")
    for user, url, who in [
        (request.shopper, reverse("requests:detail", args=[request.pk]), "you"),
        (request.artisan.user, reverse("studio:request_detail", args=[request.pk]), "the shopper"),
    ]:
        client.force_login(user)
        page = text(client.get(url).content.decode())
        assert "Hammered band €200 made in 10 days" in page
        assert "Engraving +€40 +5 days" in page and "Listed total €240 about 15 days" in page
        assert f"€260 is the total for the piece as {who} asked it: “Hammered band” with engraving." in page
        assert f"Ready 21 days after acceptance: by {ready} if accepted today." in page
        assert "That is later than the date" in page


def test_the_makers_quote_form_starts_from_the_listed_total_and_says_what_price_means(client, engraved_ring):
    request = request_in(RequestState.SUBMITTED, piece=engraved_ring, kinds=["engraving"], size="")
    client.force_login(request.artisan.user)
    html = client.get(reverse("studio:request_detail", args=[request.pk])).content.decode()
    assert 'name="price" type="number"' in html and 'value="240.00"' in html and 'value="15"' in html
    page = text(html)
    assert "Total price (€)" in page
    assert "Everything the shopper pays for the piece as they asked it" in page
    assert "Ready in (days after the shopper accepts)" in page


def test_after_acceptance_the_date_counts_from_the_acceptance(engraved_ring):
    request = quoted(engraved_ring)
    flow.request_accept(request=request, user=request.shopper)
    request = PersonalizationRequest.objects.with_thread().get(pk=request.pk)
    later = timezone.localdate() + datetime.timedelta(days=5)
    terms = request_terms(request, today=later)
    assert terms.accepted_on == timezone.localdate()
    assert terms.ready_by == timezone.localdate() + datetime.timedelta(days=21)


# --- The confirm step ----------------------------------------------------------------


def confirm_url(request):
    return reverse("requests:confirm", args=[request.pk])


def accept_url(request):
    return reverse("requests:action", args=[request.pk, "accept"])


def test_the_detail_page_offers_accept_and_decline_and_accept_leads_to_the_summary(client, engraved_ring):
    request = quoted(engraved_ring)
    client.force_login(request.shopper)
    html = client.get(reverse("requests:detail", args=[request.pk])).content.decode()
    assert "Next: accept or decline the quote." in html
    assert f'<a class="button" href="{confirm_url(request)}">Accept the quote</a>' in html
    assert ">Decline the quote</button>" in html
    assert "Withdraw the request" not in html


def test_the_summary_sums_up_and_its_button_accepts(client, engraved_ring):
    request = quoted(engraved_ring)
    client.force_login(request.shopper)
    response = client.get(confirm_url(request))
    page = text(response.content.decode())
    ready = (timezone.localdate() + datetime.timedelta(days=21)).strftime("%-d %B %Y")
    assert "Total price €260 , the total for the piece as you asked it" in page
    assert f"Ready by {ready} if you accept today (21 days after acceptance)" in page
    assert "Engraving “A & J”" in page and "Listed total €240" in page
    assert "Accept this quote" in page and "Not now: back to the request" in page
    response = client.post(accept_url(request), {"confirmation": response.context["confirmation"]})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED


@pytest.mark.parametrize("confirmation", [None, "", "forged", "1:260.00:21:2099-01-01:abc"])
def test_accepting_without_the_summarys_confirmation_is_refused(client, engraved_ring, confirmation):
    request = quoted(engraved_ring)
    client.force_login(request.shopper)
    data = {} if confirmation is None else {"confirmation": confirmation}
    response = client.post(accept_url(request), data, follow=True)
    assert request_forms.ERROR_CONFIRM_FIRST in text(response)
    request.refresh_from_db()
    assert request.state == RequestState.QUOTED


def test_a_confirmation_is_for_one_shopper_and_one_quote(client, engraved_ring):
    first, second = quoted(engraved_ring), quoted(engraved_ring)
    client.force_login(first.shopper)
    token = client.get(confirm_url(first)).context["confirmation"]
    # The same token on another shopper's request, by its shopper: not theirs.
    client.force_login(second.shopper)
    client.post(accept_url(second), {"confirmation": token})
    second.refresh_from_db()
    assert second.state == RequestState.QUOTED
    # The quote's terms changed since the summary was shown (stored directly: no flow re-quotes).
    PersonalizationRequest.objects.filter(pk=first.pk).update(quote_price=Decimal("999"))
    client.force_login(first.shopper)
    response = client.post(accept_url(first), {"confirmation": token}, follow=True)
    assert request_forms.ERROR_QUOTE_CHANGED in text(response)
    first.refresh_from_db()
    assert first.state == RequestState.QUOTED


@pytest.mark.parametrize("who", ["other_shopper", "maker", "other_maker", "staff"])
def test_only_the_shopper_sees_the_summary(client, engraved_ring, who):
    request = quoted(engraved_ring)
    user = {
        "other_shopper": UserFactory,
        "maker": lambda: request.artisan.user,
        "other_maker": lambda: ArtisanFactory().user,
        "staff": StaffFactory,
    }[who]()
    client.force_login(user)
    assert client.get(confirm_url(request)).status_code == 404
    assert client.post(confirm_url(request)).status_code in (404, 405)


def test_a_visitor_is_sent_to_sign_in_from_the_summary(client, engraved_ring):
    request = quoted(engraved_ring)
    response = client.get(confirm_url(request))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_quote_that_cannot_be_accepted_sends_back_with_the_reason(client, engraved_ring):
    expired = quoted(engraved_ring, quote_expires_on=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(expired.shopper)
    response = client.get(confirm_url(expired), follow=True)
    assert response.redirect_chain[-1][0] == reverse("requests:detail", args=[expired.pk])
    assert "This quote expired on" in response.content.decode()
    waiting = request_in(RequestState.SUBMITTED, shopper=expired.shopper)
    response = client.get(confirm_url(waiting), follow=True)
    assert "that step is not open any more" in response.content.decode()


@pytest.mark.parametrize("options", [1, 4])
def test_the_summary_costs_a_fixed_number_of_queries(client, options, django_assert_max_num_queries):
    piece = PieceFactory()
    for kind in list(PersonalizationKind)[:options]:
        PersonalizationOptionFactory(piece=piece, kind=kind, max_characters=12)
    request = request_in(RequestState.QUOTED, piece=piece, kinds=[kind for kind in PersonalizationKind][:options])
    for i in range(3):
        request.messages.create(author=request.shopper, body=f"hi {i}")
    client.force_login(request.shopper)
    # savepoint and release, session, user, maker profile (header), the request with piece,
    # maker and shopper, its messages, its photos, the piece's options
    with django_assert_max_num_queries(9):
        assert client.get(confirm_url(request)).status_code == 200


# --- Only actions that can succeed, in the words of the page ----------------------------


def test_start_making_is_not_offered_before_the_engraving_proof_is_approved(client, engraved_ring):
    request = request_in(RequestState.ACCEPTED, piece=engraved_ring, kinds=["engraving"], engraving_text="A & J")
    assert flow.actions_open_to(request, request.artisan.user) == ["share_proof"]
    client.force_login(request.artisan.user)
    page = text(client.get(reverse("studio:request_detail", args=[request.pk])).content.decode())
    assert "Start making" not in page and "Share the proof" in page
    assert flow.ERROR_PROOF_NEEDED in page
    approved = request_in(
        RequestState.PROOF_APPROVED, piece=engraved_ring, engraving_text="A & J", approved_text="A & J"
    )
    assert flow.actions_open_to(approved, approved.artisan.user) == ["start"]


def test_every_offered_action_succeeds(engraved_ring):
    # Whatever the state, each action the page would offer to each side goes through.
    for state in [s for s in RequestState if s not in (RequestState.EXPIRED, RequestState.CLOSED)]:
        for side in ("shopper", "artisan"):
            request = request_in(state, piece=engraved_ring, kinds=["engraving"], engraving_text="A & J")
            user = request.shopper if side == "shopper" else request.artisan.user
            for action in flow.actions_open_to(request, user):
                try:
                    with transaction.atomic():
                        perform(action, PersonalizationRequest.objects.get(pk=request.pk), user)
                        raise Undone
                except Undone:
                    pass


class Undone(Exception):
    """Raised to roll back an action once it has gone through."""


def test_while_waiting_for_a_quote_the_next_step_is_not_withdraw(client, engraved_ring):
    request = request_in(RequestState.SUBMITTED, piece=engraved_ring, kinds=["engraving"], size="")
    client.force_login(request.shopper)
    html = client.get(reverse("requests:detail", args=[request.pk])).content.decode()
    next_step = html[html.index('id="next-') : html.index("</section>", html.index('id="next-'))]
    assert "<button" not in next_step and "sends a quote" in next_step
    later = html[html.index('id="later-') :]
    assert "Changed your mind?" in later and ">Withdraw the request</button>" in later
    assert html.index('id="later-') > html.index('id="write-')


@pytest.mark.parametrize("who", ["other_shopper", "maker", "other_maker", "anonymous"])
def test_nobody_else_can_accept_even_with_the_shoppers_confirmation(client, engraved_ring, who):
    request = quoted(engraved_ring)
    client.force_login(request.shopper)
    token = client.get(confirm_url(request)).context["confirmation"]
    client.logout()
    user = {
        "other_shopper": UserFactory,
        "maker": lambda: request.artisan.user,
        "other_maker": lambda: ArtisanFactory().user,
        "anonymous": lambda: None,
    }[who]()
    if user is not None:
        client.force_login(user)
    response = client.post(accept_url(request), {"confirmation": token})
    assert response.status_code in (302, 404)
    if who == "anonymous":
        assert reverse("account_login") in response["Location"]
    elif who != "maker":
        assert response.status_code == 404
    request.refresh_from_db()
    assert request.state == RequestState.QUOTED


@pytest.mark.parametrize("options", [1, 4])
@pytest.mark.parametrize("side", ["shopper", "maker"])
def test_a_request_page_with_its_terms_costs_a_fixed_number_of_queries(
    client, options, side, django_assert_max_num_queries
):
    piece = PieceFactory()
    kinds = list(PersonalizationKind)[:options]
    for kind in kinds:
        PersonalizationOptionFactory(piece=piece, kind=kind, max_characters=12)
    request = request_in(RequestState.QUOTED, piece=piece, kinds=kinds)
    for i in range(options * 2):
        request.messages.create(author=request.shopper, body=f"hi {i}")
    user, url = (
        (request.shopper, reverse("requests:detail", args=[request.pk]))
        if side == "shopper"
        else (request.artisan.user, reverse("studio:request_detail", args=[request.pk]))
    )
    client.force_login(user)
    # savepoint and release, session, user, the header's maker, the request with piece, maker and
    # shopper, its messages, its photos, the piece's options (the studio reads its maker once more)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
