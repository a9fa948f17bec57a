"""The bench's own logic: reading wrk, spotting a sequential scan, keying databases, the baseline page."""

import os
from pathlib import Path

import pytest

from bench import database, run
from bench.middleware import plan_scans_piece_table
from bench.run import parse_wrk, to_ms

BENCH = Path(__file__).resolve().parent.parent
WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8041
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    10.62ms    3.01ms  41.20ms   80.00%
  Latency Distribution
     50%    9.94ms
     75%   11.80ms
     90%   14.10ms
     99%    1.20s 
  7512 requests in 10.01s, 230.10MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:    750.45
Transfer/sec:     22.99MB
"""


def test_wrk_output_gives_rate_latencies_and_errors():
    measure = parse_wrk(WRK_OUTPUT)
    assert measure.requests_per_second == 750.45
    assert measure.p50_ms == 9.94
    assert measure.p99_ms == 1200.0  # seconds, with wrk's trailing space
    assert measure.requests == 7512
    assert measure.errors == 4 + 3


@pytest.mark.parametrize(("text", "ms"), [("850.00us", 0.85), ("9.94ms", 9.94), ("2.00s", 2000.0), ("1.5m", 90000.0)])
def test_wrk_durations_in_milliseconds(text, ms):
    assert to_ms(text) == pytest.approx(ms)


def test_a_plan_that_reads_the_whole_piece_table_is_spotted():
    plan = """Limit  (cost=0.29..10.1 rows=24)
  ->  Nested Loop
        ->  Seq Scan on catalog_piece  (cost=0.00..4000.00 rows=100000)
        ->  Index Scan using artisans_artisan_pkey on artisans_artisan"""
    assert plan_scans_piece_table(plan)


@pytest.mark.parametrize(
    "plan",
    [
        "Index Scan using catalog_piece_pkey on catalog_piece  (cost=0.42..8.44 rows=1)",
        "Seq Scan on catalog_piecematerial  (cost=0.00..10.00 rows=2)",
        "Bitmap Heap Scan on catalog_piece\n  ->  Bitmap Index Scan on piece_search_vector_gin",
        "Seq Scan on catalog_piece_techniques  (cost=0.00..1.00 rows=1)",
    ],
)
def test_index_scans_and_scans_of_other_tables_are_not_counted(plan):
    assert not plan_scans_piece_table(plan)


def test_the_code_version_changes_with_any_file_of_the_seed(tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "rows.py").write_text("CHUNK = 1000\n")
    (tmp_path / "seed.py").write_text("PIECES = 600\n")
    sources = ["demo", "seed.py"]
    before = database.code_version(tmp_path, sources)
    assert database.code_version(tmp_path, sources) == before
    (tmp_path / "demo" / "more.py").write_text("STEPS = 3\n")
    after_new_file = database.code_version(tmp_path, sources)
    (tmp_path / "seed.py").write_text("PIECES = 700\n")
    assert len({before, after_new_file, database.code_version(tmp_path, sources)}) == 3


def test_database_names_are_keyed_by_size_and_version():
    assert database.database_name(100_000, "abc123") == "atelier_bench_100000_abc123"


@pytest.mark.django_db
def test_the_baseline_page_has_24_cards_and_the_options_asked_for(rf, settings, django_assert_num_queries):
    from bench import baseline

    # The template directory that bench.settings adds.
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], BENCH / "templates"]}]
    request = rf.get("/bench/baseline/")
    with django_assert_num_queries(0):
        response = baseline.baseline(request)
    body = response.content.decode()
    assert body.count('<article class="card">') == 24
    assert body.count('type="checkbox"') == baseline.OPTIONS


def test_a_workers_memory_is_its_resident_size_and_the_part_only_it_holds(monkeypatch):
    held = bytearray(64 * 1024 * 1024)  # written: private to this process
    held[::4096] = b"x" * len(held[::4096])
    monkeypatch.setattr(run, "workers", lambda server: [os.getpid()])
    [(resident, private)] = run.worker_rss_mb(server=None)
    assert resident >= private >= 64
