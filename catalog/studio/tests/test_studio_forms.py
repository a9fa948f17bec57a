"""The piece form: each rule's message beside its field, and hostile input refused or shown escaped."""

import pytest

from catalog.studio.forms import (
    ERROR_COSTS_ABOVE_PRICE,
    ERROR_EDITION_SIZE,
    ERROR_EDITION_SIZE_ONLY_LIMITED,
    ERROR_ENGRAVING_LIMIT,
    ERROR_LEAD_TIME,
    ERROR_ONE_COVER,
    ERROR_PARTNER_NAME,
    ERROR_STEP_PARTNER,
    PIECE_FORMSETS,
    PieceForm,
)
from catalog.tests.factories import CategoryFactory, MaterialFactory
from catalog.tests.studio_helpers import piece_data, piece_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxonomy():
    return {"category": CategoryFactory(), "material": MaterialFactory()}


def piece_form(taxonomy, **changes):
    return PieceForm(piece_data(**taxonomy, **changes))


def formset(name, taxonomy, **changes):
    return PIECE_FORMSETS[name](piece_data(**taxonomy, **changes), piece_files(), prefix=name)


def test_the_valid_piece_and_formsets_pass(taxonomy):
    assert piece_form(taxonomy).is_valid()
    for name in PIECE_FORMSETS:
        assert formset(name, taxonomy).is_valid(), name


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"availability": "limited_edition"}, "edition_size", ERROR_EDITION_SIZE),
        ({"availability": "limited_edition", "edition_size": "1"}, "edition_size", ERROR_EDITION_SIZE),
        ({"edition_size": "20"}, "edition_size", ERROR_EDITION_SIZE_ONLY_LIMITED),
        ({"availability": "made_to_order"}, "lead_time_days", ERROR_LEAD_TIME),
        ({"availability": "made_to_order", "lead_time_days": "0"}, "lead_time_days", ERROR_LEAD_TIME),
        ({"made_by": "production_partner"}, "production_partner", ERROR_PARTNER_NAME),
        ({"made_by": "production_partner", "production_partner": "   "}, "production_partner", ERROR_PARTNER_NAME),
    ],
)
def test_each_rule_is_reported_beside_its_field(taxonomy, changes, field, message):
    form = piece_form(taxonomy, **changes)
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_costs_above_the_price_are_reported_beside_the_costs(taxonomy):
    form = piece_form(taxonomy, price="100", materials_cost="60", labor_cost="50")
    assert not form.is_valid()
    assert form.errors["labor_cost"] == [ERROR_COSTS_ABOVE_PRICE % {"total": 110}]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", "-1"),
        ("price", "99999999999"),
        ("price", "1e400"),
        ("price", "NaN"),
        ("price", "ten euros"),
        ("stock", "-3"),
        ("labor_hours", "-2"),
        ("labor_hours", "100000"),
        ("warranty_months", "99999999"),
        ("lead_time_days", "99999"),
        ("stock", "10000000"),
        ("materials_cost", "-5"),
        ("title", "x" * 151),
    ],
)
def test_negative_absurd_and_over_long_values_are_refused(taxonomy, field, value):
    form = piece_form(taxonomy, **{field: value})
    assert not form.is_valid()
    assert form.errors[field]


def test_a_step_by_a_partner_names_the_partner(taxonomy):
    steps = formset("steps", taxonomy, **{"steps-0-done": "by_partner"})
    assert not steps.is_valid()
    assert steps.forms[0].errors["partner_name"] == [ERROR_STEP_PARTNER]


def test_a_step_cannot_be_recorded_twice(taxonomy):
    steps = formset("steps", taxonomy, **{"steps-1-step": "fabrication"})
    assert not steps.is_valid()


def test_an_engraving_option_needs_a_limit_above_zero(taxonomy):
    for limit in ("", "0"):
        options = formset("options", taxonomy, **{"options-0-max_characters": limit})
        assert not options.is_valid()
        assert ERROR_ENGRAVING_LIMIT in options.forms[0].errors["max_characters"] or options.forms[0].errors


def test_every_photo_needs_alt_text_and_only_one_is_the_cover(taxonomy):
    photos = formset("photos", taxonomy, **{"photos-0-alt_text": ""})
    assert not photos.is_valid()
    assert photos.forms[0].errors["alt_text"]
    photos = formset("photos", taxonomy, **{"photos-1-is_cover": "on", "photos-1-is_process_photo": ""})
    assert not photos.is_valid()
    assert photos.non_form_errors() == [ERROR_ONE_COVER]


def test_every_field_of_the_piece_has_a_help_text_or_an_obvious_label():
    form = PieceForm()
    obvious = {"title", "category", "description", "price", "stock", "techniques", "traditions"}
    for name, field in form.fields.items():
        assert field.help_text or name in obvious, name


HOSTILE_IMG = "<img src=x onerror=alert(1)>"


def test_script_in_a_text_field_is_shown_escaped_in_the_studio(client, taxonomy):
    from django.urls import reverse

    from artisans.tests.factories import ArtisanFactory
    from catalog.models import Piece

    maker = ArtisanFactory()
    client.force_login(maker.user)
    client.post(
        reverse("studio:piece_create"),
        {
            **piece_data(**taxonomy, title="<script>alert('x')</script>", description=HOSTILE_IMG),
            **piece_files(),
        },
    )
    piece = Piece.objects.get()
    for url in (reverse("studio:piece_update", args=[piece.pk]), reverse("studio:dashboard")):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page
