"""The piece page answers 304 while nothing it shows has changed, and never for another visitor."""

import pytest

from artisans.tests.factories import UserFactory
from catalog.tests.factories import PieceFactory

pytestmark = pytest.mark.django_db


def test_the_same_page_again_is_a_304_without_a_body(client):
    piece = PieceFactory()
    # The first visit sets the CSRF cookie, which is part of the ETag: the page's forms carry its token.
    assert "csrftoken" in client.get(piece.get_absolute_url()).cookies
    first = client.get(piece.get_absolute_url())
    assert first.status_code == 200 and first["ETag"]
    assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]
    again = client.get(piece.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_an_edit_of_the_catalog_gives_the_page_again(client):
    piece = PieceFactory(title="Before")
    etag = client.get(piece.get_absolute_url())["ETag"]
    piece.title = "After"
    piece.save()
    response = client.get(piece.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert b"After" in response.content


def test_another_visitor_or_a_changed_tray_never_gets_the_304(client):
    piece, other = PieceFactory(), PieceFactory()
    etag = client.get(piece.get_absolute_url())["ETag"]
    client.post("/compare/toggle/", {"piece": other.slug})
    assert client.get(piece.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 200
    client.force_login(UserFactory())
    assert client.get(piece.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.parametrize("header", ['"', "*" * 5000, "W/", '"a", "b",,,', "\x00"])
def test_a_malformed_if_none_match_gives_the_page(client, header):
    piece = PieceFactory()
    assert client.get(piece.get_absolute_url(), HTTP_IF_NONE_MATCH=header).status_code == 200


def test_a_hidden_or_unknown_piece_is_still_a_404(client):
    assert client.get("/pieces/no-such-piece/", HTTP_IF_NONE_MATCH='"x"').status_code == 404
