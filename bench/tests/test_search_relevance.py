"""The search relevance set: its figures, and every query's judgement, evaluated on a small catalog."""

import pytest

from artisans.tests.factories import ArtisanFactory
from bench.search_relevance.queries import QUERIES, folded, relevant, says
from bench.search_relevance.run import Outcome, catalog_queries, figures, figures_by_tag, table
from catalog.choices import Availability, Construction, GemSource, MaterialKind, PieceStatus, ProductionMethod
from catalog.models import MakerCertification, Piece
from catalog.tests.factories import (
    CategoryFactory,
    CertificationFactory,
    MaterialFactory,
    PersonalizationOptionFactory,
    PieceFactory,
    PieceMaterialFactory,
    TechniqueFactory,
)


def outcome(relevant, returned, first_page, hits, page_size=24, query="q"):
    return Outcome(query, relevant, returned, first_page, hits, page_size)


# --- The figures ------------------------------------------------------------------------------


def test_precision_is_the_relevant_share_of_the_first_page():
    assert outcome(relevant=50, returned=40, first_page=24, hits=18).precision == 0.75


def test_recall_counts_as_many_relevant_pieces_as_the_first_page_can_hold():
    assert outcome(relevant=100, returned=100, first_page=24, hits=12).recall == 0.5
    assert outcome(relevant=4, returned=30, first_page=24, hits=3).recall == 0.75


def test_a_query_returning_nothing_has_no_precision_and_no_recall_of_its_relevant_pieces():
    empty = outcome(relevant=10, returned=0, first_page=0, hits=0)
    assert empty.precision is None
    assert empty.recall == 0.0


def test_a_query_without_judgement_has_neither_precision_nor_recall():
    generated = outcome(relevant=None, returned=5, first_page=5, hits=0)
    assert (generated.precision, generated.recall) == (None, None)


def test_figures_average_over_the_queries_with_relevant_pieces():
    result = figures(
        [
            outcome(relevant=10, returned=10, first_page=10, hits=10),  # perfect
            outcome(relevant=30, returned=24, first_page=24, hits=12),  # precision 0.5, recall 0.5
            outcome(relevant=5, returned=0, first_page=0, hits=0),  # nothing returned: recall 0
            outcome(relevant=0, returned=3, first_page=3, hits=0),  # nothing relevant: left out
            outcome(relevant=0, returned=0, first_page=0, hits=0),
            outcome(relevant=None, returned=7, first_page=7, hits=0),  # no judgement: left out
        ]
    )
    assert result.judged == 3
    assert result.nothing_returned == pytest.approx(1 / 3)
    assert result.precision == pytest.approx(0.75)  # over the two that returned something
    assert result.recall == pytest.approx(0.5)  # (1 + 0.5 + 0) / 3
    assert (result.without_relevant, result.without_relevant_empty) == (2, 1)


def test_figures_by_tag_count_a_query_under_each_of_its_tags():
    typo = Outcome("saphire ring", 10, 0, 0, 0, 24, tags=("typo", "mixed"))
    mixed = Outcome("gold hoops", 10, 10, 10, 10, 24, tags=("mixed",))
    lines = figures_by_tag([typo, mixed]).splitlines()
    assert [line.split() for line in lines[1:]] == [
        ["mixed", "2", "50%", "1.00", "0.50"],
        ["typo", "1", "100%", "-", "0.00"],
    ]


def test_a_figure_over_no_query_is_none_rather_than_zero():
    nothing_answered = figures([outcome(relevant=3, returned=0, first_page=0, hits=0)])
    assert (nothing_answered.nothing_returned, nothing_answered.precision, nothing_answered.recall) == (1.0, None, 0.0)
    assert figures([]).recall is None


def test_the_table_prints_a_line_per_query_with_dashes_where_a_figure_does_not_apply():
    lines = table([outcome(relevant=4, returned=0, first_page=0, hits=0, query="saphire ring")]).splitlines()
    assert lines[1].split() == ["saphire", "ring", "4", "0", "-", "0.00"]


def test_catalog_queries_are_the_same_whatever_the_order_the_titles_come_in():
    titles = [f"Hammered {motif} Band" for motif in ("Moon", "Fern", "Willow", "Thistle", "Lantern", "Marigold")]
    made = catalog_queries(titles, 6)
    assert made == catalog_queries(list(reversed(titles)), 6)
    assert 0 < len(made) <= 6
    assert catalog_queries(titles, 0) == []


