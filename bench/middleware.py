"""
Tells the bench what a request cost in SQL: `X-Bench-Queries` (how many
queries), and, when asked with `X-Bench-Explain: 1`, `X-Bench-Seq-Scans` (how
many of those queries PostgreSQL plans with a sequential scan of the piece
table, from EXPLAIN). Only in the bench's settings.
"""

from django.db import connection

PIECE_TABLE = "catalog_piece"


def seq_scans(queries):
    """How many of the (sql, params) SELECTs PostgreSQL would run with a sequential scan of the piece table."""
    found = 0
    with connection.cursor() as cursor:
        for sql, params in queries:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            found += plan_scans_piece_table(plan)
    return found


def plan_scans_piece_table(plan):
    """Whether an EXPLAIN plan reads the whole piece table ("Seq Scan on catalog_piece", not a related table)."""
    return any(
        line.split("Seq Scan on ", 1)[1].split()[0] == PIECE_TABLE
        for line in plan.splitlines()
        if "Seq Scan on " in line
    )


def report_queries(get_response):
    def middleware(request):
        queries = []

        def record(execute, sql, params, many, context):
            queries.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            response = get_response(request)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        response["X-Bench-Queries"] = str(len(queries))
        if request.headers.get("X-Bench-Explain") == "1":
            response["X-Bench-Seq-Scans"] = str(seq_scans(queries))
        return response

    return middleware
