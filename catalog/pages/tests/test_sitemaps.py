"""sitemap.xml lists public pages only; robots.txt points to it."""

import pytest

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory
from catalog.choices import PieceStatus
from catalog.tests.factories import CollectionFactory, PieceFactory

pytestmark = pytest.mark.django_db


def test_sitemap_lists_public_pieces_makers_and_collections_only(client):
    shown = PieceFactory()
    hidden = PieceFactory(status=PieceStatus.HIDDEN)
    pending = ArtisanFactory(status=ArtisanStatus.PENDING)
    collection = CollectionFactory()
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-pieces.xml" in index
    pieces = client.get("/sitemap-pieces.xml").content.decode()
    assert shown.get_absolute_url() in pieces
    assert hidden.get_absolute_url() not in pieces
    makers = client.get("/sitemap-makers.xml").content.decode()
    assert shown.artisan.get_absolute_url() in makers
    assert pending.get_absolute_url() not in makers
    assert collection.get_absolute_url() in client.get("/sitemap-collections.xml").content.decode()
    assert "/guide/" in client.get("/sitemap-pages.xml").content.decode()


def test_robots_txt_keeps_crawlers_out_of_private_pages_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "Disallow: /admin/" in body and "Disallow: /studio/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_unknown_sitemap_section_is_404(client):
    assert client.get("/sitemap-nothing.xml").status_code == 404
    assert client.get("/sitemap-pieces.xml", {"p": "999"}).status_code == 404
