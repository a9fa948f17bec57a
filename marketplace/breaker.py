"""
`CircuitBreaker`: how a worker stops waiting on a service that failed, and notices its return.

A call to the service that fails opens the breaker for a cool-down: until it ends, the
caller does without the service at once (reads from its own memory, the primary
database, a refusal with a message) instead of waiting on timeouts again. After the
cool-down the next call tries the service; the first that succeeds closes the breaker.
One breaker per service and worker: Redis (marketplace.cache), the replica
(marketplace.db_router), the object storage (marketplace.storage) and the mail server
(catalog.outbox). Each outage is logged once when it starts and once when it ends.
"""

import threading
import time


class CircuitBreaker:
    def __init__(self, *, cooldown, logger, down: str, back: str):
        """
        `cooldown`: seconds, or a function that gives them (read at each opening, so a setting or a
        module constant may change); `down` (with one `%s`, the error) and `back`: the log lines.
        """
        self._cooldown = cooldown
        self._logger = logger
        self._down, self._back = down, back
        self._lock = threading.Lock()
        self.open_until = None  # monotonic time until which calls do without the service; None: closed

    @property
    def is_open(self) -> bool:
        """True during the cool-down; after it, the next call tries the service again."""
        return self.open_until is not None and time.monotonic() < self.open_until

    def opened(self, error) -> bool:
        """A call failed: do without the service for the cool-down. True if this starts an outage."""
        cooldown = self._cooldown() if callable(self._cooldown) else self._cooldown
        with self._lock:
            first = self.open_until is None
            self.open_until = time.monotonic() + cooldown
        if first:
            self._logger.error(self._down, error)
        return first

    def closed(self) -> bool:
        """A call succeeded: True if this ends an outage."""
        if self.open_until is None:
            return False
        with self._lock:
            if self.open_until is None:
                return False
            self.open_until = None
        self._logger.warning(self._back)
        return True

    def forget(self) -> None:
        """Closed, with nothing logged (tests)."""
        self.open_until = None
