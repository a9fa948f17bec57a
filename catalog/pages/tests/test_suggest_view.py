"""
The suggestions' fragment (`catalog:piece_suggest`, catalog.pages.suggest) and
the header's search form that asks for it: what each option links to, hostile
text, and a constant number of queries whatever the size of the catalog.
"""

import pytest
from django.urls import reverse

from artisans.tests.factories import ArtisanFactory
from catalog.choices import MaterialKind
from catalog.tests.factories import MaterialFactory, PieceFactory, PieceMaterialFactory

pytestmark = pytest.mark.django_db

SUGGEST = reverse("catalog:piece_suggest")


def catalog_of(pieces, makers):
    """`pieces` pieces set with sapphire, shared among `makers` makers (the first is Oficina Ferro)."""
    sapphire = MaterialFactory(name="Sapphire", slug="sapphire", kind=MaterialKind.GEMSTONE)
    artisans = [ArtisanFactory(name="Oficina Ferro", slug="oficina-ferro")]
    artisans += [ArtisanFactory(name=f"Sapling Studio {n}") for n in range(makers - 1)]
    for n in range(pieces):
        piece = PieceFactory(artisan=artisans[n % makers], title=f"Sapphire ring {n}", slug=f"sapphire-ring-{n}")
        PieceMaterialFactory(piece=piece, material=sapphire)


@pytest.fixture
def small():
    catalog_of(pieces=3, makers=2)


def test_the_suggestions_are_a_listbox_of_options_that_say_where_they_lead(client, small):
    response = client.get(SUGGEST, {"q": "sap"})
    body = response.content.decode()
    assert response.status_code == 200
    assert '<ul class="suggestions" id="site-search-suggestions" role="listbox" aria-label="Suggestions">' in body
    assert body.count('role="option"') == 5  # Sapphire, Sapling Studio 0, three titles
    assert 'id="site-search-suggestion-1" role="option" aria-selected="false"' in body
    assert 'data-href="/pieces/?gemstone=sapphire"' in body
    assert 'aria-label="Sapphire, gemstone, 3 pieces"' in body
    assert '<span class="suggestion__label">Sapphire</span>' in body
    assert '<span class="suggestion__kind">gemstone · 3 pieces</span>' in body
    assert 'aria-label="Sapling Studio 0, maker, 1 piece"' in body
    assert 'data-href="/pieces/sapphire-ring-2/"' in body  # the newest title


def test_a_maker_leads_to_their_page(client, small):
    body = client.get(SUGGEST, {"q": "ferr"}).content.decode()
    assert f'data-href="{reverse("artisans:artisan_detail", args=["oficina-ferro"])}"' in body
    assert "Oficina Ferro" in body and "2 pieces" in body


@pytest.mark.parametrize("q", ["", "   ", "s" * 201])
def test_blank_or_overlong_text_answers_an_empty_hidden_listbox(client, small, q):
    response = client.get(SUGGEST, {"q": q})
    assert response.status_code == 200
    assert 'role="listbox" aria-label="Suggestions" hidden>' in response.content.decode()
    assert 'role="option"' not in response.content.decode()


def test_no_q_at_all_is_no_suggestion(client, small):
    assert 'role="option"' not in client.get(SUGGEST).content.decode()


@pytest.mark.parametrize(
    "q",
    [
        "<script>alert('sap')</script>",
        "sap' OR 1=1; --",
        '"sap" -- /* */ %_',
        "💎💍 sap",
        "ياقوت أزرق",
        "sap" * 1700,  # 5,100 characters
        "(a+)+$" * 10,
        "sap\u202e\u200b",
    ],
)
def test_hostile_text_never_breaks_the_fragment(client, small, q):
    response = client.get(SUGGEST, {"q": q})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>" not in body
    assert body.count('role="option"') <= 8


def test_only_get_is_answered(client, small):
    assert client.post(SUGGEST, {"q": "sap"}).status_code == 405


# Sapphire, the Sapling makers (one in the small catalog) and three titles, up to 8.
@pytest.mark.parametrize(("pieces", "makers", "shown"), [(3, 2, 5), (60, 30, 8)])
def test_suggestions_cost_at_most_one_query_whatever_the_catalog(
    client, django_assert_max_num_queries, pieces, makers, shown
):
    catalog_of(pieces, makers)
    client.get(SUGGEST, {"q": "s"})  # the index and the table of options and makers, made once per version
    # One query: the three titles by primary key (the options and makers are in memory).
    with django_assert_max_num_queries(1):
        body = client.get(SUGGEST, {"q": "sap"}).content.decode()
    assert body.count('role="option"') == shown
    with django_assert_max_num_queries(1):
        client.get(SUGGEST, {"q": "sapling stu"})


def test_the_table_is_made_in_a_fixed_number_of_queries_whatever_the_catalog(client, django_assert_max_num_queries):
    catalog_of(pieces=40, makers=20)
    client.get(reverse("catalog:piece_list"))  # the index
    with django_assert_max_num_queries(3):  # the facets' options (cached after), the makers, the titles
        client.get(SUGGEST, {"q": "sap"})


def test_every_page_has_the_header_search_form_that_works_without_javascript(client, small):
    body = client.get(reverse("catalog:home")).content.decode()
    assert '<form class="site-search" action="/pieces/" method="get" role="search" aria-label="Catalog">' in body
    assert '<label class="visually-hidden" for="site-q">Search pieces, makers and materials</label>' in body
    assert 'id="site-q" name="q"' in body
    assert '<button class="button site-search__submit" type="submit">Search</button>' in body
    assert f'data-hx-get="{SUGGEST}"' in body and " hx-get" not in body
    assert "js/suggest.js" in body
