"""
A query the ORM writes once per process, run again with other values.

Django builds and compiles a queryset's SQL anew each time it runs it: some
0.4 ms for a query of one table, and 0.5 ms more to clone, filter and turn the
rows into instances, which is most of what loading one piece's page costs (8
such queries). `CompiledQuery` keeps what the ORM made of a queryset once (its
SQL and parameters, the converters of its columns, how a row becomes instances,
`select_related` included) and runs it with new values in place of markers: a
query then costs about 0.15 ms. The ORM still writes every query, so what it
returns is what the queryset returns (tests compare the two).

For querysets of model instances only: no annotation, `extra`, `values()` or
`prefetch_related`, which the instances would silently lack.
"""

from django.db import connections
from django.db.models.query import ModelIterable, get_related_populators


class CompiledQuery:
    """
    The queryset `make()` returns, whose filters take the marker values
    `markers` (each appearing once among its parameters: values no other
    parameter has, such as a negative id), compiled on first use;
    `run(*values)` returns its instances with `values` in the markers' places.
    """

    def __init__(self, make, *markers):
        self._make = make
        self._markers = markers
        self._compiled = None

    def run(self, *values):
        database, sql, params, positions, rows_to_instances = self._compiled or self._compile()
        params = list(params)
        for position, value in zip(positions, values, strict=True):
            params[position] = value
        with connections[database].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return rows_to_instances(rows)

    def _compile(self):
        queryset = self._make()
        query = queryset.query
        if (
            queryset._iterable_class is not ModelIterable
            or queryset._prefetch_related_lookups
            or query.annotation_select
            or query.extra_select
        ):
            raise ValueError("CompiledQuery runs querysets of plain model instances only.")
        compiler = query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        params = tuple(params)
        for marker in self._markers:
            if params.count(marker) != 1:
                raise ValueError(f"The marker {marker!r} must be among the query's parameters exactly once: {params}.")
        positions = [params.index(marker) for marker in self._markers]
        rows_to_instances = _instances_of(compiler, queryset.model, queryset.db)
        self._compiled = (queryset.db, sql, params, positions, rows_to_instances)
        return self._compiled


def _instances_of(compiler, model, database):
    """What Django's ModelIterable does with a compiled query's rows, set up once."""
    select, klass_info = compiler.select, compiler.klass_info
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    names = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, database)
    converters = list(compiler.get_converters([column[0] for column in select]).items())

    def rows_to_instances(rows):
        connection = connections[database]
        instances = []
        for row in rows:
            if converters:  # as SQLCompiler.apply_converters
                row = list(row)
                for position, (functions, expression) in converters:
                    for function in functions:
                        row[position] = function(row[position], expression, connection)
            instance = model.from_db(database, names, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            instances.append(instance)
        return instances

    return rows_to_instances
