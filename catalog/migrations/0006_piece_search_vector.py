"""
The stored search vector of pieces and its GIN index (PostgreSQL only), so
that `q` reads an index instead of computing every piece's vector.

Migration 0017 removes both: the listing's index matches words in memory, the
same on every database (catalog.listing.search). The vectors were filled here
once; they no longer are, since nothing reads them.
"""

from django.db import migrations

import django.contrib.postgres.search

GIN_INDEX = "piece_search_vector_gin"


def create_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON catalog_piece USING gin (search_vector)")


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_piece_view_days")]

    operations = [
        migrations.AddField(
            model_name="piece",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_gin_index, drop_gin_index),
    ]
