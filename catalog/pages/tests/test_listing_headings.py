"""
The pages that show piece cards keep their headings in order: one h1, and no heading
goes more than one level deeper than the one before it (WCAG 1.3.1, a screen reader's
list of headings). The cards are h3 (catalog/partials/_piece_card.html and
_thumbnail_card.html), so every page that shows them gives them an h2 to sit under:
the listing's "Results", the home page's "Chosen by our curators", the maker page's
"Pieces by …", the collection's hidden "The pieces of this collection", the piece
page's "The other way to own it".

Part of the pages room's tests: the headings are read from the HTML with html.parser.
"""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from catalog.choices import ProductionMethod
from catalog.tests.factories import CategoryFactory, CollectionPieceFactory, PieceFactory, piece_with_details

pytestmark = pytest.mark.django_db

LISTING = reverse("catalog:piece_list")
CARD_TITLE = 'class="card__title"'


class _Headings(HTMLParser):
    """
    The page's headings in document order, as (level, text), leaving out those of a closed
    <dialog>: on a phone the listing's Filters are one, out of the accessibility tree until opened,
    so its h2 cannot stand in for the results' own.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings = []
        self._open = None
        self._closed_dialogs = 0

    def handle_starttag(self, tag, attrs):
        if tag == "dialog":
            self._closed_dialogs += "open" not in dict(attrs)
        elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456" and not self._closed_dialogs:
            self._open = [int(tag[1]), ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "dialog" and self._closed_dialogs:
            self._closed_dialogs -= 1
        if self._open is not None and tag == f"h{self._open[0]}":
            self.headings.append((self._open[0], " ".join(self._open[1].split())))
            self._open = None


def headings(html):
    parser = _Headings()
    parser.feed(html)
    parser.close()
    return parser.headings


def skips(html):
    """Where the outline breaks: not one h1 opening the page, or a heading more than one level below the last."""
    found = headings(html)
    problems = []
    if [level for level, _text in found].count(1) != 1:
        problems.append(f"{[level for level, _text in found].count(1)} h1 instead of one")
    if found and found[0][0] != 1:
        problems.append(f"the first heading is h{found[0][0]} «{found[0][1]}»")
    for (before, before_text), (level, text) in zip(found, found[1:], strict=False):
        if level > before + 1:
            problems.append(f"h{before} «{before_text}» then h{level} «{text}»")
    return problems


def test_the_check_sees_a_skipped_level():
    """The helper itself: h1 then h3 is reported, h1 h2 h3 h2 h3 is not."""
    assert skips("<h1>Jewelry</h1><ul><li><h3>Hammered ring</h3></li></ul>") == ["h1 «Jewelry» then h3 «Hammered ring»"]
    assert skips("<h1>A</h1><h2>B</h2><h3>C</h3><h2>D</h2><h3>E</h3>") == []
    assert skips("<h2>B</h2><h3>C</h3>") == ["0 h1 instead of one", "the first heading is h2 «B»"]
    # A closed dialog's heading is not in the outline a screen reader lists; an open one's is.
    assert skips("<h1>A</h1><dialog><h2>Filters</h2></dialog><h3>C</h3>") == ["h1 «A» then h3 «C»"]
    assert skips("<h1>A</h1><dialog open><h2>Filters</h2></dialog><h3>C</h3>") == []


@pytest.fixture
def catalog():
    """A maker's page and a half of handcrafted rings (one featured, in a collection) and a mass-produced ring."""
    rings = CategoryFactory(name="Rings", slug="rings")
    featured = piece_with_details(category=rings, featured=True, price=Decimal("200"))
    maker = featured.artisan
    PieceFactory.create_batch(settings.PIECES_PER_PAGE, artisan=maker, category=rings)
    PieceFactory(
        artisan=maker,
        category=rings,
        title="Cast band",
        slug="cast-band",
        production_method=ProductionMethod.MASS_PRODUCED,
        price=Decimal("190"),
    )
    collection = CollectionPieceFactory(piece=featured).collection
    return {"featured": featured, "maker": maker, "collection": collection}


def pages(catalog):
    """(label, url, shows cards) for every page that shows piece cards, in its states."""
    featured = catalog["featured"]
    return [
        ("listing", LISTING, True),
        ("listing, filtered", f"{LISTING}?method=handcrafted&category=rings", True),
        ("listing, searched", f"{LISTING}?q=hammered", True),
        ("listing, nothing found", f"{LISTING}?q=qqzzxxvvjj", False),
        ("listing, page 2", f"{LISTING}?page=2", True),
        ("home", reverse("catalog:home"), True),
        ("maker page", reverse("artisans:artisan_detail", args=[catalog["maker"].slug]), True),
        ("collection", reverse("catalog:collection_detail", args=[catalog["collection"].slug]), True),
        ("piece page, with the other way to own it", featured.get_absolute_url(), True),
        ("compare", f"{reverse('catalog:compare')}?pieces={featured.slug},cast-band", False),
    ]


def test_no_page_showing_cards_skips_a_heading_level(client, catalog):
    problems = {}
    for label, url, shows_cards in pages(catalog):
        response = client.get(url, follow=True)  # the listing may read a search's words as filters and redirect
        assert response.status_code == 200, f"{label}: {response.status_code}"
        body = response.content.decode()
        assert (CARD_TITLE in body) == shows_cards, f"{label}: cards {'missing' if shows_cards else 'shown'}"
        if skips(body):
            problems[f"{label} ({url})"] = skips(body)
    assert not problems, "\n".join(f"{page}: {found}" for page, found in problems.items())


def test_the_listings_cards_sit_under_a_results_heading(client, catalog):
    found = headings(client.get(LISTING).content.decode())
    results = found.index((2, "Results"))
    cards = [text for level, text in found[results + 1 :] if level == 3]
    assert len(cards) == settings.PIECES_PER_PAGE
    assert all(level == 3 for level, _text in found[results + 1 :])


def test_nothing_found_is_a_heading_under_results(client, catalog):
    found = headings(client.get(LISTING, {"q": "qqzzxxvvjj"}).content.decode())
    assert found[-2:] == [(2, "Results"), (3, "No piece matches all of these filters")]
