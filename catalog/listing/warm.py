"""
What gunicorn's master makes before its workers fork (`when_ready`), so that
each worker starts with it, shared copy-on-write, instead of making its own
inside a shopper's first request:

- the listing's index with its search postings (seconds at 100,000 pieces,
  minutes at a million, against the request timeout);
- the catalog's words by length, which typos are corrected against
  (catalog.listing.reading), and the suggestions' table of options and
  makers (catalog.listing.suggest: at a million pieces, 25,000 makers);

then the master's garbage is collected and trimmed, and what is left is
frozen (`gc.freeze`): the workers' collector never walks those objects, so
the pages holding them stay shared instead of being copied into each worker
by the collector's writes. Without a database yet, the workers build what
they need when first asked.

A page of the master's memory stays shared only while no worker writes to
it, and a worker's allocations reuse the free space of the heap it was
forked with. So what the workers share is made apart from that heap: large
blocks in mappings of their own (marketplace.memory.keep_large_blocks_apart),
and the index built by a thread of the master's, whose allocations glibc
serves from an arena of that thread's own, which the workers' single thread
never allocates from. At 1,000,000 pieces this halves what each worker
copies of the master's pages (bench/README.md).

Part of the listing room, at the top of its flow beside its entry points: it reads the index and
the suggestions.
"""

import gc
import threading

from django.db import connections

from catalog.listing.index import current_index
from catalog.listing.suggest import warm_suggestions
from marketplace.memory import keep_large_blocks_apart, release_freed_memory


def build_before_fork(log):
    """Build the index and what search keeps beside it, in a thread of the master; then collect, trim and freeze."""
    keep_large_blocks_apart()
    builder = threading.Thread(target=_build, args=(log,), name="index-before-fork")
    builder.start()
    builder.join()
    connections.close_all()  # nor the main thread's, if the app's loading opened one
    gc.collect()
    release_freed_memory()
    gc.freeze()


def _build(log):
    try:
        index = current_index()
        index.search.spelled_by_length  # noqa: B018 (made now, shared by the workers)
        warm_suggestions(index)
    except Exception:
        log.exception("The listing's index was not built before the workers started")
    finally:
        connections.close_all()  # this thread's connections, never shared with the workers
