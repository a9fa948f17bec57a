"""
The evidence level as shoppers read it on the card, the piece page and compare: worded for the
piece's own method, so a mass-produced piece is never "verified handcrafted".
"""

import pytest
from django.urls import reverse
from django.utils.html import escape

from catalog.choices import Availability, EvidenceLevel, ProductionMethod
from catalog.tests.factories import PieceFactory

pytestmark = pytest.mark.django_db

LISTING = reverse("catalog:piece_list")
HANDCRAFTED_WORDS = ("verified handcrafted", "verified: handcrafted", "visited: handcrafted")

# (level, method) → (the piece page's words, the card's words)
LABELS = [
    (EvidenceLevel.STAFF_VERIFIED, ProductionMethod.HANDCRAFTED, "Verified: handcrafted", "Verified: handcrafted"),
    (
        EvidenceLevel.STAFF_VERIFIED,
        ProductionMethod.HAND_FINISHED,
        "Verified: hand-finished in small batches",
        "Verified: hand-finished",
    ),
    (
        EvidenceLevel.STAFF_VERIFIED,
        ProductionMethod.MASS_PRODUCED,
        "Verified: made as described",
        "Verified: made as described",
    ),
    (
        EvidenceLevel.STUDIO_VISITED,
        ProductionMethod.HANDCRAFTED,
        "Workshop visited: handcrafted",
        "Workshop visited: handcrafted",
    ),
    (
        EvidenceLevel.STUDIO_VISITED,
        ProductionMethod.HAND_FINISHED,
        "Workshop visited: hand-finished in small batches",
        "Workshop visited: hand-finished",
    ),
    (
        EvidenceLevel.STUDIO_VISITED,
        ProductionMethod.MASS_PRODUCED,
        "Workshop visited: made as described",
        "Workshop visited: made as described",
    ),
    (EvidenceLevel.DOCUMENTED, ProductionMethod.MASS_PRODUCED, "Documented by the maker", "Making documented"),
]


def piece_made(method, level):
    availability = Availability.OPEN_STOCK if method == ProductionMethod.MASS_PRODUCED else Availability.ONE_OF_A_KIND
    return PieceFactory(production_method=method, evidence_level=level, availability=availability, stock=3)


def card_marks(body):
    """The text of the card's marks (evidence, maker share, personalizable), where the level shows."""
    return body.split('class="card__marks"', 1)[1].split("</p>", 1)[0]


@pytest.mark.parametrize(("level", "method", "sheet", "card"), LABELS)
def test_the_card_names_the_claim_for_the_pieces_method(client, level, method, sheet, card):
    piece_made(method, level)
    marks = card_marks(client.get(LISTING).content.decode())
    assert escape(card) in marks
    if method != ProductionMethod.HANDCRAFTED:
        assert not any(words in marks.lower() for words in HANDCRAFTED_WORDS)


@pytest.mark.parametrize(("level", "method", "sheet", "card"), LABELS)
def test_the_piece_page_names_the_claim_for_the_pieces_method(client, level, method, sheet, card):
    piece = piece_made(method, level)
    body = client.get(piece.get_absolute_url()).content.decode()
    wall_label = body.split("wall-label__evidence", 1)[1].split("</p>", 1)[0]
    assert escape(sheet) in wall_label
    if method != ProductionMethod.HANDCRAFTED:
        assert not any(words in body.lower() for words in HANDCRAFTED_WORDS)


def test_compare_names_each_pieces_claim_for_its_own_method(client):
    forged = piece_made(ProductionMethod.HANDCRAFTED, EvidenceLevel.STAFF_VERIFIED)
    cast = piece_made(ProductionMethod.HAND_FINISHED, EvidenceLevel.STAFF_VERIFIED)
    stamped = piece_made(ProductionMethod.MASS_PRODUCED, EvidenceLevel.STUDIO_VISITED)
    response = client.get(reverse("catalog:compare"), {"pieces": f"{forged.slug},{cast.slug},{stamped.slug}"})
    body = response.content.decode()
    for words in (
        "Verified: handcrafted",
        "Verified: hand-finished in small batches",
        "Workshop visited: made as described",
    ):
        assert escape(words) in body, words
    assert "Verified by staff" not in body and "Studio visited" not in body


def test_a_self_declared_piece_shows_no_mark_on_its_card_and_the_makers_statement_on_its_page(client):
    piece = piece_made(ProductionMethod.MASS_PRODUCED, EvidenceLevel.SELF_DECLARED)
    assert "Maker&#x27;s word" not in client.get(LISTING).content.decode()
    assert "Maker&#x27;s statement" in client.get(piece.get_absolute_url()).content.decode()
