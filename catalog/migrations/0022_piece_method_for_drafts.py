# A draft may leave its production method empty (an import that did not state it); published needs one.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0021_import_attempts_trust_action"),
    ]

    operations = [
        migrations.AlterField(
            model_name="piece",
            name="production_method",
            field=models.CharField(
                blank=True,
                choices=[
                    ("handcrafted", "Handcrafted"),
                    ("hand_finished", "Hand-finished in small batches"),
                    ("mass_produced", "Mass-produced"),
                ],
                help_text="Handcrafted: Made by hand, one at a time, by the maker or their team. Hand-finished in small batches: Cast or stamped in small batches, then finished, set and polished by hand. Mass-produced: Made with molds and machines in large runs; few hands touch each piece.",
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="piece",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("production_method", ""), _negated=True),
                    ("status__in", ["draft", "archived"]),
                    _connector="OR",
                ),
                name="piece_method_unless_unpublished",
                violation_error_code="method_required",
                violation_error_message="Say how the piece is made before it is published.",
            ),
        ),
    ]
