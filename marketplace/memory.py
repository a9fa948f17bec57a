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


def release_if_grown():
    """
    After a request (gunicorn's post_request hook): trim when the RSS grew by
    TRIM_AFTER_GROWTH since the last trim, so that one large request does not
    leave its peak behind. Reading the RSS costs microseconds; trimming, rarely.
    """
    if _malloc_trim is not None and resident_bytes() - _trimmed_at > TRIM_AFTER_GROWTH:
        release_freed_memory()
