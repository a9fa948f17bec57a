"""Recently viewed pieces: a signed cookie of piece ids, shown on the piece page and the empty listing."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.choices import PieceStatus
from catalog.shoppers.recent import COOKIE_MAX_CHARS, COOKIE_NAME, RECENT_MAX
from catalog.tests.factories import PieceFactory

pytestmark = pytest.mark.django_db

ROW_TITLE = "Pieces you looked at recently"


def recent_titles(response) -> list[str]:
    """The titles of the cards in the recently viewed row, in order."""
    html = response.content.decode()
    if ROW_TITLE not in html:
        return []
    row = html.split('id="recent-title"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<h3 class="card__title">([^<]+)</h3>', row)


def visit(client, *pieces):
    for piece in pieces:
        assert client.get(piece.get_absolute_url()).status_code == 200


def test_the_piece_page_shows_the_pieces_opened_before_newest_first_without_itself(client):
    first, second, third = PieceFactory(title="First"), PieceFactory(title="Second"), PieceFactory(title="Third")
    visit(client, first, second)
    assert recent_titles(client.get(third.get_absolute_url())) == ["Second", "First"]
    # Opened again, a piece moves to the front and is never shown on its own page.
    assert recent_titles(client.get(first.get_absolute_url())) == ["Third", "Second"]


def test_a_first_visit_shows_no_row(client):
    response = client.get(PieceFactory().get_absolute_url())
    assert ROW_TITLE not in response.content.decode()


def test_the_list_keeps_the_last_twelve(client):
    pieces = [PieceFactory(title=f"Piece {n:02d}") for n in range(RECENT_MAX + 3)]
    visit(client, *pieces)
    titles = recent_titles(client.get(PieceFactory(title="Last").get_absolute_url()))
    assert titles == [f"Piece {n:02d}" for n in range(RECENT_MAX + 2, 2, -1)]


def test_the_cookie_is_signed_http_only_lax_and_kept_a_year(client, settings):
    settings.SESSION_COOKIE_SECURE = True
    piece = PieceFactory()
    morsel = client.get(piece.get_absolute_url()).cookies[COOKIE_NAME]
    assert morsel["httponly"] and morsel["secure"]
    assert morsel["samesite"] == "Lax"
    assert int(morsel["max-age"]) == 365 * 24 * 3600
    # Piece ids only, and a signature: the value is the id, then the signer's timestamp and signature.
    assert morsel.value.split(":")[0] == str(piece.pk)


def test_a_visitor_who_opens_the_same_piece_again_gets_no_new_cookie(client):
    piece = PieceFactory()
    visit(client, piece)
    assert COOKIE_NAME not in client.get(piece.get_absolute_url()).cookies


def test_pieces_no_longer_public_are_dropped_from_the_row(client):
    kept, hidden, archived = PieceFactory(title="Kept"), PieceFactory(title="Hidden"), PieceFactory(title="Archived")
    visit(client, kept, hidden, archived)
    hidden.status = PieceStatus.HIDDEN
    hidden.save()
    archived.status = PieceStatus.ARCHIVED
    archived.save()
    assert recent_titles(client.get(PieceFactory().get_absolute_url())) == ["Kept"]


@pytest.mark.parametrize(
    "value",
    [
        "not-signed-at-all",
        "1.2.3",  # ids without a signature
        "",
        "\x00\x01",
        "é" * 50,
    ],
)
def test_an_unsigned_or_malformed_cookie_is_ignored(client, value):
    PieceFactory(title="Opened")
    client.cookies[COOKIE_NAME] = value
    response = client.get(PieceFactory().get_absolute_url())
    assert response.status_code == 200
    assert ROW_TITLE not in response.content.decode()


def test_a_tampered_cookie_is_ignored(client):
    victim = PieceFactory(title="Looked at")
    other = PieceFactory(title="Never opened")
    visit(client, victim)
    signed = client.cookies[COOKIE_NAME].value
    # The same signature on other ids does not hold.
    client.cookies[COOKIE_NAME] = str(other.pk) + signed[len(str(victim.pk)) :]
    assert recent_titles(client.get(PieceFactory().get_absolute_url())) == []


def test_a_cookie_signed_for_another_purpose_is_ignored(client):
    from django.core import signing

    other = PieceFactory(title="Never opened")
    # Signed by the site's key, but under another salt (as another signed cookie would be).
    client.cookies[COOKIE_NAME] = signing.get_cookie_signer(salt="other").sign(str(other.pk))
    assert recent_titles(client.get(PieceFactory().get_absolute_url())) == []


def test_an_oversized_cookie_is_ignored(client):
    from django.http import HttpResponse

    piece = PieceFactory(title="Opened")
    # Properly signed, but longer than any list of twelve ids.
    response = HttpResponse()
    response.set_signed_cookie(COOKIE_NAME, ".".join([str(piece.pk)] * 200), salt="catalog.shoppers.recent")
    value = response.cookies[COOKIE_NAME].value
    assert len(value) > COOKIE_MAX_CHARS
    client.cookies[COOKIE_NAME] = value
    response = client.get(PieceFactory().get_absolute_url())
    assert response.status_code == 200
    assert recent_titles(response) == []


def test_garbage_and_unknown_ids_in_a_signed_cookie_are_dropped(client):
    from django.http import HttpResponse

    piece = PieceFactory(title="Real")
    value = ".".join(["abc", "-4", "0", "99999999", "9" * 40, str(piece.pk), str(piece.pk), "1e3", "²"])
    signed = HttpResponse()
    signed.set_signed_cookie(COOKIE_NAME, value, salt="catalog.shoppers.recent")
    client.cookies[COOKIE_NAME] = signed.cookies[COOKIE_NAME].value
    response = client.get(PieceFactory().get_absolute_url())
    assert recent_titles(response) == ["Real"]


def test_the_etag_follows_the_row_so_a_304_never_shows_a_stale_one(client):
    page, other = PieceFactory(title="Page"), PieceFactory(title="Other")
    visit(client, page)  # the first visit sets the cookies (CSRF, recently viewed) the ETag includes
    first = client.get(page.get_absolute_url())
    again = client.get(page.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    visit(client, other)
    response = client.get(page.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 200
    assert recent_titles(response) == ["Other"]


def test_a_piece_page_view_writes_nothing_to_the_database(client):
    pieces = [PieceFactory() for _ in range(RECENT_MAX)]
    visit(client, *pieces)
    page = PieceFactory()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.get_absolute_url())
    assert response.status_code == 200 and len(recent_titles(response)) == RECENT_MAX
    writes = [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


@pytest.mark.parametrize("opened", [1, RECENT_MAX])
def test_the_piece_page_costs_the_same_queries_with_one_or_twelve_recent_pieces(
    client, django_assert_max_num_queries, opened
):
    visit(client, *[PieceFactory() for _ in range(opened)])
    page = PieceFactory()
    cache.clear()  # nothing cached: the sheet is rendered and every recent card loaded
    # The sheet rendered (9 on this catalog), then the recent cards loaded as the listing loads them (4).
    with django_assert_max_num_queries(13):
        response = client.get(page.get_absolute_url())
    assert len(recent_titles(response)) == opened
    # Once the sheet and the cards are cached, the page, its row included, costs no query at all.
    with django_assert_max_num_queries(0):
        response = client.get(page.get_absolute_url())
    # The page itself is now the newest of the twelve, and is not shown on its own page.
    assert len(recent_titles(response)) == min(opened, RECENT_MAX - 1)


def test_the_empty_listing_offers_the_pieces_opened_last(client):
    visit(client, PieceFactory(title="Silver hoop"))
    response = client.get("/pieces/?q=zzzqqq-nothing-matches-this")
    assert response.status_code == 200
    assert recent_titles(response) == ["Silver hoop"]


def test_a_listing_with_results_shows_no_recent_row(client):
    piece = PieceFactory(title="Silver hoop")
    visit(client, piece)
    assert ROW_TITLE not in client.get("/pieces/").content.decode()


def test_the_empty_listing_swapped_by_htmx_keeps_the_row(client):
    visit(client, PieceFactory(title="Silver hoop"))
    response = client.get("/pieces/?q=zzzqqq-nothing-matches-this", HTTP_HX_REQUEST="true")
    assert recent_titles(response) == ["Silver hoop"]
