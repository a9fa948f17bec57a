"""
The Content-Security-Policy is on every HTML response, and no page needs `unsafe-inline`.

A crawler follows every same-site link from the public pages, a shopper's
pages, a maker's studio and the admin, and checks each HTML answer (error
pages included): the header is there, allows no inline script or style, and
the page holds no inline script, style element or style attribute that the
policy would block.
"""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client

from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.tests.factories import (
    CollectionFactory,
    CollectionPieceFactory,
    PersonalizationRequestFactory,
    piece_with_details,
)

pytestmark = pytest.mark.django_db
MAX_PAGES = 60
DATA_BLOCKS = {"application/json", "application/ld+json"}
# Never followed: they sign out, or they are files rather than pages.
SKIPPED = re.compile(r"^/(static|media)/|logout|/sitemap|\.xml$|\.txt$")


class InlineFinder(HTMLParser):
    """Links to follow, and what a strict CSP would block: inline scripts, style elements, style attributes."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.blocked: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and (attrs.get("href") or "").startswith("/"):
            self.links.append(attrs["href"].split("#")[0])
        if "style" in attrs:
            self.blocked.append(f"<{tag} style=…>")
        if any(name.startswith("on") for name in attrs):
            self.blocked.append(f"<{tag} on…=…>")
        if tag == "style":
            self.blocked.append("<style>")
        # A data block (json_script, JSON-LD) is never executed, so the policy does not concern it.
        self._in_inline_script = tag == "script" and "src" not in attrs and attrs.get("type") not in DATA_BLOCKS

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.blocked.append(f"<script>{data.strip()[:40]}…")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def crawl(client, starts):
    """GET same-site pages reachable from `starts` (the first MAX_PAGES); return (path, response) for each HTML one."""
    queue, seen, pages = list(starts), set(), []
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen or SKIPPED.search(path):
            continue
        seen.add(path)
        response = client.get(path)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        pages.append((path, response))
        finder = InlineFinder()
        finder.feed(response.content.decode())
        response.blocked = finder.blocked
        queue.extend(link for link in finder.links if link not in seen)
    return pages


@pytest.fixture
def catalog():
    pieces = [piece_with_details() for _ in range(3)]
    collection = CollectionFactory(is_published=True, featured=True)
    CollectionPieceFactory(collection=collection, piece=pieces[0])
    return pieces


def assert_strict(pages):
    assert pages
    for path, response in pages:
        policy = response.get("Content-Security-Policy")
        assert policy, f"{path} ({response.status_code}) has no Content-Security-Policy"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, path
        assert response.blocked == [], f"{path} holds what the policy blocks: {response.blocked}"


def test_every_public_page_and_error_page_carries_a_strict_csp(catalog, hostile_figures):
    client = Client(raise_request_exception=False)
    starts = ["/", "/pieces/", "/artisans/", "/guide/", "/compare/", "/no-such-page/", "/pieces/?page=999"]
    starts += ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/sell/"]
    starts += [f"/compare/?pieces={','.join(piece.slug for piece in catalog)}"]
    pages = crawl(client, starts)
    assert_strict(pages)
    assert {404} <= {response.status_code for _, response in pages}
    hostile_figures("public HTML pages checked", len(pages))


def test_every_page_of_a_shopper_a_maker_and_staff_carries_a_strict_csp(catalog, hostile_figures):
    maker = ArtisanFactory(status="approved")
    piece = piece_with_details(artisan=maker)
    shopper = UserFactory()
    PersonalizationRequestFactory(shopper=shopper, piece=piece)
    total = 0
    for user, starts in (
        (shopper, ["/requests/", f"/requests/new/piece/{piece.slug}/", f"/requests/new/maker/{maker.slug}/"]),
        (maker.user, ["/studio/", "/studio/pieces/new/", f"/studio/pieces/{piece.pk}/", "/studio/requests/"]),
        (StaffFactory(is_superuser=True), [f"/{settings.ADMIN_URL}"]),
    ):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        pages = crawl(client, starts)
        assert_strict(pages)
        total += len(pages)
    hostile_figures("signed-in HTML pages checked", total)


def test_the_403_400_and_429_pages_carry_a_strict_csp(client, settings):
    settings.REQUESTS_PER_HOUR = 0
    pages = [
        ("403", Client(enforce_csrf_checks=True).post("/compare/toggle/", {"piece": "x"})),
        ("400", Client(raise_request_exception=False).get("/", headers={"host": "evil.example"})),
    ]
    maker = ArtisanFactory(status="approved")
    client.force_login(UserFactory())
    form = {"kinds": ["custom_design"], "details": "x"}
    pages.append(("429", client.post(f"/requests/new/maker/{maker.slug}/", form)))
    for name, response in pages:
        assert response.status_code == int(name)
        finder = InlineFinder()
        finder.feed(response.content.decode())
        response.blocked = finder.blocked
    assert_strict(pages)
