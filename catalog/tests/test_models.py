"""
The database refuses bad rows by itself: each structural rule is a constraint,
so a bad row is refused even when it never passes through a form.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from artisans.tests.factories import ArtisanFactory
from catalog.choices import Availability, MadeBy, PersonalizationKind, PieceStatus, StepDoneBy
from catalog.models import Material, Piece
from catalog.tests.factories import (
    CategoryFactory,
    MaterialFactory,
    PersonalizationOptionFactory,
    PieceFactory,
    PieceImageFactory,
    PieceMaterialFactory,
    ProductionStepFactory,
)

pytestmark = pytest.mark.django_db


def refused(factory, **kwargs):
    """True when the database refuses the row built by factory(**kwargs)."""
    try:
        with transaction.atomic():
            factory(**kwargs)
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize(
    "fields",
    [
        {"price": Decimal("-1")},
        {"materials_cost": Decimal("-1")},
        {"labor_cost": Decimal("-0.01")},
        {"price": Decimal("100"), "materials_cost": Decimal("60"), "labor_cost": Decimal("41")},
        {"price": Decimal("100"), "materials_cost": Decimal("101")},
        {"availability": Availability.LIMITED_EDITION},
        {"availability": Availability.LIMITED_EDITION, "edition_size": 1},
        {"availability": Availability.ONE_OF_A_KIND, "edition_size": 20},
        {"availability": Availability.MADE_TO_ORDER},
        {"availability": Availability.MADE_TO_ORDER, "lead_time_days": 0},
        {"made_by": MadeBy.PRODUCTION_PARTNER, "production_partner": ""},
        {"labor_hours": Decimal("-2")},
    ],
    ids=lambda fields: ",".join(f"{k}={v}" for k, v in fields.items()),
)
def test_database_refuses_a_piece_that_breaks_a_rule(fields):
    assert refused(PieceFactory, **fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"price": Decimal("100"), "materials_cost": Decimal("60"), "labor_cost": Decimal("40")},
        {"price": Decimal("100"), "materials_cost": Decimal("60")},
        {"price": Decimal("0")},
        {"availability": Availability.LIMITED_EDITION, "edition_size": 20},
        {"availability": Availability.MADE_TO_ORDER, "lead_time_days": 21},
        {"made_by": MadeBy.PRODUCTION_PARTNER, "production_partner": "Oro Casting, Vicenza"},
    ],
    ids=lambda fields: ",".join(f"{k}={v}" for k, v in fields.items()),
)
def test_database_accepts_pieces_within_the_rules(fields):
    assert not refused(PieceFactory, **fields)


def test_slugs_are_unique():
    PieceFactory(slug="taken")
    assert refused(PieceFactory, slug="taken")
    ArtisanFactory(slug="taken-maker")
    assert refused(ArtisanFactory, slug="taken-maker")
    Material.objects.create(name="Silver", slug="silver", kind="metal")
    with pytest.raises(IntegrityError), transaction.atomic():
        Material.objects.create(name="Silver again", slug="silver", kind="metal")


def test_a_step_by_a_partner_must_name_the_partner():
    assert refused(ProductionStepFactory, done=StepDoneBy.BY_PARTNER, partner_name="")
    assert not refused(ProductionStepFactory, done=StepDoneBy.BY_PARTNER, partner_name="Casting Co.")


def test_a_step_is_recorded_once_per_piece():
    step = ProductionStepFactory(step="casting")
    assert refused(ProductionStepFactory, piece=step.piece, step="casting")


def test_engraving_options_need_a_positive_character_limit():
    assert refused(PersonalizationOptionFactory, kind=PersonalizationKind.ENGRAVING, max_characters=None)
    assert refused(PersonalizationOptionFactory, kind=PersonalizationKind.ENGRAVING, max_characters=0)
    assert not refused(PersonalizationOptionFactory, kind=PersonalizationKind.SIZING, max_characters=None)


def test_extra_price_of_an_option_is_not_negative():
    assert refused(PersonalizationOptionFactory, kind="sizing", extra_price=Decimal("-5"))


def test_images_need_alt_text():
    assert refused(PieceImageFactory, alt_text="")


def test_material_rules():
    assert refused(PieceMaterialFactory, weight=Decimal("-1"))
    assert refused(PieceMaterialFactory, plating_thickness_microns=Decimal("-0.5"))
    assert refused(PieceMaterialFactory, is_verified=True, certification=None)
    assert refused(MaterialFactory, slug="odd-colour", colour="gold")


def test_maker_verification_needs_a_date():
    assert refused(ArtisanFactory, is_verified=True, verified_at=None)
    assert refused(ArtisanFactory, founded_year=1200)


def test_model_validation_reports_the_rule_in_the_shoppers_words():
    piece = PieceFactory.build(
        artisan=ArtisanFactory(),
        category=CategoryFactory(),
        availability=Availability.MADE_TO_ORDER,
        lead_time_days=None,
    )
    with pytest.raises(ValidationError) as error:
        piece.full_clean()
    assert "A piece made to order needs a lead time of at least one day." in str(error.value)


# --- Derived facts -----------------------------------------------------------------


def test_maker_share_counts_hand_and_hand_tool_steps():
    piece = PieceFactory()
    ProductionStepFactory(piece=piece, step="design", done=StepDoneBy.BY_HAND)
    ProductionStepFactory(piece=piece, step="fabrication", done=StepDoneBy.WITH_HAND_TOOLS)
    ProductionStepFactory(piece=piece, step="casting", done=StepDoneBy.BY_MACHINE)
    ProductionStepFactory(piece=piece, step="finishing", done=StepDoneBy.BY_PARTNER, partner_name="Polish Ltd")
    assert Piece.objects.get(pk=piece.pk).maker_share == 50
    assert PieceFactory().maker_share is None


def test_a_piece_uses_recycled_metal_when_one_of_its_metals_is_recycled():
    piece = PieceFactory()
    PieceMaterialFactory(piece=piece, recycled=False)
    assert not piece.uses_recycled_metal
    PieceMaterialFactory(piece=piece, material=MaterialFactory(name="Gold", slug="gold"), recycled=True)
    assert Piece.objects.get(pk=piece.pk).uses_recycled_metal
    stone = PieceMaterialFactory(material=MaterialFactory(name="Opal", slug="opal", kind="gemstone"), recycled=True)
    assert not stone.piece.uses_recycled_metal


@pytest.mark.parametrize(
    ("fields", "badge"),
    [
        ({"availability": Availability.ONE_OF_A_KIND}, "One of a kind"),
        ({"availability": Availability.LIMITED_EDITION, "edition_size": 20}, "Edition of 20"),
        ({"availability": Availability.MADE_TO_ORDER, "lead_time_days": 21}, "Made to order · 3 wk"),
        ({"availability": Availability.MADE_TO_ORDER, "lead_time_days": 5}, "Made to order · 5 days"),
        ({"availability": Availability.OPEN_STOCK, "stock": 4}, "In stock"),
    ],
)
def test_availability_badge_reads_as_a_shopper_expects(fields, badge):
    assert str(PieceFactory.build(**fields).availability_badge) == badge


def test_overhead_and_margin_is_the_rest_of_the_price():
    piece = PieceFactory.build(price=Decimal("300"), materials_cost=Decimal("80"), labor_cost=Decimal("150"))
    assert piece.overhead_and_margin == Decimal("70")
    assert PieceFactory.build(materials_cost=Decimal("80")).overhead_and_margin is None


def test_published_excludes_hidden_and_pieces_of_unapproved_makers():
    shown = PieceFactory()
    PieceFactory(status=PieceStatus.HIDDEN)
    PieceFactory(artisan=ArtisanFactory(status="suspended"))
    assert list(Piece.objects.published()) == [shown]
