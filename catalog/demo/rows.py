"""
Inserting many plain rows fast.

bulk_create builds a model instance per row and compiles every value through
its field; for the million child rows of a 100,000-piece catalog that is most
of the run. The demo's child rows (steps, materials, photos, options and the
many-to-many links) need no ids back and no signals, so they are written
from dicts: with COPY on PostgreSQL (one stream per table, several times
faster than INSERT there) and with executemany elsewhere (SQLite's is already
fast). Columns a row leaves out get their field's default, so a field added
to a model later is filled as bulk_create would fill it.
"""

from django.db import connection
from django.utils import timezone

BATCH = 5000


def insert(model, rows):
    """Insert `rows` (dicts keyed by field attname: "piece_id", "weight"…) into `model`'s table."""
    if not rows:
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    names = [field.attname for field in fields]
    unknown = set(rows[0]) - set(names)
    if unknown:
        raise ValueError(f"{model.__name__} has no column for {sorted(unknown)}")
    defaults = {field.attname: default_value(field) for field in fields}
    values = (tuple(row.get(name, defaults[name]) for name in names) for row in rows)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        batch = []
        for row in values:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def default_value(field):
    """What bulk_create would store for a field the row does not mention."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return field.get_db_prep_save(timezone.now(), connection)
    return field.get_db_prep_save(field.get_default(), connection)
