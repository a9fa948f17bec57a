"""
The request pages: the form with hostile input, the shopper's list and the
maker's inbox, ownership (404 for others, sign-in for visitors), the actions
through HTTP, the rate limits and the query counts at two sizes.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from artisans.images import ERROR_EMPTY, ERROR_NOT_AN_IMAGE
from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from artisans.tests.uploads import encoded, upload
from catalog.choices import PersonalizationKind
from catalog.models import PersonalizationRequest, RequestState
from catalog.personalization import forms as request_forms
from catalog.tests.factories import PersonalizationOptionFactory, PersonalizationRequestFactory, PieceFactory
from catalog.tests.request_helpers import form_url, request_in

pytestmark = pytest.mark.django_db
TOMORROW = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()


@pytest.fixture
def piece():
    piece = PieceFactory()
    PersonalizationOptionFactory(piece=piece, kind=PersonalizationKind.ENGRAVING, max_characters=12)
    PersonalizationOptionFactory(piece=piece, kind=PersonalizationKind.SIZING, max_characters=None)
    return piece


def option(piece, kind):
    return str(piece.personalization_options.get(kind=kind).pk)


def valid(piece, **overrides):
    data = {
        "options": [option(piece, "engraving"), option(piece, "sizing")],
        "engraving_text": "A & J 2026",
        "size": "52",
        "material_choice": "",
        "details": "Inside the band.",
        "budget": "300",
        "needed_by": TOMORROW,
    }
    data.update(overrides)
    return data


def test_a_shopper_sends_a_request_for_an_engraving(client, shopper, piece):
    photos = [upload(encoded("JPEG"), f"ref{i}.jpg") for i in range(2)]
    response = client.post(form_url(piece), {**valid(piece), "photos": photos})
    request = PersonalizationRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("requests:detail", args=[request.pk])
    assert (request.shopper, request.artisan, request.kinds) == (shopper, piece.artisan, ["engraving", "sizing"])
    assert request.engraving_text == "A & J 2026" and request.photos.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"engraving_text": "Thirteen char"}, "engraving_text", "engraving_too_long"),
        ({"engraving_text": "<script>x"}, "engraving_text", "engraving_characters"),
        ({"needed_by": "2001-01-01"}, "needed_by", "past_date"),
        ({"budget": "-5"}, "budget", "negative_budget"),
        ({"options": ["999999"]}, "options", "invalid_choice"),
        ({"options": []}, "__all__", "no_kind"),
    ],
)
def test_the_form_refuses_bad_input(client, shopper, piece, overrides, field, code):
    response = client.post(form_url(piece), valid(piece, **overrides))
    assert response.status_code == 200
    assert response.context["form"].has_error(field, code)
    assert not PersonalizationRequest.objects.exists()


def test_the_form_refuses_another_pieces_option(client, shopper, piece):
    foreign = PersonalizationOptionFactory(kind=PersonalizationKind.STONE_CHOICE, max_characters=None)
    response = client.post(form_url(piece), valid(piece, options=[str(foreign.pk)]))
    assert response.context["form"].has_error("options", "invalid_choice")


def test_the_form_offers_only_the_kinds_the_piece_offers(client, shopper, piece):
    form = client.get(form_url(piece)).context["form"]
    assert {o.kind for o in form.fields["options"].queryset} == {"engraving", "sizing"}


def test_the_form_refuses_six_photos(client, shopper, piece):
    photos = [upload(encoded("JPEG"), f"ref{i}.jpg") for i in range(6)]
    response = client.post(form_url(piece), {**valid(piece), "photos": photos})
    assert response.context["form"].has_error("photos", "too_many_photos")
    assert not PersonalizationRequest.objects.exists()


def test_the_form_refuses_a_file_that_is_not_a_photo(client, shopper, piece):
    response = client.post(form_url(piece), {**valid(piece), "photos": [upload(b"%PDF-1.4", "x.jpg")]})
    assert response.context["form"].has_error("photos", "not_an_image")


def test_a_commission_from_a_makers_page_has_no_piece(client, shopper):
    maker = ArtisanFactory()
    url = reverse("requests:create_for_artisan", args=[maker.slug])
    response = client.post(url, {"kinds": ["custom_design"], "details": "A signet ring"})
    request = PersonalizationRequest.objects.get()
    assert response.status_code == 302 and request.piece is None and request.artisan == maker


def test_a_visitor_is_sent_to_sign_in_and_comes_back_to_what_they_typed(client, piece):
    response = client.post(form_url(piece), valid(piece, details="Our initials"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]
    client.force_login(UserFactory())
    form = client.get(form_url(piece)).context["form"]
    assert form.initial["details"] == "Our initials" and form.initial["engraving_text"] == "A & J 2026"
    assert not PersonalizationRequest.objects.exists()


def test_messages_are_escaped_and_links_made_safe(client):
    request = PersonalizationRequestFactory()
    client.force_login(request.shopper)
    body = '<script>alert(1)</script> see https://example.com/ring <a href="javascript:x">x</a>'
    client.post(reverse("requests:action", args=[request.pk, "message"]), {"body": body})
    html = client.get(reverse("requests:detail", args=[request.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert '<a href="https://example.com/ring" rel="nofollow">' in html
    assert 'href="javascript:' not in html


@pytest.mark.parametrize("who", ["other_shopper", "other_artisan", "staff"])
def test_others_get_404_on_a_shoppers_request(client, who):
    request = PersonalizationRequestFactory()
    user = {"other_shopper": UserFactory, "other_artisan": lambda: ArtisanFactory().user, "staff": StaffFactory}[who]()
    client.force_login(user)
    assert client.get(reverse("requests:detail", args=[request.pk])).status_code == 404
    assert client.post(reverse("requests:action", args=[request.pk, "withdraw"])).status_code == 404
    assert client.post(reverse("studio:request_action", args=[request.pk, "decline"]), {"note": "x"}).status_code in (
        302,
        404,
    )
    request.refresh_from_db()
    assert request.state == RequestState.SUBMITTED


def test_another_maker_gets_404_in_the_studio(client):
    request = PersonalizationRequestFactory()
    client.force_login(ArtisanFactory().user)
    assert client.get(reverse("studio:request_detail", args=[request.pk])).status_code == 404
    assert client.post(reverse("studio:request_action", args=[request.pk, "decline"]), {"note": "x"}).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        lambda r: reverse("requests:list"),
        lambda r: reverse("requests:detail", args=[r.pk]),
        lambda r: reverse("studio:requests"),
        lambda r: reverse("studio:request_detail", args=[r.pk]),
    ],
)
def test_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url(PersonalizationRequestFactory()))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_maker_quotes_and_the_shopper_accepts_through_the_pages(client, mailoutbox):
    request = PersonalizationRequestFactory()
    client.force_login(request.artisan.user)
    client.post(
        reverse("studio:request_action", args=[request.pk, "quote"]),
        {"price": "240", "lead_days": "21", "expires_on": TOMORROW, "message": "Gladly"},
    )
    client.force_login(request.shopper)
    confirmation = client.get(reverse("requests:confirm", args=[request.pk])).context["confirmation"]
    accept = reverse("requests:action", args=[request.pk, "accept"])
    response = client.post(accept, {"confirmation": confirmation}, follow=True)
    assert "You accepted the quote" in response.content.decode()
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED
    # A second tab accepting again (from the summary it still shows) is told the step is gone.
    response = client.post(accept, {"confirmation": confirmation}, follow=True)
    assert "that step is not open any more" in response.content.decode()


@pytest.mark.parametrize(("content", "message"), [(b"", ERROR_EMPTY), (b"<html></html>", ERROR_NOT_AN_IMAGE)])
def test_a_proof_that_is_not_a_photo_is_refused_with_the_pipelines_message(client, content, message):
    # Found by the hostile suite: an empty proof got Django's own message instead of the pipeline's.
    request = request_in(RequestState.ACCEPTED)
    client.force_login(request.artisan.user)
    response = client.post(
        reverse("studio:request_action", args=[request.pk, "share_proof"]),
        {"note": "Layout", "image": upload(content, "proof.png")},
        follow=True,
    )
    assert message in response.content.decode()
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED and not request.proof_image


def test_the_inbox_filters_by_state_newest_first(client):
    maker = ArtisanFactory()
    old = PersonalizationRequestFactory(piece=PieceFactory(artisan=maker))
    new = PersonalizationRequestFactory(piece=PieceFactory(artisan=maker))
    quoted = request_in(RequestState.QUOTED, piece=PieceFactory(artisan=maker))
    PersonalizationRequestFactory()  # another maker's
    client.force_login(maker.user)
    assert list(client.get(reverse("studio:requests")).context["requests"]) == [quoted, new, old]
    response = client.get(reverse("studio:requests"), {"state": "submitted"})
    assert list(response.context["requests"]) == [new, old]


def test_past_the_hourly_limit_a_shopper_gets_a_friendly_429(client, shopper, piece, settings):
    settings.REQUESTS_PER_HOUR = 2
    for _ in range(2):
        assert client.post(form_url(piece), valid(piece)).status_code == 302
    response = client.post(form_url(piece), valid(piece))
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "try again in" in response.content.decode()
    assert PersonalizationRequest.objects.count() == 2


def test_past_the_message_limit_the_sender_gets_a_429(client, settings):
    settings.MESSAGES_PER_MINUTE = 3
    request = PersonalizationRequestFactory()
    client.force_login(request.shopper)
    url = reverse("requests:action", args=[request.pk, "message"])
    for i in range(3):
        assert client.post(url, {"body": f"hello {i}"}).status_code == 302
    assert client.post(url, {"body": "again"}).status_code == 429
    assert request.messages.exclude(body="").count() == 3


@pytest.mark.parametrize("count", [2, 8])
def test_the_shoppers_list_costs_a_fixed_number_of_queries(client, count, django_assert_max_num_queries):
    shopper = UserFactory()
    for _ in range(count):
        request = request_in(RequestState.QUOTED, shopper=shopper)
        request.messages.create(author=shopper, body="hi")
    client.force_login(shopper)
    # savepoint and release, session, user, maker profile (header), count, requests, messages, photos
    with django_assert_max_num_queries(9):
        assert client.get(reverse("requests:list")).status_code == 200


@pytest.mark.parametrize("count", [2, 8])
def test_the_inbox_costs_a_fixed_number_of_queries(client, count, django_assert_max_num_queries):
    maker = ArtisanFactory()
    for _ in range(count):
        PersonalizationRequestFactory(piece=PieceFactory(artisan=maker))
    client.force_login(maker.user)
    # savepoint and release, session, user, maker, count, requests with piece, shopper and profile
    with django_assert_max_num_queries(8):
        assert client.get(reverse("studio:requests")).status_code == 200


def test_engraving_proof_is_shown_letter_by_letter(client):
    request = request_in(
        RequestState.PROOF_SHARED, engraving_text="A & J", proof_text="A & J", kinds=["engraving"], proof_image="x.png"
    )
    client.force_login(request.shopper)
    html = client.get(reverse("requests:detail", args=[request.pk])).content.decode()
    assert html.count('class="engraving__letter"') == 5
    assert "Approve the proof" in html


def test_the_character_set_allows_letters_of_any_alphabet():
    assert request_forms.ENGRAVING_CHARACTERS.match("Zoë & José ♥ 12.06")
    assert not request_forms.ENGRAVING_CHARACTERS.match("a<b")
