"""
Words a page must never contradict: the evidence level's public label worded for the piece's own
method, and the rules across a piece's fields (and its maker's) that Piece.clean and
PieceMaterial.clean check and the database holds where it can.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from artisans.choices import WorkshopSize
from artisans.tests.factories import ArtisanFactory
from catalog.choices import (
    EVIDENCE_LABELS,
    Availability,
    Construction,
    EvidenceLevel,
    MadeBy,
    ProductionMethod,
    evidence_label,
)
from catalog.models.pieces import ERROR_ONE_OF_A_KIND_VARIATION, ERROR_PLATING_NOT_PLATED, ERROR_STUDIO_TEAM_SOLO
from catalog.tests.factories import PieceFactory, PieceMaterialFactory

pytestmark = pytest.mark.django_db

# The words a piece made another way must never carry (domain.md: no handcrafted wording on a
# mass-produced piece; a hand-finished one is cast, so not handcrafted either).
HANDCRAFTED_WORDS = ("handcraft", "handmade", "hand-made", "made by hand")


def changed(instance, **changes):
    """A saved row with `changes` made in memory only, as a form would make them before saving."""
    for name, value in changes.items():
        setattr(instance, name, value)
    return instance


def errors_of(instance):
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return {field: [(e.message, e.code) for e in errors] for field, errors in caught.value.error_dict.items()}


# --- The evidence level's public words ------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "method", "sheet", "card"),
    [
        ("staff_verified", "handcrafted", "Verified: handcrafted", "Verified: handcrafted"),
        ("staff_verified", "hand_finished", "Verified: hand-finished in small batches", "Verified: hand-finished"),
        ("staff_verified", "mass_produced", "Verified: made as described", "Verified: made as described"),
        ("studio_visited", "handcrafted", "Workshop visited: handcrafted", "Workshop visited: handcrafted"),
        (
            "studio_visited",
            "hand_finished",
            "Workshop visited: hand-finished in small batches",
            "Workshop visited: hand-finished",
        ),
        (
            "studio_visited",
            "mass_produced",
            "Workshop visited: made as described",
            "Workshop visited: made as described",
        ),
        ("documented", "mass_produced", "Documented by the maker", "Making documented"),
        ("self_declared", "hand_finished", "Maker's statement", "Maker's word"),
    ],
)
def test_the_evidence_label_names_the_claim_for_the_pieces_own_method(level, method, sheet, card):
    piece = PieceFactory.build(evidence_level=level, production_method=method)
    assert (piece.evidence_label, piece.evidence_short_label) == (sheet, card)


@pytest.mark.parametrize("method", [ProductionMethod.HAND_FINISHED, ProductionMethod.MASS_PRODUCED])
@pytest.mark.parametrize("level", list(EvidenceLevel))
def test_no_evidence_label_calls_a_piece_made_another_way_handcrafted(level, method):
    for short in (False, True):
        words = str(evidence_label(level, method, short=short)).lower()
        assert not any(word in words for word in HANDCRAFTED_WORDS), (level, method, words)


def test_every_level_and_method_has_its_words():
    for level in EvidenceLevel:
        for method in ProductionMethod:
            assert evidence_label(level, method) and evidence_label(level, method, short=True)
    assert len(EVIDENCE_LABELS) == 2 + 2 * len(ProductionMethod)


# --- Made by the studio team: a maker with a team -----------------------------------------------


def test_a_solo_maker_cannot_say_a_piece_was_made_by_the_studio_team():
    piece = changed(PieceFactory(artisan=ArtisanFactory(workshop_size=WorkshopSize.SOLO)), made_by=MadeBy.STUDIO_TEAM)
    assert errors_of(piece) == {"made_by": [(ERROR_STUDIO_TEAM_SOLO, "studio_team_solo_maker")]}


@pytest.mark.parametrize("size", [WorkshopSize.SMALL_TEAM, WorkshopSize.STUDIO, WorkshopSize.FACTORY])
def test_a_maker_with_a_team_may_say_the_studio_team_made_it(size):
    PieceFactory(artisan=ArtisanFactory(workshop_size=size), made_by=MadeBy.STUDIO_TEAM).full_clean()


def test_a_solo_maker_may_say_they_or_a_partner_made_it():
    solo = ArtisanFactory(workshop_size=WorkshopSize.SOLO)
    PieceFactory(artisan=solo, made_by=MadeBy.ARTISAN).full_clean()
    PieceFactory(artisan=solo, made_by=MadeBy.PRODUCTION_PARTNER, production_partner="Casting Co.").full_clean()


# --- One of a kind: the piece in the photos, with no note on copies ---------------------------------


@pytest.mark.parametrize(
    "note",
    [
        "No two stones are the same tone; yours is chosen to match the photo as closely as possible.",
        "Hammer marks vary from ring to ring.",
        "Y O U R S   is   C H O S E N",
        " ",
    ],
)
def test_a_one_of_a_kind_piece_takes_no_variation_note(note):
    piece = changed(PieceFactory(availability=Availability.ONE_OF_A_KIND), variation_note=note)
    assert errors_of(piece) == {"variation_note": [(ERROR_ONE_OF_A_KIND_VARIATION, "one_of_a_kind_variation_note")]}


def test_the_database_refuses_a_one_of_a_kind_piece_with_a_variation_note():
    with pytest.raises(IntegrityError), transaction.atomic():
        PieceFactory(availability=Availability.ONE_OF_A_KIND, variation_note="Yours is chosen to match the photo.")


def test_a_piece_of_which_there_are_several_says_how_each_differs():
    piece = PieceFactory(
        availability=Availability.LIMITED_EDITION,
        edition_size=20,
        variation_note="No two stones are the same tone; yours is chosen to match the photo.",
    )
    piece.full_clean()


# --- A plated metal is not solid ---------------------------------------------------------------


@pytest.mark.parametrize("construction", [Construction.SOLID, ""])
def test_only_a_plated_metal_has_a_plating_thickness(construction):
    material = changed(PieceMaterialFactory(), construction=construction, plating_thickness_microns=1)
    assert errors_of(material) == {"plating_thickness_microns": [(ERROR_PLATING_NOT_PLATED, "plating_not_plated")]}


@pytest.mark.parametrize("construction", [Construction.PLATED, Construction.GOLD_FILLED, Construction.VERMEIL])
def test_a_plated_gold_filled_or_vermeil_metal_gives_its_thickness(construction):
    material = PieceMaterialFactory(construction=construction, plating_thickness_microns=2.5)
    material.full_clean()


def test_the_database_refuses_a_solid_metal_with_a_plating_thickness():
    with pytest.raises(IntegrityError), transaction.atomic():
        PieceMaterialFactory(construction=Construction.SOLID, plating_thickness_microns=1)
