"""
Media on S3-compatible object storage that an outage cannot turn into a 500, a half-saved
row or a worker stuck waiting.

`ResilientS3Storage` is django-storages' S3Storage with every call that goes to the
storage (save, open, delete, exists, size) turned into `StorageUnavailable` when it fails:
refused, timed out (botocore's `connect_timeout`, `read_timeout` and a single attempt, in
the storage's `client_config`: settings), or answered with an error. A failure also
opens a circuit breaker: for `COOLDOWN` seconds this worker's calls fail at once, without
waiting on the storage again; the first call after it tries the storage again.

`url()` needs no round trip (public objects, no signature: settings), and renditions are
made when their photo is saved (imagekit's Optimistic strategy), so pages keep rendering
while the storage is away; only uploads are refused.

An upload saves its row and its file in one transaction: a form that catches
`StorageUnavailable` outside that transaction shows `StorageUnavailable.message` and
nothing of it is saved; anything that does not catch it gets
`StorageUnavailableMiddleware`'s page (503), after ATOMIC_REQUESTS has rolled the
request's writes back. A photo stored before the storage failed on the next one stays
in the bucket with no row pointing at it: nothing shows it, and it costs only its bytes.
"""

import logging

from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage

from .breaker import CircuitBreaker

logger = logging.getLogger("atelier.storage")

# How long a worker refuses uploads at once, without trying the storage, after a call failed.
COOLDOWN = 10.0
# What boto3 raises when the storage cannot be reached, times out or answers with an error.
STORAGE_ERRORS = (BotoCoreError, ClientError)


class StorageUnavailable(Exception):
    """The photo storage could not be reached (or refused the call): nothing that needed it was done."""

    message = (
        "Your photos could not be stored just now, so nothing was saved. "
        "This usually passes within minutes: please send the form again a little later."
    )

    def __str__(self):
        return self.message


def _guarded(method):
    def call(self, *args, **kwargs):
        if self.breaker.is_open:
            raise StorageUnavailable
        try:
            result = method(self, *args, **kwargs)
        except STORAGE_ERRORS as error:
            self.breaker.opened(error)
            raise StorageUnavailable from error
        self.breaker.closed()
        return result

    call.__name__, call.__doc__ = method.__name__, method.__doc__
    return call


class ResilientS3Storage(S3Storage):
    """S3Storage whose storage calls raise `StorageUnavailable` on failure, behind a circuit breaker."""

    # One breaker for every instance in the worker: the storage is one service.
    breaker = CircuitBreaker(
        cooldown=lambda: COOLDOWN,
        logger=logger,
        down="The photo storage is unreachable (%s): uploads are refused.",
        back="The photo storage answers again: uploads are accepted again.",
    )

    save = _guarded(S3Storage.save)
    _open = _guarded(S3Storage._open)
    delete = _guarded(S3Storage.delete)
    exists = _guarded(S3Storage.exists)
    size = _guarded(S3Storage.size)
