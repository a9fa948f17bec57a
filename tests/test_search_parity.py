"""
The same search on both databases (issue 22, item 4): SQLite, the embedded default a newcomer
runs, gives the same results as PostgreSQL for the same catalog.

The relevance runner (bench/search_relevance/run.py) is run in two processes at once: on SQLite
(a temporary file) and on PostgreSQL (a database of the test's own, dropped after), each on the
same generated demo catalog of 80 pieces, its photos drawn into a folder of its own. Each asks
the listing for the relevance set's queries and for 40 more made from the catalog's own words,
and writes every result. For every query, the count and the first page (its pieces, by slug:
the same piece whatever the database's sequences) must be the same on both.

It needs the local PostgreSQL server whatever DATABASE_URL says, so it is marked `postgres`: `make
test-postgres` runs it, `make test-sqlite` leaves it out. It takes about 25 s on this 2-core machine
(two catalogs seeded and drawn at once).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("SEARCH_PARITY_PG", "postgres://postgres@127.0.0.1:5432")
PIECES = 80
SEEDS = (7,)
CATALOG_QUERIES = 40
# The differing queries named in a failure's message.
SHOWN = 12

pytestmark = pytest.mark.postgres


def run_everywhere(folder):
    """Start the runner for every (database, seed); their result files by (database, seed)."""
    runs = {}
    for seed in SEEDS:
        for database in ("sqlite", "postgresql"):
            out = folder / f"{database}-{seed}.json"
            # Each run draws its catalog's photos into a folder of its own: two runs writing one file would race.
            env = {**os.environ, "MEDIA_ROOT": str(folder / f"media-{database}-{seed}")}
            env.pop("DATABASE_URL", None)
            if database == "postgresql":
                # The runner builds its catalog in test_<this name>, and drops it at the end.
                env["DATABASE_URL"] = f"{SERVER}/atelier_search_parity_{seed}_{os.getpid()}"
            command = [sys.executable, "-m", "bench.search_relevance.run", "--pieces", str(PIECES), "--seed", str(seed)]
            command += ["--catalog-queries", str(CATALOG_QUERIES), "--out", str(out)]
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            runs[database, seed] = (process, out)
    results = {}
    for key, (process, out) in runs.items():
        output = process.communicate(timeout=300)[0].decode()
        assert process.returncode == 0, f"The runner failed on {key}:\n{output}"
        results[key] = json.loads(out.read_text())
    return results


def answers(result):
    """{query: (count, first page's slugs)}, in the run's order."""
    return {row["query"]: (row["returned"], row["slugs"]) for row in result["queries"]}


def differences(sqlite, postgresql):
    lines = []
    for query, (count, slugs) in sqlite.items():
        other_count, other_slugs = postgresql[query]
        if (count, slugs) != (other_count, other_slugs):
            same = len(set(slugs) & set(other_slugs))
            lines.append(
                f"{query!r}: SQLite {count} (first page {len(slugs)}), PostgreSQL {other_count} "
                f"(first page {len(other_slugs)}), {same} pieces of the first pages in common"
            )
    return lines


def test_sqlite_and_postgresql_return_the_same_pieces_for_every_query(tmp_path):
    results = run_everywhere(tmp_path)
    report = []
    for seed in SEEDS:
        sqlite, postgresql = answers(results["sqlite", seed]), answers(results["postgresql", seed])
        assert list(sqlite) == list(postgresql), "The two runs asked different queries: the catalogs differ."
        assert len(sqlite) >= 150, "The relevance set and the catalog's words make at least 150 queries."
        found = differences(sqlite, postgresql)
        if found:
            report.append(f"seed {seed}: {len(found)} of {len(sqlite)} queries differ")
            report += ["  " + line for line in found[:SHOWN]]
    assert not report, "SQLite and PostgreSQL answer differently:\n" + "\n".join(report)
