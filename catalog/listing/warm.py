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

Part of the listing room, at the top of its flow beside its entry points: it reads the index and
the suggestions.
"""

import gc

from django.db import connections

from catalog.listing.index import current_index
from catalog.listing.suggest import warm_suggestions
from marketplace.memory import release_freed_memory


def build_before_fork(log):
    """Build the index and what search keeps beside it in the master; then collect, trim and freeze."""
    try:
        index = current_index()
        index.search.spelled_by_length  # noqa: B018 (made now, shared by the workers)
        warm_suggestions(index)
    except Exception:
        log.exception("The listing's index was not built before the workers started")
    finally:
        connections.close_all()  # never share the master's connections with the workers
    gc.collect()
    release_freed_memory()
    gc.freeze()
