"""
Faults: Redis goes away in the middle of the shoppers' load, and comes back empty.

The site runs on a Redis of the test's own, so that it can be stopped. While it is
away, every page keeps answering 200 from the database and the listing's index
(marketplace.cache: cache errors read as misses behind a circuit breaker), and
`/healthz` says "degraded". When it comes back (empty, as Redis restarts here:
it keeps nothing on disk) the signed-in shopper is still signed in and their
compare tray still holds its piece (sessions are written to the database too),
and the breaker closes within seconds.
"""

import subprocess
import time

import pytest

from .servers import (
    FIRST_PORT,
    RedisServer,
    Visitor,
    prepare_database,
    serving,
    shopper_paths,
    write_paths,
    wrk_command,
    wrk_summary,
)
from .test_faults import Probe

pytestmark = pytest.mark.servers

LOAD_BEFORE, OUTAGE, WATCH_AFTER = 5, 15, 10  # seconds: 30 s of load with 32 clients


@pytest.fixture(scope="module")
def redis():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def site(redis):
    prepare_database()
    with serving(FIRST_PORT + 3, CACHE_URL=redis.url) as (server,):
        yield server


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def test_a_redis_outage_under_load_serves_every_page_keeps_sessions_and_recovers(
    site, redis, tmp_path, hostile_figures
):
    paths = shopper_paths()
    piece_page = next(path for path in paths if path.startswith("/pieces/") and path != "/pieces/" and "?" not in path)
    slug = piece_page.split("/")[2]
    shopper = Visitor(site.url, timeout=60)
    shopper.sign_in()
    assert shopper.post("/compare/toggle/", {"piece": slug}, page=piece_page).status == 302
    assert slug in shopper.get("/compare/").text

    command, env = wrk_command(
        site.url, write_paths(tmp_path / "paths.txt", paths), seconds=LOAD_BEFORE + OUTAGE + WATCH_AFTER
    )
    load = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # A filtered listing: facet counts, cards and the catalog's version all go through the cache.
    probe = Probe(site.url, "/pieces/?method=handcrafted&sort=price")
    probe.start()
    try:
        time.sleep(LOAD_BEFORE)
        redis.stop()
        down_at = time.monotonic()
        time.sleep(OUTAGE / 2)
        health_during = Visitor(site.url, timeout=60).get("/healthz")
        signed_in_during = shopper.get("/requests/")
        time.sleep(OUTAGE / 2)
        redis.start()
        back_at = time.monotonic()
        healthy_after = None
        while time.monotonic() - back_at < WATCH_AFTER:
            if healthy_after is None and '"status": "ok"' in Visitor(site.url).get("/healthz").text:
                healthy_after = time.monotonic() - back_at
            time.sleep(0.2)
    finally:
        probe.running = False
        probe.join()
        redis.stop()
        redis.start()  # never leave the module's site without its Redis
    output, _ = load.communicate(timeout=60)
    summary = wrk_summary(output)

    # While Redis was down: every page answered, none with an error.
    during = [(end - start, status) for start, end, status, _ in probe.seen if down_at < start <= end < back_at]
    assert during and {status for _, status in during} == {200}, during
    assert set(summary["statuses"]) == {"200"}, summary
    assert summary["socket_errors"] == 0, summary
    assert "Traceback" not in site.log()
    assert health_during.status == 200 and '"status": "degraded"' in health_during.text
    assert signed_in_during.status == 200  # sessions are read from the database meanwhile

    # Back: still signed in, the tray kept, and the breaker closed within 5 seconds.
    assert shopper.get("/requests/").status == 200
    assert slug in shopper.get("/compare/").text
    assert healthy_after is not None and healthy_after <= 5

    before = [end - start for start, end, _, _ in probe.seen if end < down_at]
    latencies = [seconds for seconds, _ in during]
    hostile_figures(
        "probe p50 / p99 before the outage (ms)",
        f"{percentile(before, 0.5) * 1000:.0f} / {percentile(before, 0.99) * 1000:.0f}",
    )
    hostile_figures("Redis outage seconds", round(back_at - down_at, 1))
    hostile_figures(
        "probe p50 / p99 during the outage (ms)",
        f"{percentile(latencies, 0.5) * 1000:.0f} / {percentile(latencies, 0.99) * 1000:.0f}",
    )
    hostile_figures("load requests, all 200", summary["statuses"].get("200", 0))
    hostile_figures("seconds until /healthz said ok after Redis was back", round(healthy_after, 2))
