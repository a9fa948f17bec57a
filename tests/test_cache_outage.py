"""
A Redis outage, against a real Redis server of the test's own (marketplace.cache, catalog.versions).

Each test starts `redis-server` on a free port, points a `ResilientRedisCache` (or the
default cache) at it, stops it and starts it again: calls never raise and never wait
on the dead server past the breaker's first refusal, rate limits keep counting, the
catalog's version follows the database during the outage and passes it afterwards.
"""

import shutil
import time

import pytest
from django.core.cache import caches
from django.test import override_settings

from marketplace import cache as resilient
from marketplace.ratelimit import RateLimited, limit_hit
from tests.hostile.servers import RedisServer

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs Debian's redis-server")


def _settings(server):
    return {
        "BACKEND": "marketplace.cache.ResilientRedisCache",
        "LOCATION": server.url,
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.5},
    }


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def shared_cache(redis_server, monkeypatch):
    """The default cache, pointed at the test's own Redis, with a short cool-down."""
    monkeypatch.setattr(resilient, "COOLDOWN", 0.2)
    with override_settings(CACHES={"default": _settings(redis_server)}):
        caches["default"].clear()
        yield caches["default"]
        caches["default"].close()


def test_while_redis_answers_it_is_the_shared_cache(shared_cache):
    shared_cache.set("piece", "ring", timeout=60)
    assert shared_cache.get("piece") == "ring"
    assert not resilient.cache_degraded()
    assert resilient.redis_answers() is True


def test_an_outage_reads_as_misses_and_never_raises_nor_waits(shared_cache, redis_server):
    shared_cache.set("piece", "ring", timeout=60)
    redis_server.stop()

    started = time.monotonic()
    assert shared_cache.get("piece") is None  # the first call finds Redis gone and opens the breaker
    assert resilient.cache_degraded()
    for _ in range(200):  # then no call tries Redis until the cool-down is over
        shared_cache.set("card", "<article>", timeout=60)
        shared_cache.get_many(["card", "other"])
        shared_cache.delete("other")
        assert shared_cache.add("slot", 1) in (True, False)
    assert time.monotonic() - started < 1.0
    assert shared_cache.get("card") == "<article>"  # from the worker's own memory meanwhile
    assert resilient.redis_answers() is False


def test_the_breaker_closes_and_says_so_when_redis_is_back(shared_cache, redis_server):
    recovered = []
    resilient.cache_recovered.connect(lambda **kwargs: recovered.append(kwargs["cache"]), weak=False, dispatch_uid="t")
    try:
        redis_server.stop()
        assert shared_cache.get("piece") is None
        assert resilient.cache_degraded()
        redis_server.start()
        time.sleep(0.25)  # the cool-down
        shared_cache.set("piece", "ring", timeout=60)
        assert not resilient.cache_degraded()
        assert recovered == [shared_cache]
        assert shared_cache.get("piece") == "ring"
    finally:
        resilient.cache_recovered.disconnect(dispatch_uid="t")


def test_rate_limits_keep_counting_in_the_workers_memory_during_an_outage(shared_cache, redis_server):
    redis_server.stop()
    for _ in range(3):
        limit_hit(scope="test", key="shopper-1", limit=3, window=60)
    with pytest.raises(RateLimited):
        limit_hit(scope="test", key="shopper-1", limit=3, window=60)


@pytest.mark.django_db
def test_the_catalogs_version_follows_the_database_during_an_outage_and_passes_it_after(
    shared_cache, redis_server, monkeypatch
):
    from catalog import versions
    from catalog.tests.factories import PieceFactory

    monkeypatch.setattr(versions, "_outage", versions._Outage())
    monkeypatch.setattr(versions._Outage, "REFRESH", 0.0)
    piece = PieceFactory()
    before = versions.catalog_version()

    redis_server.stop()
    shared_cache.get("anything")  # the outage is found
    during = versions.catalog_version()
    assert during >= before  # never behind what the worker served before
    piece.title = "Hammered ring, renamed while Redis is down"
    piece.save()  # the bump cannot reach Redis
    after_write = versions.catalog_version()
    assert after_write > during  # the write is seen all the same: the listing does not freeze

    redis_server.start()  # an empty Redis, as after a restart
    time.sleep(0.25)
    recovered = versions.catalog_version()
    assert not resilient.cache_degraded()
    assert recovered > after_write  # past everything served meanwhile: every worker rebuilds once
    assert versions.catalog_changes(after_write, recovered).everything
