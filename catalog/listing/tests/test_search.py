"""
Searching the listing with `q`: the shopper's words read as filters
(catalog.listing.reading, catalog.listing.vocabulary), typos corrected against
the catalog's own words, plurals, spellings and hyphens forgiven
(catalog.listing.words), the rest matched in the index's postings
(catalog.listing.search) and ordered by "Best match", never a dead end, the
same on SQLite and PostgreSQL (tests/test_search_parity.py compares them on
generated catalogs).
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from artisans.tests.factories import ArtisanFactory
from catalog.choices import MaterialKind
from catalog.listing.index import current_index
from catalog.listing.search import SearchPostings
from catalog.listing.words import term, terms_of_word, words
from catalog.models import PersonalizationRequest, Piece, SearchSynonym
from catalog.tests.factories import (
    CategoryFactory,
    MaterialFactory,
    PersonalizationRequestFactory,
    PieceFactory,
    PieceMaterialFactory,
)

pytestmark = pytest.mark.django_db
LISTING = reverse("catalog:piece_list")


def landing(client, q, **params):
    """(the URL the search lands on, its pieces): a `q` read as filters is redirected once, to them."""
    response = client.get(LISTING, {"q": q, **params})
    url = LISTING
    if response.status_code == 302:
        url = response["Location"]
        response = client.get(url)
    assert response.status_code == 200
    return url, list(response.context["object_list"])


@pytest.fixture
def taxonomy():
    return {
        "rings": CategoryFactory(name="Rings", slug="rings"),
        "earrings": CategoryFactory(name="Earrings", slug="earrings"),
        "silver": MaterialFactory(name="Sterling silver", slug="sterling-silver", kind=MaterialKind.METAL),
        "sapphire": MaterialFactory(name="Sapphire", slug="sapphire", kind=MaterialKind.GEMSTONE),
    }


# --- Words -------------------------------------------------------------------------------------


def test_words_forgive_case_accents_plurals_spellings_and_hyphens():
    assert words("Repoussé RINGS!") == ["repousse", "rings"]
    assert term("rings") == term("ring")
    assert term("oxidised") == term("oxidized")
    assert term("personalisation") == term("personalization")
    assert term("promised") != term("promized")  # a -ise word that is no British spelling is left alone
    assert terms_of_word("hand-forged") == [term("handforged"), term("hand"), term("forged")]
    assert term("the") == ""


# --- Filters read from words -------------------------------------------------------------------


def test_words_naming_facet_options_become_the_listings_own_filters(client, taxonomy):
    wanted = PieceFactory(title="Drop earrings", production_method="handcrafted", category=taxonomy["earrings"])
    PieceMaterialFactory(piece=wanted, material=taxonomy["silver"])
    PieceFactory(title="Drop earrings", production_method="mass_produced", category=taxonomy["earrings"])
    url, found = landing(client, "Handmade silver earrings")
    assert url == (
        f"{LISTING}?method=handcrafted&category=earrings&metal=sterling-silver&words=Handmade+silver+earrings"
    )
    assert found == [wanted]
    page = client.get(url).content.decode()
    assert "from your words “Handmade silver earrings”" in page


def test_a_chip_read_from_words_searches_them_as_text_once_removed(client, taxonomy):
    PieceFactory(title="Plain band", description="Handmade, we say.", category=taxonomy["rings"])
    url, _ = landing(client, "handmade rings")
    search = client.get(url).context["search"]
    chip = next(chip for chip in search.read if chip.typed == "handmade")
    assert chip.label == "Handcrafted"
    response = client.get(chip.search_as_text_url)
    assert response.status_code == 200  # `words` kept: not read again
    assert response.context["listing"].selections["q"] == "handmade"
    assert [p.title for p in response.context["object_list"]] == ["Plain band"]


def test_a_phrase_is_read_across_stop_words_and_never_across_a_quote(client):
    PieceFactory(title="Moon pendant", availability="one_of_a_kind")
    url, found = landing(client, "one of a kind")
    assert "availability=one_of_a_kind" in url and "q=" not in url
    assert len(found) == 1
    response = client.get(LISTING, {"q": '"one of a kind"'})
    assert response.status_code == 200  # quoted: searched as words, not read


def test_staff_synonyms_extend_the_vocabulary(client, taxonomy):
    piece = PieceFactory(title="Tiny studs", category=taxonomy["earrings"])
    SearchSynonym.objects.create(phrase="ear candy", facet="category", value="earrings")
    url, found = landing(client, "ear candy")
    assert "category=earrings" in url
    assert found == [piece]


# --- Typos -------------------------------------------------------------------------------------


def test_a_typo_is_corrected_against_the_catalogs_words_and_said(client, taxonomy):
    ring = PieceFactory(title="Saturn ring", category=taxonomy["rings"])
    PieceMaterialFactory(piece=ring, material=taxonomy["sapphire"])
    url, found = landing(client, "saphire ring")
    assert "gemstone=sapphire" in url and "category=rings" in url
    assert found == [ring]
    search = client.get(url).context["search"]
    assert search.corrected == "sapphire ring"
    page = client.get(url).content.decode()
    assert "Showing results for <em>sapphire ring</em> (you typed <em>saphire ring</em>)" in page
    # The exact words, as typed: not corrected, so "saphire" finds nothing and is left out, said so.
    exact = client.get(search.exact_url)
    assert exact.status_code == 200
    assert exact.context["search"].left_out == ["saphire"]


def test_typos_are_within_one_edit_from_5_letters_and_two_from_9(client):
    PieceFactory(title="Granulated medallion")
    assert landing(client, "medalion")[1]  # 8 letters, one edit
    assert landing(client, "granualted")[1]  # 10 letters, two edits
    assert not landing(client, "gxamulxted")[1]  # three edits
    PieceFactory(title="Moon disc")
    assert not landing(client, "mon")[1]  # under 5 letters: never corrected


# --- Text: joined and split words, best match ---------------------------------------------------


@pytest.mark.parametrize("q", ["hand-hammered", "hand hammered", "handhammered"])
def test_hyphenated_spaced_and_joined_forms_find_the_same_pieces(client, q):
    hyphen = PieceFactory(title="Hand-hammered cuff")
    spaced = PieceFactory(title="Cuff", description="Hand hammered in the studio.")
    joined = PieceFactory(title="Handhammered disc")
    PieceFactory(title="Cast disc")
    assert set(landing(client, q)[1]) == {hyphen, spaced, joined}


def test_best_match_puts_title_matches_first_then_names_then_texts_each_newest_first(client):
    now = timezone.now()
    older_title = PieceFactory(title="Garnet knot", published_at=now - datetime.timedelta(days=3))
    newer_title = PieceFactory(title="Garnet loop", published_at=now - datetime.timedelta(days=2))
    in_text = PieceFactory(title="Plain knot", description="A garnet set low.", published_at=now)
    in_names = PieceFactory(title="Plain loop", published_at=now - datetime.timedelta(days=1))
    PieceMaterialFactory(piece=in_names, material=MaterialFactory(name="Garnetite", slug="garnetite"))
    in_names.artisan.name = "Garnet studio"
    in_names.artisan.save()
    response = client.get(LISTING, {"q": "garnet", "words": "garnet"})
    assert list(response.context["object_list"]) == [newer_title, older_title, in_names, in_text]


def test_another_order_asked_for_replaces_best_match(client):
    cheap = PieceFactory(title="Plain loop", description="Garnet", price=Decimal("20"))
    dear = PieceFactory(title="Garnet knot", price=Decimal("900"))
    found = client.get(LISTING, {"q": "garnet", "words": "garnet", "sort": "price"}).context["object_list"]
    assert list(found) == [cheap, dear]


def test_most_requested_orders_the_search_by_requests_then_newest(client):
    now = timezone.now()
    quiet = PieceFactory(title="Garnet knot", published_at=now)
    asked = PieceFactory(title="Garnet loop", published_at=now - datetime.timedelta(days=5))
    PersonalizationRequestFactory(piece=asked)
    PieceFactory(title="Silver loop")
    found = client.get(LISTING, {"q": "garnet", "words": "garnet", "sort": "requested"}).context["object_list"]
    assert list(found) == [asked, quiet]
    assert PersonalizationRequest.objects.count() == 1


# --- Never a dead end ---------------------------------------------------------------------------


def test_the_word_no_piece_has_with_the_others_is_left_out_and_named(client):
    knot = PieceFactory(title="Garnet knot")
    PieceFactory(title="Silver loop")
    response = client.get(LISTING, {"q": "garnet knot zebra", "words": "garnet knot zebra"})
    assert list(response.context["object_list"]) == [knot]
    assert response.context["search"].left_out == ["zebra"]
    assert "showing pieces without “zebra”" in response.content.decode()


def test_words_near_nothing_give_no_piece_and_offer_close_options(client, taxonomy):
    PieceFactory(title="Saturn ring", category=taxonomy["rings"])
    response = client.get(LISTING, {"q": "rimg"})  # 4 letters: never corrected, and no piece has it
    assert response.status_code == 200
    assert list(response.context["object_list"]) == []
    search = response.context["search"]
    assert search.none_found and search.left_out == ["rimg"]
    assert "Rings" in [chip.label for chip in search.near]
    page = response.content.decode()
    assert "No piece in the catalog has any of the words “rimg”" in page
    assert "showing pieces without" not in page


def test_only_stop_words_give_every_piece_and_a_note(client):
    PieceFactory.create_batch(2)
    response = client.get(LISTING, {"q": "the of and"})
    assert response.status_code == 200
    assert response.context["paginator"].count == 2
    assert response.context["search"].nothing_to_search


# --- The postings -------------------------------------------------------------------------------


def test_the_postings_follow_edits_like_a_fresh_build(client):
    pieces = PieceFactory.create_batch(5, title="Plain loop")
    client.get(LISTING, {"q": "loop", "words": "loop"})
    piece = pieces[0]
    piece.title = "Quillon signet"
    piece.save()
    piece.artisan.name = "Zephyr studio"
    piece.artisan.save()
    pieces[1].delete()
    client.get(LISTING)
    fresh = SearchPostings.build(Piece.objects.published())
    assert current_index().search.lexemes == fresh.lexemes
    makers = set(Piece.objects.published().filter(artisan=piece.artisan))
    found = client.get(LISTING, {"q": "zephyr", "words": "zephyr"}).context["object_list"]
    assert set(found) == makers


@pytest.mark.parametrize("rows", [3, 30])
def test_a_search_costs_no_query_once_its_cards_are_cached(client, django_assert_max_num_queries, rows):
    maker = ArtisanFactory()
    for n in range(rows):
        PieceFactory(title=f"Garnet loop {n}", artisan=maker)
    params = {"q": "garnet loop", "words": "garnet loop"}
    client.get(LISTING, params)
    with django_assert_max_num_queries(0):
        response = client.get(LISTING, params)
    assert response.context["paginator"].count == rows


def test_a_query_read_as_filters_costs_no_query_to_read(client, django_assert_max_num_queries, taxonomy):
    PieceFactory.create_batch(3, category=taxonomy["rings"])
    client.get(LISTING)  # the index and the facet options
    with django_assert_max_num_queries(0):
        response = client.get(LISTING, {"q": "silver rings"})
    assert response.status_code == 302


def test_a_long_query_does_a_bounded_amount_of_work(client, monkeypatch):
    """At most MAX_WORDS words are read (the rest named), so leaving words out costs a bounded number of matches."""
    from catalog.listing.reading import MAX_WORDS
    from catalog.listing.search import SearchPostings

    PieceFactory(title="Garnet knot")
    calls = {"matches": 0}
    original = SearchPostings.matches

    def counted(self, *args, **kwargs):
        calls["matches"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SearchPostings, "matches", counted)
    q = " ".join(f"w{n}x" for n in range(40))  # 40 words, under the field's 200 characters
    response = client.get(LISTING, {"q": q, "words": q})
    assert response.status_code == 200
    search = response.context["search"]
    assert len(q) <= 200 and len(search.not_read) == 40 - MAX_WORDS
    # Leaving out words one at a time: each step tries each word still kept.
    assert calls["matches"] <= MAX_WORDS * (MAX_WORDS + 1) // 2 + MAX_WORDS + 2
