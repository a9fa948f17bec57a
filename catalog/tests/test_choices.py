"""Choice labels and explanations are written for shoppers and defined once."""

import pytest
from django.db import models

from artisans import choices as artisan_choices
from catalog import choices as catalog_choices


def all_choice_classes():
    for module in (artisan_choices, catalog_choices):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, models.TextChoices) and value is not models.TextChoices:
                yield value


@pytest.mark.parametrize("choices", list(all_choice_classes()), ids=lambda c: c.__name__)
def test_every_choice_has_a_label_and_a_one_sentence_explanation(choices):
    for member in choices:
        assert member.label and member.label != member.value
        assert str(member.explanation).endswith(".")
        assert str(member.explanation).count(". ") == 0, "one sentence"


def test_production_method_labels_are_the_shoppers_words():
    assert catalog_choices.ProductionMethod.HAND_FINISHED.label == "Hand-finished in small batches"
    assert catalog_choices.ProductionMethod.HANDCRAFTED.label == "Handcrafted"
    assert "molds and machines" in catalog_choices.ProductionMethod.MASS_PRODUCED.explanation


def test_field_help_lists_every_choice_with_its_explanation():
    help_text = catalog_choices.Availability.field_help()
    for member in catalog_choices.Availability:
        assert f"{member.label}: {member.explanation}" in help_text


def test_a_choice_without_explanation_is_refused_at_import():
    with pytest.raises(TypeError, match="missing \\['B'\\]"):

        @artisan_choices.explained(A="Explained.")
        class Incomplete(models.TextChoices):
            A = "a", "A"
            B = "b", "B"


def test_only_hand_and_hand_tool_steps_count_towards_the_maker_share():
    counted = {member for member in catalog_choices.StepDoneBy if member.is_makers_hand}
    assert counted == {catalog_choices.StepDoneBy.BY_HAND, catalog_choices.StepDoneBy.WITH_HAND_TOOLS}
