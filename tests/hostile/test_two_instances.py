"""
Scale-out: two gunicorn instances on two ports, sharing one PostgreSQL and one Redis,
behave as one site behind a load balancer.

A piece a maker publishes through one is listed by the other; a session started
on one is valid on the other; and the guide's cached figures, invalidated by the
publication made through one, are fresh on the other.
"""

import re

import pytest

from .servers import FIRST_PORT, Visitor, prepare_database, serving, shell

pytestmark = pytest.mark.servers

MAKER_PASSWORD = "two-instances-maker-2026"


@pytest.fixture(scope="module")
def sites():
    prepare_database()
    with serving(FIRST_PORT + 2, FIRST_PORT + 3, workers=2) as servers:
        yield servers


@pytest.fixture
def draft():
    """A publishable piece of an approved maker, put back to draft, and its maker able to sign in."""
    return shell(
        "import json; from allauth.account.models import EmailAddress; from catalog.models import Piece; "
        "from catalog.choices import PieceStatus; from catalog.services import piece_set_status; "
        "piece = Piece.objects.published().order_by('-pk').select_related('artisan__user').first(); "
        "user = piece.artisan.user; "
        "piece_set_status(piece=piece, status=PieceStatus.DRAFT, actor=user); "
        f"user.set_password('{MAKER_PASSWORD}'); user.save(); "
        "EmailAddress.objects.update_or_create("
        "user=user, email=user.email, defaults={'verified': True, 'primary': True}); "
        "print(json.dumps({'pk': piece.pk, 'slug': piece.slug, 'title': piece.title, 'email': user.email,"
        " 'price': str(piece.price)}))"
    )


def guide_total(visitor) -> int:
    response = visitor.get("/guide/")
    assert response.status == 200
    return int(re.search(r"counted from the (\d+) piece", response.text).group(1))


def test_a_piece_published_through_one_instance_is_listed_by_the_other(sites, draft, hostile_figures):
    one, other = sites
    shopper_on_other = Visitor(other.url)
    assert shopper_on_other.get(f"/pieces/{draft['slug']}/").status == 404
    total_before = guide_total(shopper_on_other)  # now cached in Redis under the catalog's version

    maker = Visitor(one.url)
    maker.sign_in(draft["email"], MAKER_PASSWORD)
    published = maker.post(f"/studio/pieces/{draft['pk']}/publish/", {})
    assert published.status == 302

    page = shopper_on_other.get(f"/pieces/{draft['slug']}/")
    assert page.status == 200 and draft["title"] in page.text
    listing = shopper_on_other.get(f"/pieces/?price_min={draft['price']}&price_max={draft['price']}")
    assert f"/pieces/{draft['slug']}/" in listing.text
    # The publication through one moved the catalog's version in Redis: the other's cached guide is not served.
    assert guide_total(shopper_on_other) == total_before + 1
    hostile_figures("instances", len(sites))


def test_a_session_started_on_one_instance_is_valid_on_the_other(sites, draft):
    one, other = sites
    maker = Visitor(one.url)
    maker.sign_in(draft["email"], MAKER_PASSWORD)
    assert maker.get("/studio/").status == 200

    same_maker_on_other = maker.on(other.url)
    dashboard = same_maker_on_other.get("/studio/")
    assert dashboard.status == 200
    assert draft["title"] in dashboard.text

    # And signing out on the other ends the session on the first as well.
    assert same_maker_on_other.post("/accounts/logout/", {}).status == 302
    assert maker.get("/studio/").status == 302


def test_a_compare_tray_filled_on_one_instance_is_shown_by_the_other(sites):
    one, other = sites
    slugs = shell(
        "import json; from catalog.models import Piece; "
        "print(json.dumps(list(Piece.objects.published().order_by('pk').values_list('slug', flat=True)[:2])))"
    )
    shopper = Visitor(one.url)
    for slug in slugs:
        assert shopper.post("/compare/toggle/", {"piece": slug}, page="/pieces/").status == 302
    compare = shopper.on(other.url).get("/compare/")
    assert compare.status == 200
    assert all(f"/pieces/{slug}/" in compare.text for slug in slugs)
