"""
Giving a process's freed memory back to the system.

glibc's malloc keeps the heap pages a program frees for its own later use, so
a worker that once needed a few hundred MB for a moment (the listing's index
being built, the guide's figures computed over the whole catalog) keeps them
in its RSS for good, though nothing uses them. `malloc_trim` hands them back.
Elsewhere than glibc (macOS, musl) these functions do nothing.
"""

import ctypes
import ctypes.util
import os
import sys

# A worker whose RSS grew by this much since it last trimmed trims after the request.
TRIM_AFTER_GROWTH = 16 * 2**20

_libc = ctypes.CDLL(ctypes.util.find_library("c")) if sys.platform == "linux" else None
_malloc_trim = getattr(_libc, "malloc_trim", None)
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_trimmed_at = 0  # this process's RSS after its last trim, in bytes

# mallopt's parameters (malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
# Blocks at least this large get a mapping of their own, given back whole when freed.
MMAP_THRESHOLD = 128 * 1024
# Free memory at the top of the heap above this is given back at once.
TRIM_THRESHOLD = 256 * 1024


def resident_bytes():
    """This process's RSS, as /proc/<pid>/status's VmRSS (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except OSError:
        return 0


def release_freed_memory():
    """Give the heap's free pages back to the system: a few ms, after work that freed a lot."""
    global _trimmed_at
    if _malloc_trim is not None:
        _malloc_trim(0)
        _trimmed_at = resident_bytes()


def keep_large_blocks_apart():
    """
    Give every block of MMAP_THRESHOLD or more a mapping of its own, for good.

    glibc starts with that threshold too, but raises it, up to 32 MB, each
    time such a block is freed: after the listing's index is built, large
    temporary blocks would be cut from the heap, where the pages they reuse
    hold, beside their free space, what the master made for its workers to
    share; each such page a worker writes is copied into that worker. Set
    once, the threshold stays: what gunicorn's master does before it builds
    the index and forks (catalog.listing.warm). A few µs more for each large
    block a request makes, which the bench's figures include.
    """
    if _libc is not None and hasattr(_libc, "mallopt"):
        _libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        _libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)


def release_if_grown():
    """
    After a request (gunicorn's post_request hook): trim when the RSS grew by
    TRIM_AFTER_GROWTH since the last trim, so that one large request does not
    leave its peak behind. Reading the RSS costs microseconds; trimming, rarely.
    """
    if _malloc_trim is not None and resident_bytes() - _trimmed_at > TRIM_AFTER_GROWTH:
        release_freed_memory()
