"""
The shared cache (Redis) that a Redis outage does not take the site down with.

`ResilientRedisCache` is django-redis's cache behind a circuit breaker. While
Redis answers, it is the plain shared cache. When a call fails to reach it
(refused, reset, timed out: the socket timeouts in settings bound the wait),
the breaker opens for `COOLDOWN` seconds, and until then every call goes
to this worker's own memory (a small `LocMemCache`) without trying Redis:
cached pages and fragments read as misses and are rendered from the database
and the listing's index, rate limits keep counting (per worker), and no
request waits on a dead server. After the cool-down the next call tries Redis
again; the first that succeeds closes the breaker and sends `cache_recovered`,
so that what was kept in Redis while this worker could not write there (the
catalog's version: catalog.versions) can be brought level.

`cache_degraded()` says whether the default cache is serving from the
worker's memory; `redis_answers()` asks Redis itself, for `/healthz`.
"""

import functools
import logging

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.dispatch import Signal
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .breaker import CircuitBreaker

logger = logging.getLogger("atelier.cache")

# How long a worker serves from its own memory before it tries Redis again.
COOLDOWN = 2.0
UNREACHABLE = (ConnectionInterrupted, RedisConnectionError, RedisTimeoutError, OSError)

# Sent (by the worker whose call found Redis back) when the breaker closes after an outage.
cache_recovered = Signal()


def _guarded(name):
    def call(self, *args, **kwargs):
        if self.breaker.is_open:
            return getattr(self.fallback, name)(*args, **kwargs)
        try:
            result = getattr(RedisCache, name)(self, *args, **kwargs)
        except UNREACHABLE as error:
            self.breaker.opened(error)
            return getattr(self.fallback, name)(*args, **kwargs)
        if self.breaker.closed():
            cache_recovered.send(sender=type(self), cache=self)
        return result

    return functools.update_wrapper(call, getattr(RedisCache, name))


class ResilientRedisCache(RedisCache):
    """django-redis's cache; on an outage, the worker's own memory for `COOLDOWN` seconds at a time."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self.fallback = LocMemCache(f"atelier-fallback-{id(self)}", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
        self.breaker = CircuitBreaker(
            cooldown=lambda: COOLDOWN,
            logger=logger,
            down="Redis is unreachable (%s): serving from this worker's memory.",
            back="Redis answers again: the shared cache is back.",
        )

    @property
    def degraded(self) -> bool:
        """True while calls skip Redis (the cool-down); after it, the next call tries Redis again."""
        return self.breaker.is_open

    def answers(self) -> bool:
        """Ask Redis itself, whatever the breaker says (for `/healthz`)."""
        try:
            return bool(self.client.get_client(write=True).ping())
        except UNREACHABLE:
            return False

    add = _guarded("add")
    get = _guarded("get")
    get_many = _guarded("get_many")
    set = _guarded("set")
    set_many = _guarded("set_many")
    delete = _guarded("delete")
    delete_many = _guarded("delete_many")
    incr = _guarded("incr")
    decr = _guarded("decr")
    has_key = _guarded("has_key")
    touch = _guarded("touch")
    clear = _guarded("clear")


def cache_degraded() -> bool:
    """True while the default cache serves from this worker's memory because Redis is unreachable."""
    return getattr(cache, "degraded", False)


def redis_answers() -> bool | None:
    """Whether Redis answers a ping now; None when the default cache is not Redis."""
    answers = getattr(cache, "answers", None)
    return None if answers is None else answers()
