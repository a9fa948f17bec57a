"""
Every page of the URL walk is valid HTML, as the Nu HTML checker (vnu) reads it.

The hostile suite's world (`tests.hostile.world`) gives one of every object a URL can
name and its walk of the URLconf gives every page: the public pages, the studio (the
piece form among them) and the request pages, and the listing in several states
(no filter, filters, a search, a search with no result, page 2). Each is fetched as its owner and as an
anonymous visitor, and the HTML pages are checked in one run of vnu (`make vnu` puts
its jar in the virtualenv; `make test` runs it first). Warnings are left to the
reader; errors fail the test, with the page and the line.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from catalog.tests.factories import PieceFactory, piece_with_details
from catalog.tests.studio_helpers import edit_data
from tests.hostile.world import PAGES_NOT_OPENED, build_world, client_for, url_for, url_names, visitor

pytestmark = pytest.mark.django_db

# The virtualenv's own copy, put there by `make vnu` (pinned version, checked digest).
VNU_JARS = sorted(Path(sys.prefix).glob("vnu-*.jar"))


# The listing's states: (label, query string, what the response must show to be in that state).
LISTING_STATES = [
    ("listing, no filter", "", lambda context: context["paginator"].num_pages > 1 and not context["listing"].chips),
    (
        "listing, filtered",
        "method=handcrafted&category=rings&price_max=900",
        lambda context: context["paginator"].count > 0 and len(context["listing"].chips) >= 2,
    ),
    ("listing, searched", "q=hammered", lambda context: context["paginator"].count > 0),
    # Words that name facet options: the listing reads them as filters (issue 22), with its note on how.
    ("listing, words read as filters", "q=silver+ring", lambda context: context["paginator"].count > 0),
    ("listing, a search with no result", "q=qqzzxxvvjj", lambda context: context["paginator"].count == 0),
    ("listing, page 2", "page=2", lambda context: context["page_obj"].number == 2),
    (
        "listing, filtered and searched",
        "method=handcrafted&q=hammered&price_max=900&sort=price",
        lambda context: context["paginator"].count > 0,
    ),
]


# Fragments that htmx swaps into a page, with a query that fills them: each is checked inside a
# minimal document of its own (the listing's own partial is left out: it is the listing page's inside).
FRAGMENTS = {"catalog:piece_suggest": "q=ring"}
FRAME = (
    b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A fragment</title></head><body>%s</body></html>'
)


def _pages(world):
    """(label, url, user) for every HTML page of the walk, as its owner and as a visitor, plus a few states."""
    second = piece_with_details(artisan=world.other_maker)
    # Enough pieces on show for a second page of the listing.
    PieceFactory.create_batch(settings.PIECES_PER_PAGE, artisan=world.other_maker, category=world.piece.category)
    for name in url_names():
        if name in PAGES_NOT_OPENED:
            continue
        url = url_for(name, world)
        if name == "catalog:compare":
            url += f"?pieces={world.piece.slug},{second.slug}"
        for user in {visitor(name, world), None}:
            yield name, url, user
        if name in FRAGMENTS:
            yield name, f"{url}?{FRAGMENTS[name]}", None
    # The listing in its other states (its htmx partial is not a page: it is swapped into one, unchecked here).
    listing = reverse("catalog:piece_list")
    for label, query, _reached in LISTING_STATES:
        yield label, f"{listing}?{query}" if query else listing, None
    # The request pages in their other states, from both sides: a quote to accept, a proof to share.
    for request in (world.quoted_request, world.accepted_request):
        yield "request", reverse("requests:detail", args=[request.pk]), world.shopper
        yield "studio request", reverse("studio:request_detail", args=[request.pk]), world.maker.user


def _forms_sent(world):
    """(label, url, user, data): the piece form as it comes back from its own buttons, without saving."""
    url = reverse("studio:piece_update", args=[world.piece.pk])
    yield "piece form, a material added", url, world.maker.user, edit_data(world.piece, row="materials:add")
    yield "piece form, a photo added", url, world.maker.user, edit_data(world.piece, row="photos:add")
    yield "piece form, an error", url, world.maker.user, edit_data(world.piece, price="-5", action="publish")


LISTING_CHECKS = {label: reached for label, _query, reached in LISTING_STATES}


def test_every_page_of_the_walk_is_valid_html(tmp_path):
    assert VNU_JARS, "The Nu HTML checker is missing: run `make vnu` (make test does it first)."
    world = build_world()
    clients = {}
    files = {}
    pages = [(label, url, user, None) for label, url, user in _pages(world)] + list(_forms_sent(world))
    for label, url, user, data in pages:
        key = user.pk if user is not None else None
        client = clients.setdefault(key, client_for(user))
        # The listing may read a search's words as filters and redirect to them: the page it lands on is checked.
        response = client.get(url, follow=label in LISTING_CHECKS) if data is None else client.post(url, data)
        if data is not None:
            assert response.status_code in (200, 400), f"{label}: {response.status_code}"
            assert ("error" in label) == (b'aria-invalid="true"' in response.content), label
            response.status_code = 200  # a form shown again with its errors is a page like any other
        reached = LISTING_CHECKS.get(label)
        if reached is not None:
            assert response.status_code == 200 and reached(response.context), f"{label}: not in that state ({url})"
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            # A visitor is sent to sign in (a page of the walk itself), or a page 404s for them.
            assert response.status_code in (200, 302, 404), f"{url} as {user or 'a visitor'}: {response.status_code}"
            continue
        path = tmp_path / f"page-{len(files):03}.html"
        path.write_bytes(FRAME % response.content if label in FRAGMENTS else response.content)
        files[str(path)] = f"{label} ({url}) as {user or 'a visitor'}"
    assert len(files) >= 30, f"only {len(files)} pages checked: the walk lost its pages"

    run = subprocess.run(
        ["java", "-jar", str(VNU_JARS[-1]), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{_page(files, message)}, line {message.get('lastLine')}: "
        f"{message['message']} «{(message.get('extract') or '').strip()}»"
        for message in messages
        if message["type"] in ("error", "non-document-error")
    ]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)


# An htmx attribute by its bare name (hx-get=…): vnu refuses it, htmx reads the data-hx-* spelling as well.
BARE_HTMX_ATTRIBUTE = re.compile(r"(?<![\w-])hx-[a-z-]+\s*=")


def test_no_template_spells_an_htmx_attribute_without_data():
    """Also the fragments htmx swaps in, which vnu never sees as pages."""
    templates = sorted(Path(settings.BASE_DIR, "templates").rglob("*.html"))
    assert len(templates) > 50
    bare = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group()}"
        for path in templates
        for match in BARE_HTMX_ATTRIBUTE.finditer(path.read_text())
    ]
    assert not bare, "use data-hx-* instead:\n" + "\n".join(bare)


def _page(files, message):
    """The page a message of vnu's is about, from the file it names (`file:/tmp/…/page-007.html`)."""
    url = message.get("url", "")
    return files.get(url.removeprefix("file:"), url)
