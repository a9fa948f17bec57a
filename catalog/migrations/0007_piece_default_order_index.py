"""
An index in the pieces' default order (newest first, unpublished last), so
that a page of the admin's list of 100,000 pieces is read from the index
instead of sorting the table. PostgreSQL only: SQLite has no NULLS LAST index.
"""

from django.db import migrations

INDEX = "piece_default_order"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalog_piece (published_at DESC NULLS LAST, id DESC)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_piece_search_vector")]

    operations = [migrations.RunPython(create_index, drop_index)]
