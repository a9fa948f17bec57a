"""Taking a piece out of the comparison, and clearing it: real POST forms on the compare page."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from catalog.choices import PieceStatus
from catalog.pages.compare import MESSAGE_TRAY_CLEARED, TRAY_SESSION_KEY
from catalog.tests.factories import PieceFactory

pytestmark = pytest.mark.django_db

COMPARE = reverse("catalog:compare")
TOGGLE = reverse("catalog:compare_toggle")
REMOVE = reverse("catalog:compare_remove")
CLEAR = reverse("catalog:compare_clear")


def in_tray(client):
    return client.session.get(TRAY_SESSION_KEY, [])


@pytest.fixture
def three(client):
    """Three pieces in the visitor's tray."""
    pieces = PieceFactory.create_batch(3)
    for piece in pieces:
        client.post(TOGGLE, {"piece": piece.slug})
    return pieces


def test_remove_takes_one_piece_out_of_the_tray_and_goes_back_to_the_comparison(client, three):
    response = client.post(REMOVE, {"piece": three[1].slug})
    assert response.status_code == 302 and response["Location"] == COMPARE
    assert in_tray(client) == [three[0].slug, three[2].slug]
    assert [column.slug for column in client.get(COMPARE).context["pieces"]] == [three[0].slug, three[2].slug]


def test_removing_a_piece_twice_or_one_not_in_the_tray_changes_nothing(client, three):
    client.post(REMOVE, {"piece": three[0].slug})
    assert client.post(REMOVE, {"piece": three[0].slug}).status_code == 302
    assert client.post(REMOVE, {"piece": "no-such-piece"}).status_code == 302
    assert in_tray(client) == [three[1].slug, three[2].slug]


def test_a_piece_hidden_since_it_was_added_can_still_be_removed(client, three):
    three[0].status = PieceStatus.HIDDEN
    three[0].save()
    body = client.get(COMPARE).content.decode()
    assert "Left out, as no piece on show has this address" in body
    client.post(REMOVE, {"piece": three[0].slug})
    assert in_tray(client) == [three[1].slug, three[2].slug]


@pytest.mark.parametrize("garbage", ["", "\x00", "x" * 5000, "<script>alert(1)</script>", "' OR 1=1--", "ü"])
def test_remove_refuses_what_cannot_be_a_piece_with_a_404_and_keeps_the_tray(client, three, garbage):
    assert client.post(REMOVE, {"piece": garbage}).status_code == 404
    assert in_tray(client) == [piece.slug for piece in three]


def test_remove_without_a_piece_is_a_404(client, three):
    assert client.post(REMOVE).status_code == 404
    assert len(in_tray(client)) == 3


def test_clear_empties_the_tray_and_says_so(client, three):
    response = client.post(CLEAR, follow=True)
    assert response.redirect_chain == [(COMPARE, 302)]
    assert MESSAGE_TRAY_CLEARED in response.content.decode()
    assert "Nothing to compare yet" in response.content.decode()
    assert in_tray(client) == []
    # The header's link to the comparison is gone with the tray.
    assert "Compare (" not in client.get(reverse("catalog:piece_list")).content.decode()


def test_clearing_an_empty_tray_is_harmless(client):
    assert client.post(CLEAR).status_code == 302
    assert in_tray(client) == []


@pytest.mark.parametrize("url", [REMOVE, CLEAR])
def test_remove_and_clear_refuse_get(client, three, url):
    assert client.get(url, {"piece": three[0].slug}).status_code == 405
    assert len(in_tray(client)) == 3


@pytest.mark.parametrize("url", [REMOVE, CLEAR])
def test_remove_and_clear_need_the_csrf_token(three, url):
    client = Client(enforce_csrf_checks=True)
    piece = three[0]
    response = client.post(url, {"piece": piece.slug})
    assert response.status_code == 403


def test_one_visitor_cannot_touch_another_visitors_tray(client, three):
    other = Client()
    other.post(REMOVE, {"piece": three[0].slug})
    other.post(CLEAR)
    assert in_tray(client) == [piece.slug for piece in three]


def test_compare_page_offers_a_remove_form_per_piece_and_a_clear_form(client, three):
    body = client.get(COMPARE).content.decode()
    assert body.count(f'action="{REMOVE}"') == 3
    for piece in three:
        assert f'name="piece" value="{piece.slug}"' in body
        assert f'Remove<span class="visually-hidden"> {piece.title} from the comparison</span>' in body
    assert f'action="{CLEAR}"' in body
    assert len(re.findall(r'name="csrfmiddlewaretoken" value="\w{32,}"', body)) == 4


def test_one_piece_left_can_still_be_cleared(client, three):
    client.post(REMOVE, {"piece": three[0].slug})
    client.post(REMOVE, {"piece": three[1].slug})
    body = client.get(COMPARE).content.decode()
    assert "Add at least one more piece" in body
    assert f'action="{CLEAR}"' in body


def test_a_shared_comparison_removes_by_link_and_leaves_the_tray_alone(client, three):
    a, b = PieceFactory(), PieceFactory()
    body = client.get(COMPARE, {"pieces": f"{a.slug},{b.slug},{three[0].slug}"}).content.decode()
    # Removing from a shared link is a link to the same comparison without the piece: nothing stored changes.
    assert f'href="{COMPARE}?pieces={b.slug},{three[0].slug}"' in body
    assert f'href="{COMPARE}?pieces={a.slug},{b.slug}"' in body
    assert f'action="{REMOVE}"' not in body and f'action="{CLEAR}"' not in body


@pytest.mark.parametrize("url", [REMOVE, CLEAR])
def test_remove_and_clear_read_no_table(client, django_assert_max_num_queries, three, url):
    # The tray lives in the session: its row read and written (each in the request's savepoint), no other table.
    with django_assert_max_num_queries(6) as captured:
        client.post(url, {"piece": three[0].slug})
    assert not [query for query in captured.captured_queries if "catalog_" in query["sql"]]