def test_catalog_queries_take_words_and_a_pair_misspelling_every_third_word():
    made = catalog_queries(["Hammered Lantern Marigold Thistle Willow Juniper"], 6)
    assert made == ["hammered", "juniper", "lanern", "willow juniper"]


# --- The relevance set ------------------------------------------------------------------------


def test_the_set_has_at_least_90_distinct_queries_and_a_few_that_find_nothing():
    texts = [query.text for query in QUERIES]
    assert len(texts) >= 90
    assert len(set(texts)) == len(texts)
    assert 1 <= sum(query.none for query in QUERIES) <= 6
    assert all(query.tags for query in QUERIES if not query.none)


def test_words_are_matched_whole_without_case_or_accents():
    assert folded("Repoussé Moon Pendant") == "repousse moon pendant"
    assert says("moon").pattern == "moon"


@pytest.fixture
def catalog(db):
    """Three published pieces (a Mexican silver moon pendant, Japanese gold hoops, a ring) and a draft."""
    necklaces = CategoryFactory(name="Necklaces & pendants", slug="necklaces-pendants")
    earrings = CategoryFactory(name="Earrings", slug="earrings")
    sterling = MaterialFactory(name="Sterling silver", slug="sterling-silver")
    gold = MaterialFactory(name="Yellow gold", slug="yellow-gold")
    sapphire = MaterialFactory(name="Sapphire", slug="sapphire", kind=MaterialKind.GEMSTONE)
    fairmined = CertificationFactory(name="Fairmined", slug="fairmined")
    mexican, japanese = ArtisanFactory(country="MX"), ArtisanFactory(country="JP")

    moon = PieceFactory(
        title="Filigree Moon Pendant",
        description="A crescent pendant in sterling silver.",
        category=necklaces,
        artisan=mexican,
    )
    moon.techniques.add(TechniqueFactory(name="Filigree", slug="filigree"))
    PieceMaterialFactory(piece=moon, material=sterling, recycled=True)
    PersonalizationOptionFactory(piece=moon)

    hoops = PieceFactory(
        title="Huggie Hoops",
        description="A pair of huggie hoops in gold plate.",
        category=earrings,
        artisan=japanese,
        production_method=ProductionMethod.MASS_PRODUCED,
        availability=Availability.OPEN_STOCK,
    )
    PieceMaterialFactory(
        piece=hoops, material=gold, construction=Construction.PLATED, certification=fairmined, is_verified=True
    )

    ring = PieceFactory(title="Sapphire Solitaire", description="A solitaire ring.")
    PieceMaterialFactory(piece=ring, material=sapphire, construction="", purity="", gem_source=GemSource.LAB_GROWN)

    draft = PieceFactory(title="Moon Pendant draft", category=necklaces, status=PieceStatus.DRAFT)
    PieceMaterialFactory(piece=draft, material=sterling)
    MakerCertification.objects.create(artisan=japanese, certification=fairmined, is_verified=False)
    return {"moon": moon, "hoops": hoops, "ring": ring, "draft": draft}


def judged(text):
    published = Piece.objects.published()
    return set(relevant(published, next(query for query in QUERIES if query.text == text)))


def test_every_query_is_judged_on_a_catalog_and_judges_published_pieces_only(catalog):
    published = Piece.objects.published()
    for query in QUERIES:
        assert set(relevant(published, query)) <= set(published), query.text
    assert catalog["draft"] not in judged("moon pendant")


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("moon pendant", {"moon"}),
        ("handmade", {"moon", "ring"}),
        ("factory-made", {"hoops"}),
        ("Mexico", {"moon"}),
        ("Mexican earrings", set()),
        ("gold hoops", {"hoops"}),
        ("fairmined gold", {"hoops"}),
        ("gold plated", {"hoops"}),
        ("filigrana", {"moon"}),
        ("recycled silver", {"moon"}),
        ("personalised necklace", {"moon"}),
        ("lab-created sapphire", {"ring"}),
        ("engagement ring", {"ring"}),
        ("saphire ring", {"ring"}),
    ],
)
def test_a_query_means_what_a_shopper_means(catalog, text, meant):
    assert judged(text) == {catalog[name] for name in meant}


def test_spelling_and_hyphen_variants_are_judged_alike(catalog):
    assert judged("hand-forged") == judged("hand forged")
    assert judged("repoussé") == judged("repousse")
    assert judged("ring") == judged("rings") == {catalog["ring"]}
