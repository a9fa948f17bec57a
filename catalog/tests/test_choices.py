"""Choice labels and explanations are written for shoppers and defined once."""

import pytest
from django.apps import apps
from django.db import models
from django.utils.functional import lazy

from artisans import choices as artisan_choices
from catalog import choices as catalog_choices
from marketplace.choice_labels import ChoiceLabels


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


def every_choice_field():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.choices and model.__module__.split(".")[0] in ("catalog", "artisans"):
                yield model, field


@pytest.mark.parametrize(("model", "field"), list(every_choice_field()), ids=lambda x: getattr(x, "name", None))
def test_every_label_shown_is_djangos_own(model, field):
    """`get_FOO_display` (marketplace.choice_labels) answers as Django's, unknown and empty values included."""
    assert issubclass(model, ChoiceLabels), f"{model.__name__} shows labels of choices: list ChoiceLabels first"
    for value in [*(value for value, _ in field.flatchoices), "no-such-value", None]:
        instance = model(**{field.attname: value})
        shown = getattr(instance, f"get_{field.name}_display")()
        assert shown == models.Model._get_FIELD_display(instance, field)


def test_a_label_is_read_again_at_each_call_in_the_active_language():
    """The table keeps the lazy labels: a translation is read when shown, not when the table was made."""
    word = ["Handcrafted"]
    field = models.CharField(choices=[("handcrafted", lazy(lambda: word[0], str)())])
    field.set_attributes_from_name("production_method")

    class Shown(ChoiceLabels):
        production_method = "handcrafted"

    assert Shown()._get_FIELD_display(field) == "Handcrafted"
    word[0] = "Fait main"  # what gettext_lazy gives once another language is active
    assert Shown()._get_FIELD_display(field) == "Fait main"
