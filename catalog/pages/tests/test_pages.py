"""
The piece page's sheet and the comparison's columns, cached per piece and
catalog version (catalog.pages.sheets): a warm visit makes no query and reads the
same as a cold one, any change to what the page shows renders it again, and
nothing of one visitor reaches another.
"""

import re

import pytest
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import TestCase
from django.urls import reverse

from artisans.choices import ArtisanStatus
from artisans.services import artisans_suspend
from artisans.tests.factories import StaffFactory, UserFactory
from catalog import versions
from catalog.choices import PieceStatus
from catalog.models import MakerCertification, PieceViewDay
from catalog.pages import view_counts as piece_views
from catalog.tests.factories import (
    CertificationFactory,
    PieceFactory,
    PieceImageFactory,
    piece_with_details,
)
from marketplace import db_router

pytestmark = pytest.mark.django_db

COMPARE = reverse("catalog:compare")
# The piece, photos, materials, steps, techniques, traditions, options, the maker's
# certifications; "the other way to own it": its pieces and their photos.
COLD_PIECE_PAGE = 10
# The pieces, photos, materials, steps, techniques, traditions, options, the makers' certifications.
COLD_COMPARE = 8


def without_csrf_tokens(response):
    """The page, its CSRF tokens (masked afresh for every response) blanked."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)


def compare_url(pieces):
    return COMPARE + "?pieces=" + ",".join(piece.slug for piece in pieces)


@pytest.fixture
def piece():
    piece = piece_with_details()
    PieceFactory(category=piece.category, production_method="mass_produced")  # the other way to own it
    return piece


def test_a_piece_page_seen_before_makes_no_query_and_reads_the_same(
    client, django_assert_max_num_queries, django_assert_num_queries, piece
):
    with django_assert_max_num_queries(COLD_PIECE_PAGE):
        cold = client.get(piece.get_absolute_url())
    with django_assert_num_queries(0):
        warm = client.get(piece.get_absolute_url())
    assert cold.status_code == warm.status_code == 200
    assert without_csrf_tokens(warm) == without_csrf_tokens(cold)
    assert b"The other way to own it" in warm.content


def test_a_piece_page_reads_the_catalogs_version_once_for_its_etag_and_its_sheet(client, piece, monkeypatch):
    reads = []
    read = versions.catalog_version
    monkeypatch.setattr(versions, "catalog_version", lambda: reads.append(1) or read())
    client.get(piece.get_absolute_url())  # the visit that sets the CSRF cookie, part of the ETag
    seen = client.get(piece.get_absolute_url())
    again = client.get(piece.get_absolute_url(), headers={"if-none-match": seen["ETag"]})
    assert (seen.status_code, again.status_code) == (200, 304)
    assert len(reads) == 3  # one a request


def test_a_comparison_of_pieces_seen_before_makes_no_query_and_reads_the_same(
    client, django_assert_max_num_queries, django_assert_num_queries
):
    pieces = [piece_with_details() for _ in range(3)]
    with django_assert_max_num_queries(COLD_COMPARE):
        cold = client.get(compare_url(pieces))
    with django_assert_num_queries(0):
        warm = client.get(compare_url(pieces))
    assert without_csrf_tokens(warm) == without_csrf_tokens(cold)
    assert [column.slug for column in warm.context["pieces"]] == [piece.slug for piece in pieces]


def test_a_piece_page_keeps_its_column_for_the_comparison(client, django_assert_max_num_queries):
    pieces = [piece_with_details() for _ in range(3)]
    for piece in pieces[:2]:
        client.get(piece.get_absolute_url())
    with django_assert_max_num_queries(COLD_COMPARE):
        client.get(compare_url(pieces[1:]))  # the third piece is loaded, the second is not
    with django_assert_max_num_queries(0):
        response = client.get(compare_url(pieces))
    assert len(response.context["rows"][0].values) == 3


def edit_title(piece):
    piece.title = "Renamed ring"
    piece.save()
    return "Renamed ring"


def edit_photo(piece):
    photo = piece.images.get()
    photo.alt_text = "The ring in a morning light"
    photo.save()
    return "The ring in a morning light"


def add_photo(piece):
    PieceImageFactory(piece=piece, alt_text="A second view of the clasp", position=5)
    return "A second view of the clasp"


def edit_material(piece):
    material = piece.materials.get(origin="Tanzania")
    material.origin = "Sri Lanka"
    material.save()
    return "Sri Lanka"


def rename_maker(piece):
    piece.artisan.name = "Studio Renamed"
    piece.artisan.save()
    return "Studio Renamed"


def verify_certification(piece):
    claim = MakerCertification.objects.create(
        artisan=piece.artisan, certification=CertificationFactory(name="Fairmined Gold"), certificate_number="FM-1"
    )
    claim.is_verified = True
    claim.save()
    return "Fairmined Gold"


@pytest.mark.parametrize(
    ("change", "in_comparison"),
    [
        (edit_title, True),
        (edit_photo, True),  # the cover's alternative text
        (add_photo, False),  # the comparison shows the cover only, and not where a stone comes from
        (edit_material, False),
        (rename_maker, True),
        (verify_certification, True),
    ],
)
def test_a_change_to_what_the_page_shows_renders_it_again(client, piece, change, in_comparison):
    other = piece_with_details()
    client.get(piece.get_absolute_url())
    client.get(compare_url([piece, other]))
    shown = change(piece)
    assert shown in client.get(piece.get_absolute_url()).content.decode()
    assert (shown in client.get(compare_url([piece, other])).content.decode()) is in_comparison


def hide(piece):
    piece.status = PieceStatus.HIDDEN
    piece.save()


def unpublish(piece):
    piece.status = PieceStatus.DRAFT
    piece.save()


def delete(piece):
    piece.delete()


def suspend_maker(piece):
    # The makers' status moves the catalog's version on once the suspension commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        artisans_suspend(artisans=[piece.artisan], actor=StaffFactory())


@pytest.mark.parametrize("withdraw", [hide, unpublish, delete, suspend_maker])
def test_a_piece_withdrawn_from_view_is_a_404_at_once_and_leaves_the_comparison(client, piece, withdraw):
    other = piece_with_details()
    assert client.get(piece.get_absolute_url()).status_code == 200
    assert len(client.get(compare_url([piece, other])).context["pieces"]) == 2
    withdraw(piece)
    assert client.get(piece.get_absolute_url()).status_code == 404
    response = client.get(compare_url([piece, other]))
    assert [column.slug for column in response.context["pieces"]] == [other.slug]
    assert response.context["dropped"] == [piece.slug]


def test_a_suspended_maker_approved_again_shows_the_piece_again(client, piece):
    client.get(piece.get_absolute_url())
    suspend_maker(piece)
    assert client.get(piece.get_absolute_url()).status_code == 404
    piece.artisan.status = ArtisanStatus.APPROVED
    piece.artisan.save()
    assert client.get(piece.get_absolute_url()).status_code == 200


def test_another_visitors_account_tray_and_token_never_reach_a_cached_page(client, piece):
    other = PieceFactory()
    shopper = UserFactory(username="ada-lovelace")
    client.force_login(shopper)
    client.post(reverse("catalog:compare_toggle"), {"piece": piece.slug})
    client.post(reverse("catalog:compare_toggle"), {"piece": other.slug})
    first = client.get(piece.get_absolute_url())
    first_body = first.content.decode()
    assert "Your requests" in first_body and 'aria-pressed="true"' in first_body and "Compare (2)" in first_body

    client.logout()
    client.cookies.clear()
    second = client.get(piece.get_absolute_url())
    body = second.content.decode()
    assert "Your requests" not in body and "Sign in" in body
    assert 'aria-pressed="false"' in body and 'aria-pressed="true"' not in body
    assert "Compare (" not in body and "See the comparison" not in body
    # Its forms carry the second visitor's own secret, and nothing of the first visitor's.
    secret = second.cookies["csrftoken"].value
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert tokens and all(_unmask_cipher_token(token) == secret for token in tokens)
    assert first.cookies["csrftoken"].value not in body


def test_the_next_field_of_the_compare_button_is_this_visits_address(client, piece):
    client.get(piece.get_absolute_url())
    body = client.get(piece.get_absolute_url() + "?from=newsletter").content.decode()
    assert f'name="next" value="{piece.get_absolute_url()}?from=newsletter"' in body


def test_views_are_counted_on_a_cached_page_except_the_makers_own(client, piece, settings):
    settings.PIECE_VIEWS_FLUSH_SECONDS = 0
    maker = piece.artisan.user
    client.get(piece.get_absolute_url())  # cached now: the visits below are served from the cache
    client.get(piece.get_absolute_url())
    client.force_login(maker)
    client.get(piece.get_absolute_url())
    piece_views.flush()
    assert PieceViewDay.objects.get(piece=piece).views == 2


def test_what_is_cached_is_read_from_the_primary_though_the_page_may_read_a_replica(client, piece):
    # A replica behind the primary would have its old rows kept under the new version until the next write.
    replica_allowed = []

    def record(execute, sql, params, many, context):
        replica_allowed.append(db_router._replica_reads.get())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        client.get(piece.get_absolute_url())
        client.get(compare_url([piece_with_details(), piece_with_details()]))
    assert len(replica_allowed) >= COLD_PIECE_PAGE + COLD_COMPARE - 2
    assert not any(replica_allowed)


def test_the_title_and_description_are_the_pieces_escaped_and_cut_after_30_words(client):
    words = " ".join(f"word{n}" for n in range(40))
    piece = PieceFactory(title="Tide <b>Ring</b>", description=f"<i>{words}</i>")
    client.get(piece.get_absolute_url())
    body = client.get(piece.get_absolute_url()).content.decode()  # from the cache
    assert f"<title>Tide &lt;b&gt;Ring&lt;/b&gt; by {piece.artisan.name} · " in body
    described = re.search(r'<meta name="description" content="([^"]*)">', body).group(1)
    assert described.startswith(f"Handcrafted rings by {piece.artisan.name}, Portugal. &lt;i&gt;word0 word1")
    assert described.endswith("word28 word29 …")


def test_each_address_of_the_site_gets_its_own_canonical_link(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "atelier.example"]
    piece = PieceFactory()
    client.get(piece.get_absolute_url())
    body = client.get(piece.get_absolute_url(), HTTP_HOST="atelier.example").content.decode()
    assert f'<link rel="canonical" href="http://atelier.example{piece.get_absolute_url()}">' in body
    assert "testserver" not in body
