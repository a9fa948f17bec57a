"""
What a shopper, a bot or a fuzzer may type into the search box, sent as `q` to the
listing and to the header's suggestions: 5,000 characters, 500 words, only stop words,
only punctuation, right-to-left scripts, emoji, regex and SQL metacharacters, NUL bytes,
lone surrogates percent-encoded (bytes that are not UTF-8), combining characters.

Each answers a normal page, never a 500: the listing with its h1 and its count of pieces
(after a redirect if the listing chooses to send one), the suggestions with their listbox.
And the work is bounded whatever the input: the listing's queries stay within its own
guarantee (catalog.pages.views.PieceListView), the same number for 500 words as for one,
and the suggestions' within theirs (catalog.pages.suggest).

Part of the hostile-world suite (tests/hostile/conftest.py marks it `hostile`).
"""

import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from .world import client_for

pytestmark = pytest.mark.django_db

# The listing's own promise: at most 6 queries whatever the filters and the size of the catalog,
# once its index is built (the page, photos, materials, steps, a delivery time's ids or a
# quoted phrase's check, the facet options).
LISTING_QUERIES = 6
# The suggestions' own promise: one query, two after the catalog changed.
SUGGEST_QUERIES = 2
MAX_SUGGESTIONS = 8

SOME_WORDS = ["silver", "ring", "handmade", "saphire", "earrings", "oxidized", "mexican", "the"]

# label -> the query string as sent, percent-encoded by us or raw where no str can hold it.
HOSTILE_QUERIES = {
    "5,000 characters": urlencode({"q": ("sapphire " * 600)[:5000]}),
    "5,000 characters of one word": urlencode({"q": "a" * 5000}),
    "500 words": urlencode({"q": " ".join(SOME_WORDS[i % len(SOME_WORDS)] for i in range(500))}),
    "500 different words": urlencode({"q": " ".join(f"ring{i}" for i in range(500))}),
    "only stop words": urlencode({"q": "the of and"}),
    "only punctuation": urlencode({"q": "?!...,;"}),
    "only spaces": urlencode({"q": "   \t  "}),
    "Arabic": urlencode({"q": "خاتم فضة"}),
    "Hebrew": urlencode({"q": "טבעת כסף"}),
    "right-to-left mark around a word": urlencode({"q": "\u202ering\u202c \u200fsilver"}),
    "emoji": urlencode({"q": "💍✨ ring 👩🏽‍🎨"}),
    "regex metacharacters": urlencode({"q": ".*+?[](){}|\\^$"}),
    "regex metacharacters around a word": urlencode({"q": "(ring|silver)* [a-z]+$"}),
    "SQL": urlencode({"q": "' OR 1=1 --"}),
    "LIKE wildcards": urlencode({"q": "%_"}),
    "LIKE wildcards around a word": urlencode({"q": "%ring_ 100%"}),
    "NUL bytes": urlencode({"q": "ring\x00silver\x00"}),
    "only a NUL byte": "q=%00",
    "a lone high surrogate, percent-encoded": "q=%ED%A0%80ring",
    "a lone low surrogate, percent-encoded": "q=silver%ED%B0%80",
    "a surrogate pair as two percent-encoded halves": "q=%ED%A0%BD%ED%B2%8D",
    "truncated UTF-8": "q=ring%F0%9F",
    "combining characters": urlencode({"q": "rin\u0301g s\u0327i\u0308lver"}),
    "a pile of combining characters": urlencode({"q": "r" + "\u0301\u0308\u0327" * 300}),
    "q given many times": "&".join(["q=ring"] * 200),
}


@pytest.fixture
def listing(world):
    """The listing's URL, visited once so that its index is built before any query is counted."""
    url = reverse("catalog:piece_list")
    assert client_for().get(url).status_code == 200
    return url


def _normal_listing(response, label):
    assert response.status_code == 200, f"{label}: {response.status_code}"
    assert response["Content-Type"].startswith("text/html"), label
    body = response.content.decode()
    assert body.count("<h1") == 1 and "</h1>" in body, f"{label}: no h1"
    shown = re.search(r'id="result-count"[^>]*>(\d+) piece', body)
    assert shown, f"{label}: no count of pieces"
    assert int(shown.group(1)) == response.context["paginator"].count, f"{label}: the count shown is not the result's"


@pytest.mark.parametrize("label", HOSTILE_QUERIES)
def test_hostile_search_answers_a_normal_listing(label, listing, django_assert_max_num_queries):
    with django_assert_max_num_queries(LISTING_QUERIES):
        response = client_for().get(f"{listing}?{HOSTILE_QUERIES[label]}", follow=True)
    _normal_listing(response, label)


@pytest.mark.parametrize("label", HOSTILE_QUERIES)
def test_hostile_search_answers_the_listing_htmx_swaps_in(label, listing, django_assert_max_num_queries):
    with django_assert_max_num_queries(LISTING_QUERIES):
        # As htmx's XMLHttpRequest does, a redirect is followed with the same headers.
        response = client_for().get(f"{listing}?{HOSTILE_QUERIES[label]}", headers={"HX-Request": "true"}, follow=True)
    assert response.status_code == 200, f"{label}: {response.status_code}"
    assert 'id="result-count"' in response.content.decode(), label


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, follow=True).status_code == 200
    return len(queries)


# A long query and a short one of the same kind: the long one may cost no more work than the short one.
LONG_AND_SHORT = {
    "words": (" ".join(f"ring{i}" for i in range(500)), " ".join(f"ring{i}" for i in range(5))),
    "known words": (
        " ".join(SOME_WORDS[i % len(SOME_WORDS)] for i in range(500)),
        " ".join(SOME_WORDS[:5]),
    ),
    "characters": ("sapphire" * 625, "sapphire"),
}


@pytest.mark.parametrize("kind", LONG_AND_SHORT)
def test_the_listings_work_does_not_grow_with_the_query(kind, listing):
    """The work is counted in queries: 500 words or 5,000 characters cost no more than a few."""
    long, short = LONG_AND_SHORT[kind]
    client = client_for()
    # The short one first, so that the long one is not helped by anything it would leave in a cache.
    short_queries = _queries(client, f"{listing}?{urlencode({'q': short})}")
    assert _queries(client, f"{listing}?{urlencode({'q': long})}") <= short_queries


@pytest.fixture
def suggest(world):
    """The suggestions' URL, asked once so that their index is built before any query is counted."""
    try:
        url = reverse("catalog:piece_suggest")
    except NoReverseMatch:
        pytest.fail("catalog:piece_suggest does not resolve: the suggestions endpoint (/pieces/suggest/) is missing")
    assert client_for().get(url, {"q": "ring"}).status_code == 200
    return url


@pytest.mark.parametrize("label", HOSTILE_QUERIES)
def test_hostile_search_answers_suggestions(label, suggest, django_assert_max_num_queries):
    with django_assert_max_num_queries(SUGGEST_QUERIES):
        response = client_for().get(f"{suggest}?{HOSTILE_QUERIES[label]}")
    assert response.status_code == 200, f"{label}: {response.status_code}"
    body = response.content.decode()
    assert 'role="listbox"' in body, f"{label}: no listbox"
    assert body.count('role="option"') <= MAX_SUGGESTIONS, label


@pytest.mark.parametrize("kind", LONG_AND_SHORT)
def test_the_suggestions_work_does_not_grow_with_the_query(kind, suggest):
    long, short = LONG_AND_SHORT[kind]
    client = client_for()
    short_queries = _queries(client, f"{suggest}?{urlencode({'q': short})}")
    assert _queries(client, f"{suggest}?{urlencode({'q': long})}") <= short_queries
