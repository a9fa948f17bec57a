"""
Load: 32 shoppers at once for 60 seconds against `make serve` on PostgreSQL.

wrk, in a second process, sends a mixed workload (listings with filters,
searches, piece pages, comparisons); not one request may fail. The p99 is
recorded, not asserted: speed is the benchmarks' business (bench/).
"""

import subprocess

import pytest

from .servers import FIRST_PORT, prepare_database, serving, shopper_paths, write_paths, wrk_command, wrk_summary

pytestmark = pytest.mark.servers

LOAD_SECONDS = 60
CLIENTS = 32


@pytest.fixture(scope="module")
def site():
    prepare_database()
    with serving(FIRST_PORT) as (server,):
        yield server


def test_32_shoppers_for_60_seconds_get_no_error(site, tmp_path, hostile_figures):
    paths = write_paths(tmp_path / "paths.txt", shopper_paths())
    command, env = wrk_command(site.url, paths, seconds=LOAD_SECONDS, connections=CLIENTS)
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=LOAD_SECONDS + 60)
    assert result.returncode == 0, result.stderr
    summary = wrk_summary(result.stdout)
    hostile_figures("clients", CLIENTS)
    hostile_figures("requests", summary["requests"])
    hostile_figures("requests per second", round(summary["requests"] / (summary["duration_us"] / 1e6), 1))
    hostile_figures("errors", summary["socket_errors"] + summary["status_errors"])
    hostile_figures("p50 ms", summary["p50_ms"])
    hostile_figures("p99 ms", summary["p99_ms"])
    assert summary["requests"] > 0
    assert summary["statuses"] == {"200": summary["requests"]}, summary
    assert summary["socket_errors"] == 0 and summary["status_errors"] == 0, summary
    assert "Traceback" not in site.log()
