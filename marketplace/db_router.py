"""
Reads of public pages may go to a read-only replica; everything else uses the primary.

`ReplicaReadsMiddleware` marks a request as replica-readable when it is a GET or
HEAD of a view that runs outside ATOMIC_REQUESTS (the public pages, which only
read), and the visitor has not written anything lately (read-your-writes, below).
Even then a query inside a transaction reads the primary, so that a write path
never decides on a replica's possibly older rows. Without DATABASE_REPLICA_URL
there is no "replica" database and every read goes to the primary.

The replica is read only while it is fit to be (`replica_fit`), else the read
goes to the primary, within a bounded time:

- **down**: connecting to it is bounded by its connect timeout (settings), and a
  failure opens a circuit breaker: for `REPLICA_COOLDOWN` seconds this worker
  does not try it again, so later requests do not each wait; after the
  cool-down the next read tries it, and the first that connects closes the breaker.
- **lagging**: its replay lag (`replica_lag`, PostgreSQL's
  `pg_last_xact_replay_timestamp()`) is measured at most once every
  `REPLICA_LAG_CHECK_SECONDS`, and past `REPLICA_MAX_LAG` seconds it is skipped.
- **read-your-writes**: a request that wrote (a POST, or any write of a request
  other than a public page's bookkeeping) gives the visitor a signed cookie,
  `REPLICA_AFTER_WRITE_COOKIE`, valid for `REPLICA_AFTER_WRITE_SECONDS` (longer
  than the lag bound); while it is valid their reads go to the primary. A cookie
  rather than the session, so that it holds for visitors who have none and costs
  no session read.
"""

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connections, router

from .breaker import CircuitBreaker

REPLICA = "replica"
PRIMARY = "default"
REPLICA_AFTER_WRITE_COOKIE = "atelier_primary_reads"

logger = logging.getLogger("atelier.replica")

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)
# The current request's record of writes (a dict the middleware reads back), or None outside a request.
_writes: ContextVar[dict | None] = ContextVar("replica_writes", default=None)


@contextmanager
def replica_reads(allowed: bool = True):
    """
    Within this block, reads outside a transaction may go to the replica
    (`allowed=False`: not unless `allow_replica_reads()` is called inside it).
    """
    token = _replica_reads.set(allowed)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def allow_replica_reads() -> None:
    """From here to the end of the enclosing `replica_reads` block, reads may go to the replica."""
    _replica_reads.set(True)


@contextmanager
def writes_recorded():
    """Within this block, `db_for_write` notes that something was written; yields the record (`record["wrote"]`)."""
    record = {"wrote": False}
    token = _writes.set(record)
    try:
        yield record
    finally:
        _writes.reset(token)


# --- Is the replica fit to read? ---------------------------------------------------------------------------------

# PostgreSQL: 0 when this server is not a standby or has replayed all it received; else the age of the last
# transaction it replayed (NULL, read as "too far behind", when it has replayed none yet).
_LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
END
"""


def replica_lag(alias: str) -> float:
    """How many seconds the replica's data is behind the primary's (one query; 0 for a database that is no standby)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(_LAG_SQL)
        (lag,) = cursor.fetchone()
    return float("inf") if lag is None else float(lag)


class ReplicaHealth:
    """This worker's view of the replica: the circuit breaker and the last lag measured."""

    def __init__(self):
        self.breaker = CircuitBreaker(
            cooldown=lambda: settings.REPLICA_COOLDOWN,
            logger=logger,
            down="The replica is unreachable (%s): reading the primary.",
            back="The replica answers again: public pages read it again.",
        )
        self.lag = 0.0
        self.lag_measured_at = None

    def forget(self) -> None:
        """Back to a closed breaker and no measurement (tests)."""
        self.breaker.forget()
        self.lag, self.lag_measured_at = 0.0, None

    @property
    def breaker_open(self) -> bool:
        return self.breaker.is_open

    def fit(self, alias: str) -> bool:
        """Whether reads may go to the replica now: it connects (breaker closed) and is not too far behind."""
        if self.breaker.is_open:
            return False
        connection = connections[alias]
        try:
            # A kept connection that died is dropped (CONN_HEALTH_CHECKS) before it is trusted.
            connection.close_if_health_check_failed()
            connection.ensure_connection()
            now = time.monotonic()
            if self.lag_measured_at is None or now - self.lag_measured_at >= settings.REPLICA_LAG_CHECK_SECONDS:
                self._measured(replica_lag(alias), now)
        except DatabaseError as error:
            connection.close()
            self.lag_measured_at = None  # measured again as soon as it is back
            self.breaker.opened(error)
            return False
        self.breaker.closed()
        return self.lag <= settings.REPLICA_MAX_LAG

    def _measured(self, lag, now):
        bound = settings.REPLICA_MAX_LAG
        if (lag > bound) != (self.lag > bound):
            if lag > bound:
                logger.warning("The replica is %.1f s behind (more than %s s): reading the primary.", lag, bound)
            else:
                logger.warning("The replica has caught up (%.1f s behind): public pages read it again.", lag)
        self.lag, self.lag_measured_at = lag, now


replica_health = ReplicaHealth()


def replica_fit(alias: str = REPLICA) -> bool:
    return replica_health.fit(alias)


def replica_in_use() -> bool:
    """Whether the site's router reads a replica (DATABASE_REPLICA_URL is set)."""
    return any(getattr(each, "replica", None) for each in router.routers)


class PrimaryReplicaRouter:
    def __init__(self, replica: str | None = None):
        self.replica = replica or (REPLICA if REPLICA in settings.DATABASES else None)

    def db_for_read(self, model, **hints):
        if (
            self.replica
            and _replica_reads.get()
            and not connections[PRIMARY].in_atomic_block
            and replica_health.fit(self.replica)
        ):
            return self.replica
        return PRIMARY

    def db_for_write(self, model, **hints):
        if (record := _writes.get()) is not None:
            record["wrote"] = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
