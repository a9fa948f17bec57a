"""
Suggestions while typing (catalog.listing.suggest): which facets' options,
makers and titles a prefix finds, in what order, with what counts, and what it
costs.
"""

import datetime

import pytest
from django.utils import timezone

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory
from catalog.choices import MaterialKind, PieceStatus
from catalog.listing.suggest import (
    MAKER,
    MAX_SUGGESTIONS,
    OPTION,
    PIECE,
    Suggestion,
    _Table,
    suggestions,
    typed,
)
from catalog.tests.factories import MaterialFactory, PieceFactory, PieceMaterialFactory, TechniqueFactory

pytestmark = pytest.mark.django_db


def labels(found):
    return [suggestion.label for suggestion in found]


def with_material(material, count, **piece):
    for _ in range(count):
        PieceMaterialFactory(piece=PieceFactory(**piece), material=material)


@pytest.fixture
def stones():
    """Sapphire on 3 pieces, sardonyx on none, sterling silver on 2, plain silver on 1."""
    sapphire = MaterialFactory(name="Sapphire", slug="sapphire", kind=MaterialKind.GEMSTONE)
    MaterialFactory(name="Sardonyx", slug="sardonyx", kind=MaterialKind.GEMSTONE)
    with_material(sapphire, 3)
    with_material(MaterialFactory(name="Sterling silver", slug="sterling-silver"), 2)
    with_material(MaterialFactory(name="Silver", slug="silver"), 1)
    return sapphire


def test_a_prefix_of_an_option_suggests_it_with_its_facet_and_count(stones):
    found = suggestions("sap")
    assert found[0] == Suggestion(OPTION, "Sapphire", "gemstone", 3, facet="gemstone", value="sapphire")
    assert found[0].spoken == "Sapphire, gemstone, 3 pieces"


def test_an_option_holding_no_published_piece_is_not_suggested(stones):
    PieceMaterialFactory(
        piece=PieceFactory(status=PieceStatus.DRAFT), material=MaterialFactory(slug="sardonyx", kind="gemstone")
    )
    assert "Sardonyx" not in labels(suggestions("sa"))
    assert "Sapphire" in labels(suggestions("sa"))


def test_a_prefix_of_any_word_of_a_label_matches_and_whole_labels_come_first(stones):
    # "Silver" starts with the text and comes first though "Sterling silver" has more pieces.
    found = [s for s in suggestions("silv") if s.kind == OPTION]
    assert labels(found) == ["Silver", "Sterling silver"]
    assert [s.count for s in found] == [1, 2]


def test_within_each_rank_the_option_with_more_pieces_comes_first(stones):
    with_material(MaterialFactory(name="Silverine", slug="silverine"), 4)
    assert labels(s for s in suggestions("SILVER") if s.kind == OPTION) == ["Silverine", "Silver", "Sterling silver"]


def test_the_text_is_read_as_search_reads_words(stones):
    TechniqueFactory(name="Repoussé", slug="repousse").pieces.add(PieceFactory())
    assert "Repoussé" in labels(suggestions("  REPOUS"))
    assert labels(suggestions("sterling  sil"))[0] == "Sterling silver"  # the whole label, across its words
    assert typed("  Sterling, SIL ") == "sterling sil"


def test_a_flag_facet_is_suggested_by_its_label():
    PieceMaterialFactory(piece=PieceFactory(), recycled=True)
    (recycled,) = [s for s in suggestions("recyc") if s.facet == "recycled"]
    assert recycled.spoken == "Recycled metal, filter, 1 piece"
    assert recycled.value == "1"


def test_makers_with_published_pieces_are_suggested_with_their_count():
    ferro = ArtisanFactory(name="Oficina Ferro", slug="oficina-ferro")
    PieceFactory(artisan=ferro)
    PieceFactory(artisan=ferro)
    PieceFactory(artisan=ferro, status=PieceStatus.DRAFT)
    PieceFactory(artisan=ArtisanFactory(name="Ferro Drafts"), status=PieceStatus.DRAFT)
    PieceFactory(artisan=ArtisanFactory(name="Ferrous Suspended", status=ArtisanStatus.SUSPENDED))
    makers = [s for s in suggestions("fer") if s.kind == MAKER]
    assert makers == [Suggestion(MAKER, "Oficina Ferro", "maker", 2, slug="oficina-ferro")]
    assert makers[0].spoken == "Oficina Ferro, maker, 2 pieces"


