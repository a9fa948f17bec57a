"""Saved pieces: the toggle (wanted state, once only, CSRF, rate limit, htmx), session saves joining, /saved/."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.choices import PieceStatus
from catalog.models import Piece, SavedPiece
from catalog.shoppers import buttons
from catalog.shoppers.saves import SESSION_KEY, piece_save, saved_pieces_join
from catalog.shoppers.views import MESSAGE_SAVED, MESSAGE_UNSAVED
from catalog.tests.factories import PieceFactory, piece_with_details

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
SAVED = reverse("shoppers:saved")
HTMX = {"HX-Request": "true"}


def save_url(piece):
    return reverse("shoppers:piece_save", kwargs={"slug": piece.slug})


def save(client, piece, headers=None, **data):
    return client.post(save_url(piece), data, headers=headers or {})


def rows(user):
    return list(SavedPiece.objects.filter(shopper=user).values_list("piece_id", flat=True))


@pytest.fixture
def shopper(client):
    user = UserFactory()
    client.force_login(user)
    return user


# --- The service --------------------------------------------------------------


def test_saving_twice_makes_one_row_and_unsaving_twice_leaves_none():
    user, piece = UserFactory(), PieceFactory()
    assert piece_save(shopper=user, piece=piece, saved=True) is True
    assert piece_save(shopper=user, piece=piece, saved=True) is True
    assert rows(user) == [piece.pk]
    piece_save(shopper=user, piece=piece, saved=False)
    piece_save(shopper=user, piece=piece, saved=False)
    assert rows(user) == []


def test_two_tabs_saving_at_once_make_one_row_and_keep_the_first_moment():
    user, piece = UserFactory(), PieceFactory()
    # The other tab's row is already written when this one's insert arrives: no error, no second row.
    first = SavedPiece.objects.create(shopper=user, piece=piece)
    piece_save(shopper=user, piece=piece, saved=True)
    assert list(SavedPiece.objects.filter(shopper=user)) == [first]
    assert SavedPiece.objects.get().saved_at == first.saved_at


# --- The toggle ---------------------------------------------------------------


def test_a_shopper_saves_a_piece_and_is_sent_back_with_a_message(client, shopper):
    piece = PieceFactory(title="Hammered ring")
    response = save(client, piece, saved="1", next="/pieces/?method=handcrafted")
    assert response.status_code == 302 and response["Location"] == "/pieces/?method=handcrafted"
    assert rows(shopper) == [piece.pk]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [MESSAGE_SAVED % {"title": "Hammered ring"}]


def test_a_stale_tab_pressing_save_again_does_not_unsave(client, shopper):
    piece = PieceFactory()
    save(client, piece, saved="1")
    save(client, piece, saved="1")  # the second tab still showed "Save"
    assert rows(shopper) == [piece.pk]
    save(client, piece, saved="0")
    save(client, piece, saved="0")
    assert rows(shopper) == []


def test_a_post_without_the_state_toggles(client, shopper):
    piece = PieceFactory()
    save(client, piece)
    assert rows(shopper) == [piece.pk]
    response = save(client, piece)
    assert rows(shopper) == []
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == MESSAGE_UNSAVED % {"title": piece.title}


@pytest.mark.parametrize("value", ["2", "yes", "-1", "1.0", "<script>alert(1)</script>", "9" * 500])
def test_an_unknown_state_is_refused_with_a_400_and_changes_nothing(client, shopper, value):
    piece = PieceFactory()
    response = save(client, piece, saved=value)
    assert response.status_code == 400
    assert "did not make sense to us, so we did nothing with it" in response.content.decode()
    assert rows(shopper) == []


def test_get_on_the_toggle_is_405(client, shopper):
    assert client.get(save_url(PieceFactory())).status_code == 405
    assert rows(shopper) == []


@pytest.mark.parametrize(
    "change",
    [
        {"status": PieceStatus.DRAFT, "published_at": None},
        {"status": PieceStatus.ARCHIVED},
        {"status": PieceStatus.HIDDEN},
    ],
)
def test_a_piece_that_is_not_public_cannot_be_saved(client, shopper, change):
    piece = PieceFactory(**change)
    assert save(client, piece, saved="1").status_code == 404
    assert save(client, piece).status_code == 404
    assert rows(shopper) == []


def test_a_piece_of_a_maker_not_approved_cannot_be_saved(client, shopper):
    for status in (ArtisanStatus.PENDING, ArtisanStatus.SUSPENDED):
        piece = PieceFactory(artisan=ArtisanFactory(status=status))
        assert save(client, piece, saved="1").status_code == 404
    assert rows(shopper) == []


def test_a_hidden_piece_the_visitor_did_not_save_cannot_be_unsaved_either(client, shopper):
    piece = PieceFactory(status=PieceStatus.HIDDEN)
    assert save(client, piece, saved="0").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/pieces/../save/", "/pieces/%2E%2E%2F/save/", "/pieces/" + "a" * 300 + "/save/", "/pieces/bague-ç✓/save/"],
)
def test_hostile_slugs_are_404s(client, shopper, path):
    assert client.post(path, {"saved": "1"}).status_code == 404
    assert rows(shopper) == []


@pytest.mark.parametrize(
    "back", ["//evil.example/", "https://evil.example/", "javascript:alert(1)", "/\\evil.example", "catalog:home", ""]
)
def test_a_hostile_next_goes_to_the_piece_page(client, shopper, back):
    piece = PieceFactory()
    response = save(client, piece, saved="1", next=back)
    assert response.status_code == 302 and response["Location"] == piece.get_absolute_url()


def test_csrf_is_required(shopper):
    client = Client(enforce_csrf_checks=True)
    client.force_login(shopper)
    piece = PieceFactory()
    assert save(client, piece, saved="1").status_code == 403
    assert rows(shopper) == []
    client.get(piece.get_absolute_url())  # the page sets the CSRF cookie its forms carry
    token = client.cookies["csrftoken"].value
    assert save(client, piece, saved="1", csrfmiddlewaretoken=token).status_code == 302
    assert rows(shopper) == [piece.pk]


def test_saving_is_rate_limited_per_account_with_the_429_page(client, shopper, settings):
    settings.SAVES_PER_MINUTE = 2
    piece = PieceFactory()
    assert save(client, piece, saved="1").status_code == 302
    assert save(client, piece, saved="0").status_code == 302
    response = save(client, piece, saved="1")
    assert response.status_code == 429 and "Retry-After" in response
    assert rows(shopper) == []


def test_saving_is_rate_limited_per_session_when_not_signed_in(client, settings):
    settings.SAVES_PER_MINUTE = 1
    piece = PieceFactory()
    assert save(client, piece, saved="1").status_code == 302
    assert save(client, piece, saved="0").status_code == 429
    assert client.session[SESSION_KEY] == [piece.pk]


def test_with_htmx_the_answer_is_the_new_button_and_the_sentence_for_the_live_region(client, shopper):
    piece = PieceFactory(title="Hammered <b>ring</b>")
    response = save(client, piece, headers={**HTMX, "HX-Trigger": f"save-{piece.pk}-3"}, saved="1")
    html = response.content.decode()
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    assert html.startswith('<button class="save-toggle__button"') and "<form" not in html
    assert f'id="save-{piece.pk}-3-button"' in html and 'name="saved" value="0" aria-pressed="true"' in html
    assert f'<span id="save-{piece.pk}-3-status" data-hx-swap-oob="innerHTML">{buttons.ANNOUNCE_SAVED}</span>' in html
    assert "Hammered &lt;b&gt;ring&lt;/b&gt;" in html and "<b>" not in html
    html = save(client, piece, headers=HTMX, saved="0").content.decode()
    assert 'aria-pressed="false"' in html and buttons.ANNOUNCE_UNSAVED in html
    assert rows(shopper) == []


def test_a_forged_htmx_trigger_does_not_reach_the_answer(client, shopper):
    piece = PieceFactory()
    html = save(client, piece, headers={**HTMX, "HX-Trigger": '"><script>x</script>'}, saved="1").content.decode()
    assert "<script>" not in html and f'id="save-{piece.pk}-1-button"' in html


# --- The buttons on the pages ------------------------------------------------


def test_every_card_of_the_listing_has_a_save_button_pressed_for_what_the_visitor_saved(client, shopper):
    saved, other = PieceFactory(), PieceFactory()
    SavedPiece.objects.create(shopper=shopper, piece=saved)
    html = client.get(reverse("catalog:piece_list")).content.decode()
    buttons_drawn = re.findall(r'<button class="save-toggle__button"[^>]*>', html)
    assert len(buttons_drawn) == 2
    assert f'action="{save_url(saved)}"' in html and f'action="{save_url(other)}"' in html
    pressed = re.search(rf'action="{save_url(saved)}".*?aria-pressed="(\w+)"', html, re.S).group(1)
    not_pressed = re.search(rf'action="{save_url(other)}".*?aria-pressed="(\w+)"', html, re.S).group(1)
    assert (pressed, not_pressed) == ("true", "false")
    assert 'role="status" aria-live="polite"' in html


def test_the_cached_card_never_holds_a_visitors_button(client, shopper):
    piece = PieceFactory()
    SavedPiece.objects.create(shopper=shopper, piece=piece)
    client.get(reverse("catalog:piece_list"))  # caches the card
    other = Client()
    html = other.get(reverse("catalog:piece_list")).content.decode()
    assert 'aria-pressed="false"' in html and "Saved<span" not in html


def test_home_collection_and_maker_page_cards_have_the_save_button(client):
    piece = PieceFactory(featured=True)
    html = client.get(reverse("catalog:home")).content.decode()
    assert f'action="{save_url(piece)}"' in html
    html = client.get(piece.artisan.get_absolute_url()).content.decode()
    assert f'action="{save_url(piece)}"' in html


def test_the_piece_page_has_the_save_button_and_its_etag_changes_when_saved(client, shopper):
    piece = piece_with_details()
    url = piece.get_absolute_url()
    client.get(url)  # the first visit sets the cookies the ETag reads (CSRF, recently viewed)
    first = client.get(url)
    assert 'name="saved" value="1" aria-pressed="false"' in first.content.decode()
    etag = first["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    save(client, piece, saved="1")
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 200 and 'name="saved" value="0" aria-pressed="true"' in again.content.decode()


def test_the_piece_pages_etag_follows_an_anonymous_visitors_saves_too(client):
    piece = piece_with_details()
    client.get(piece.get_absolute_url())
    etag = client.get(piece.get_absolute_url())["ETag"]
    assert client.get(piece.get_absolute_url(), headers={"If-None-Match": etag}).status_code == 304
    save(client, piece, saved="1")
    assert client.get(piece.get_absolute_url(), headers={"If-None-Match": etag}).status_code == 200


# --- Anonymous saves and the account ----------------------------------------


def test_anonymous_saves_live_in_the_session_newest_first_and_capped(client, settings):
    settings.SESSION_SAVES_MAX = 3
    pieces = [PieceFactory() for _ in range(4)]
    for piece in pieces:
        save(client, piece, saved="1")
    assert client.session[SESSION_KEY] == [p.pk for p in reversed(pieces)][:3]
    save(client, pieces[2], saved="0")
    assert client.session[SESSION_KEY] == [pieces[3].pk, pieces[1].pk]
    assert SavedPiece.objects.count() == 0


def test_a_tampered_session_value_reads_as_no_saves(client):
    session = client.session
    session[SESSION_KEY] = "not a list"
    session.save()
    assert client.get(SAVED).status_code == 200
    session[SESSION_KEY] = [1, "2", None, True, {"a": 1}]
    session.save()
    assert client.get(SAVED).status_code == 200


def verified_user(email="ana@example.com"):
    user = UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def test_session_saves_join_the_account_at_sign_in_keeping_their_order(client):
    user = verified_user()
    already = PieceFactory()
    SavedPiece.objects.create(shopper=user, piece=already)
    first, second = PieceFactory(), PieceFactory()
    save(client, first, saved="1")
    save(client, second, saved="1")
    save(client, already, saved="1")
    client.post(reverse("account_login"), {"login": "ana@example.com", "password": PASSWORD})
    assert int(client.session["_auth_user_id"]) == user.pk
    assert SESSION_KEY not in client.session
    assert SavedPiece.objects.filter(shopper=user).count() == 3
    page = client.get(SAVED)
    # The joined pieces in the session's order; the one saved before keeps its first moment.
    assert [entry.piece.pk for entry in page.context["entries"]] == [second.pk, first.pk, already.pk]


def test_session_saves_join_the_account_at_sign_up(client):
    piece = PieceFactory()
    save(client, piece, saved="1")
    data = {"first_name": "Ada", "last_name": "Lovelace", "email": "new@example.com"}
    client.post(reverse("account_signup"), {**data, "password1": PASSWORD, "password2": PASSWORD})
    user = get_user_model().objects.get(email="new@example.com")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    client.post(link.split("testserver", 1)[1])  # confirming the address signs the new shopper in
    assert int(client.session["_auth_user_id"]) == user.pk
    assert rows(user) == [piece.pk]


def test_the_join_leaves_out_pieces_deleted_since_and_keeps_hidden_ones():
    user = UserFactory()
    kept, hidden, gone = PieceFactory(), PieceFactory(status=PieceStatus.HIDDEN), PieceFactory()
    gone_pk = gone.pk
    gone.delete()
    assert saved_pieces_join(shopper=user, piece_ids=[kept.pk, gone_pk, hidden.pk, kept.pk]) == 2
    assert set(rows(user)) == {kept.pk, hidden.pk}


# --- /saved/ ------------------------------------------------------------------


def test_saved_shows_the_cards_newest_saved_first_with_pressed_buttons(client, shopper):
    older, newer = PieceFactory(title="Older ring"), PieceFactory(title="Newer ring")
    save(client, older, saved="1")
    save(client, newer, saved="1")
    response = client.get(SAVED)
    html = response.content.decode()
    assert [entry.piece.pk for entry in response.context["entries"]] == [newer.pk, older.pk]
    grid = html[html.index('class="piece-grid"') :]
    assert grid.index("Newer ring") < grid.index("Older ring")
    assert html.count('aria-pressed="true"') == 2 and 'class="card__link"' in html


def test_a_saved_piece_hidden_later_stays_greyed_without_a_link_and_can_be_removed(client, shopper):
    piece = PieceFactory(title="Hidden ring")
    save(client, piece, saved="1")
    Piece.objects.filter(pk=piece.pk).update(status=PieceStatus.HIDDEN)
    html = client.get(SAVED).content.decode()
    assert "card--gone" in html and "Hidden ring" in html and "No longer shown on Atelier" in html
    assert f'href="{piece.get_absolute_url()}"' not in html
    assert save(client, piece, saved="1").status_code == 404  # not saved again
    response = save(client, piece, saved="0", next=SAVED)
    assert response.status_code == 302 and response["Location"] == SAVED
    assert rows(shopper) == []


def test_a_piece_of_a_suspended_maker_is_greyed_on_saved(client, shopper):
    piece = PieceFactory()
    save(client, piece, saved="1")
    piece.artisan.status = ArtisanStatus.SUSPENDED
    piece.artisan.save()
    assert "No longer shown on Atelier" in client.get(SAVED).content.decode()


def test_saved_says_so_when_empty_and_links_to_the_pieces(client):
    html = client.get(SAVED).content.decode()
    assert "Nothing saved yet" in html and f'href="{reverse("catalog:piece_list")}"' in html


def test_an_anonymous_visitor_sees_their_session_saves_and_is_offered_to_keep_them(client):
    piece = PieceFactory(title="Session ring")
    save(client, piece, saved="1")
    html = client.get(SAVED).content.decode()
    assert "Session ring" in html and "kept in this browser only" in html


@pytest.mark.parametrize("page", ["abc", "99999", "0", "-1", "1e9", "%00", "<script>"])
def test_saved_answers_garbage_pages_with_a_404_never_a_500(client, shopper, page):
    save(client, PieceFactory(), saved="1")
    assert client.get(SAVED, {"page": page}).status_code == 404


def test_saved_pages_24_at_a_time(client, shopper):
    for piece in [PieceFactory() for _ in range(25)]:
        SavedPiece.objects.create(shopper=shopper, piece=piece)
    assert len(client.get(SAVED).context["entries"]) == 24
    assert len(client.get(SAVED, {"page": 2}).context["entries"]) == 1


# --- Nobody sees another's saves ---------------------------------------------


def test_every_visitor_sees_only_their_own_saved_pieces():
    owner, other_shopper, staff = UserFactory(), UserFactory(), StaffFactory()
    maker = ArtisanFactory()
    mine = PieceFactory(title="Owner's ring", artisan=maker)
    SavedPiece.objects.create(shopper=owner, piece=mine)
    for user in (other_shopper, maker.user, staff, None):
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get(SAVED)
        assert response.status_code == 200
        assert response.context["entries"] == [], user
        assert "Owner&#x27;s ring" not in response.content.decode()
    client = Client()
    client.force_login(owner)
    assert [entry.piece for entry in client.get(SAVED).context["entries"]] == [mine]


def test_another_shopper_unsaving_changes_only_their_own_saves(client, shopper):
    piece = PieceFactory()
    owner = UserFactory()
    SavedPiece.objects.create(shopper=owner, piece=piece)
    save(client, piece, saved="0")
    save(client, piece)  # toggles the shopper's own: saved now
    assert rows(owner) == [piece.pk] and rows(shopper) == [piece.pk]


# --- Query counts -------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 20])
def test_saved_costs_the_same_queries_for_2_or_20_rows(client, shopper, count, django_assert_max_num_queries):
    pieces = [piece_with_details() for _ in range(count)]
    for piece in pieces:
        SavedPiece.objects.create(shopper=shopper, piece=piece)
    Piece.objects.filter(pk=pieces[0].pk).update(status=PieceStatus.HIDDEN)
    # savepoint and release (ATOMIC_REQUESTS), session, user, the header's maker profile, count,
    # page ids, which are public, the cards' pieces, photos, materials, steps, the buttons' state
    with django_assert_max_num_queries(13):
        assert client.get(SAVED).status_code == 200
    with django_assert_max_num_queries(9):  # the cards now from the cache
        assert client.get(SAVED).status_code == 200


@pytest.mark.parametrize("count", [2, 20])
def test_anonymous_saved_costs_the_same_queries_for_2_or_20_pieces(client, count, django_assert_max_num_queries):
    for piece in [piece_with_details() for _ in range(count)]:
        save(client, piece, saved="1")
    # savepoint and release, session, which are public, the cards' pieces, photos, materials, steps
    with django_assert_max_num_queries(9):
        assert client.get(SAVED).status_code == 200


@pytest.mark.parametrize("count", [2, 20])
def test_the_listing_with_save_buttons_costs_the_same_queries(client, shopper, count, django_assert_max_num_queries):
    pieces = [piece_with_details() for _ in range(count)]
    for piece in pieces[::2]:
        SavedPiece.objects.create(shopper=shopper, piece=piece)
    client.get(reverse("catalog:piece_list"))  # builds the index, caches the cards
    # session, user, the header's maker profile, the buttons' saved state: one query for the whole grid
    with django_assert_max_num_queries(4):
        html = client.get(reverse("catalog:piece_list")).content.decode()
    assert html.count('aria-pressed="true"') >= len(pieces[::2][:24])
