"""
Inserting many rows fast.

bulk_create builds an INSERT with a placeholder per value and compiles every
value through its field; for the 100,000 pieces and million child rows of a
large catalog that is most of the run. On PostgreSQL the demo writes with
COPY instead (one stream per table, several times faster than INSERT):

    insert(model, dicts)          plain child rows (steps, materials, links…) that need no id back
    insert_instances(model, objs) unsaved model instances (the pieces): their ids are
                                  taken from the table's sequence first, then the rows are copied

On SQLite (whose executemany is already fast) `insert` uses executemany and
`insert_instances` bulk_create. Nothing here sends signals. Columns a dict
leaves out get their field's default, so a field added to a model later is
filled as bulk_create would fill it.

Around a bulk load on PostgreSQL, the way pg_restore loads a dump:
`checked_at_the_end` drops the foreign keys of the tables being loaded and
adds them back afterwards (each constraint checked with one join instead of
a deferred trigger per row at commit), and `indexed_at_the_end` drops their
indexes and builds them again afterwards (one sort per index instead of an
insertion per row, and no index to update when the rows are updated).
"""

from contextlib import contextmanager

from django.db import connection, connections
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
    _write(model, fields, (tuple(row.get(name, defaults[name]) for name in names) for row in rows))


def insert_instances(model, instances, batch_size=1000):
    """Insert unsaved `instances` of `model` and set their primary keys, in order (ascending ids)."""
    if not instances:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(instances, batch_size=batch_size)
        return
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(instances)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
    for instance, pk in zip(instances, ids, strict=True):
        instance.pk = pk
        instance._state.adding = False
        instance._state.db = connection.alias
    fields = meta.concrete_fields
    # What bulk_create stores: pre_save fills auto_now dates, get_db_prep_save adapts the value.
    # (The connection itself, not django.db.connection: a proxy looked up on every one of millions of calls.)
    database = connections[connection.alias]
    _write(
        model,
        fields,
        (tuple(field.get_db_prep_save(field.pre_save(obj, True), database) for field in fields) for obj in instances),
    )


def _write(model, fields, values):
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


@contextmanager
def checked_at_the_end(models):
    """
    Load `models`' tables without a foreign-key check per row (PostgreSQL):
    their foreign keys are dropped for the block and added back after it,
    which checks every row at once. Inside a transaction; if the block
    fails, the rollback restores the constraints.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname",
            [tables],
        )
        constraints = cursor.fetchall()
        # A table with deferred checks still pending cannot be altered: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")


@contextmanager
def indexed_at_the_end(models):
    """
    Load `models`' tables without maintaining their indexes (PostgreSQL):
    those that back no constraint (primary and unique keys stay) are dropped
    for the block and built again after it. Inside a transaction, like
    `checked_at_the_end`.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT index.indexrelid::regclass::text, pg_get_indexdef(index.indexrelid) FROM pg_index index "
            "WHERE index.indrelid = ANY(%s::regclass[]) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = index.indexrelid) ORDER BY 1",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)