def test_titles_are_the_newest_three_published_pieces_with_a_title_word_starting_so():
    now = timezone.now()
    for day in range(5):
        PieceFactory(
            title=f"Garnet drop {day}", slug=f"garnet-drop-{day}", published_at=now - datetime.timedelta(days=day)
        )
    PieceFactory(title="Garnet secret", status=PieceStatus.DRAFT, published_at=now)
    PieceFactory(title="Old Garnish", published_at=now - datetime.timedelta(days=30))
    titles = [s for s in suggestions("garn") if s.kind == PIECE]
    assert [(s.label, s.slug) for s in titles] == [
        ("Garnet drop 0", "garnet-drop-0"),
        ("Garnet drop 1", "garnet-drop-1"),
        ("Garnet drop 2", "garnet-drop-2"),
    ]
    assert titles[0].spoken == "Garnet drop 0, piece"


def test_every_typed_word_must_start_a_word_of_the_title():
    PieceFactory(title="Hammered gold ring")
    PieceFactory(title="Hammered silver cuff")
    assert labels(s for s in suggestions("hamm gol") if s.kind == PIECE) == ["Hammered gold ring"]


def test_no_more_than_eight_suggestions_with_options_and_makers_before_titles():
    for n in range(6):
        with_material(MaterialFactory(name=f"Opal {n}", slug=f"opal-{n}", kind=MaterialKind.GEMSTONE), 1)
        PieceFactory(artisan=ArtisanFactory(name=f"Opaline Studio {n}"), title=f"Opal ring {n}")
    found = suggestions("opa")
    assert len(found) == MAX_SUGGESTIONS
    kinds = [s.kind for s in found]
    assert kinds.count(PIECE) == 3 and kinds[-3:] == [PIECE] * 3


@pytest.mark.parametrize("q", ["", "   ", "x" * 201, "?!", "<>"])
def test_blank_punctuation_or_overlong_text_suggests_nothing(stones, q, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert suggestions(q) == []


@pytest.mark.parametrize(
    "q",
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE catalog_piece; --",
        "sap%_\\",
        "(sap|[a-z]+)*$",
        "💍 sap",
        "ياقوت",
        "sap " * 60,
        "\x00sap",
    ],
)
def test_hostile_text_gives_suggestions_or_none_never_an_error(stones, q):
    found = suggestions(q)
    assert len(found) <= MAX_SUGGESTIONS
    assert all(isinstance(s, Suggestion) for s in found)


def test_the_options_and_makers_are_read_once_per_catalog_version(stones, django_assert_num_queries):
    suggestions("sap")  # makes the table (and the index)
    with django_assert_num_queries(0):  # no title matches: no query at all
        assert labels(suggestions("sapp")) == ["Sapphire"]
    PieceMaterialFactory(piece=PieceFactory(), material=stones)  # a new version
    assert suggestions("sapp")[0].count == 4


def test_a_crowded_prefix_keeps_its_best_entries_in_rank_order():
    entries = [Suggestion(MAKER, f"Maker {n:03}", "maker", count=n, slug=f"m{n}") for n in range(200)]
    entries.append(Suggestion(MAKER, "Old Maker", "maker", count=500, slug="old"))
    table = _Table(entries)
    first = table.best("ma", 8)
    # Whole labels starting with "ma" first, most pieces first; "Old Maker" only matches by a word.
    assert [s.count for s in first] == [199, 198, 197, 196, 195, 194, 193, 192]
    assert table.best("ma", 3) == first[:3]
    assert "ma" in table._crowded
    assert labels(table.best("mak", 8)) == labels(first)
    assert labels(table.best("old", 8)) == ["Old Maker"]
    assert table.best("zz", 8) == []


def test_counts_are_written_with_thousands_separators():
    assert Suggestion(OPTION, "Silver", "metal", 3325).spoken == "Silver, metal, 3,325 pieces"
