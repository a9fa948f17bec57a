"""The site's icon: linked from every page, and /favicon.ico answering for browsers that ask for it anyway."""

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

pytestmark = pytest.mark.django_db


def test_favicon_ico_redirects_to_an_icon_that_exists(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response.url == static("favicon.ico")
    assert finders.find("favicon.ico")
    assert "max-age=86400" in response["Cache-Control"]


def test_the_redirect_lands_on_the_icon_itself(client):
    icon = client.get("/favicon.ico", follow=True)
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content if icon.streaming else [icon.content])[:4] == b"\x00\x00\x01\x00"


def test_every_page_links_the_svg_and_the_ico(client):
    page = client.get("/").content.decode()
    assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in page
    assert f'<link rel="icon" href="{static("favicon.ico")}" sizes="32x32">' in page
    assert finders.find("favicon.svg")


@pytest.mark.parametrize("query", ["?next=https://evil.example/", "?<script>=1", "?%00"])
def test_a_query_never_changes_where_favicon_ico_leads(client, query):
    response = client.get(f"/favicon.ico{query}")
    assert response.status_code == 302 and response.url == static("favicon.ico")
