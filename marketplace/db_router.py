"""
Reads of public pages may go to a read-only replica; everything else uses the primary.

`ReplicaReadsMiddleware` marks a request as replica-readable when it is a GET or
HEAD of a view that runs outside ATOMIC_REQUESTS (the public pages, which only
read). Even then a query inside a transaction reads the primary, so that a
write path never decides on a replica's possibly older rows. Without
DATABASE_REPLICA_URL there is no "replica" database and every read goes to the
primary.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PRIMARY = "default"

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


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


class PrimaryReplicaRouter:
    def __init__(self, replica: str | None = None):
        self.replica = replica or (REPLICA if REPLICA in settings.DATABASES else None)

    def db_for_read(self, model, **hints):
        if self.replica and _replica_reads.get() and not connections[PRIMARY].in_atomic_block:
            return self.replica
        return PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
