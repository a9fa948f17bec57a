"""
A fixed-window counter in the Django cache, for the request and message limits.

`limit_hit` counts one attempt and raises `RateLimited` (with the moment the
window ends) past the limit; the views answer it with the friendly 429 page.
Use a shared cache (CACHE_URL) when the site runs several workers.
"""

import time

from django.core.cache import cache
from django.shortcuts import render


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def limit_hit(*, scope: str, key, limit: int, window: int) -> None:
    now = int(time.time())
    start = now - now % window
    cache_key = f"ratelimit:{scope}:{key}:{start}"
    cache.add(cache_key, 0, timeout=window + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=window + 5)
        count = 1
    if count > limit:
        raise RateLimited(retry_after=start + window - now)


def too_many_requests(request, error: RateLimited):
    response = render(request, "429.html", {"retry_after": error.retry_after}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response
