"""Gunicorn settings shared by every production command (docker-compose.yml, the Dockerfile,
bench/http.py, the scale-out test's nodes): ``gunicorn --config=onestop/gunicorn_conf.py …``.
Command-line flags (bind, workers, timeout) stay where they are; this file holds the hooks.

Why ``post_worker_init`` freezes the garbage collector (issue 11, the workers' RSS growth):
every request leaves reference cycles behind (DRF's Request sits in its own parser context,
the view holds the request, the response's renderer context holds both), so the request's whole
graph — querysets, model instances, serializers — is freed by the cyclic collector, not by
reference counts. Objects still alive when a young collection runs mid-request are promoted to
the oldest generation, and CPython collects that generation only when the objects promoted
since its last run exceed a quarter of those that survived it. After loading Django, DRF and
drf-spectacular a worker holds ~340,000 long-lived objects, so that took ~2,700 items-API
requests (~30 MB of dead request graphs, ~11 KB a request) before the first full collection,
after which the freed memory stays fragmented in the worker.

``gc.freeze()`` moves the loaded application's objects into the permanent generation, which
the collector never scans again; the ``gc.collect()`` after it records how many objects
survive outside it (a few thousand), so from then on a full collection follows every ~150
requests and the dead graphs are reused instead of piling up. Measured calling the WSGI app
in one process, the items API 3,000 times after 50 warm-up calls: +19 MB before, +0.2 MB
after; bench/http.py --quick, each worker's growth over the second half: +3.7/+6.0 MB before,
+0.8/+0.4 and +0.4/+0.3 MB after. The frozen objects are never collected, which is what they
are meant to be: modules, classes, URL patterns, settings.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os

# Every this many requests a worker hands the memory its allocator holds free back to the
# system (glibc's ``malloc_trim(0)``, 1–3 ms; 0 turns it off). Why: what is left after
# ``gc.freeze()`` is the allocator's high-water mark — a request that needs more than usual
# (a larger page, a first use of a serializer) grows the heap, and glibc keeps the freed top
# of it, so the RSS steps up and never comes down although Python's live objects do not grow
# (bench/http.py at 1M: +2.4 MB in one worker's second half; in one process serving the items
# and applications APIs 2,000 times each on a million-case clone, the steady readings sit 1–2 MB
# lower with the trim). Not a leak fix: a leak would still show.
MALLOC_TRIM_EVERY = int(os.environ.get("GUNICORN_MALLOC_TRIM_EVERY", "200"))


def _libc_trim():
    """glibc's ``malloc_trim``, or None elsewhere (musl, macOS): then nothing is trimmed."""
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None
    if trim is not None:
        trim.argtypes = [ctypes.c_size_t]
        trim.restype = ctypes.c_int
    return trim


_trim = _libc_trim()
_served = 0


def post_worker_init(worker) -> None:
    """After the worker has imported the application: everything loaded so far is permanent,
    and the oldest generation's threshold is measured from what is left (see the docstring)."""
    gc.freeze()
    gc.collect()


def post_request(worker, req, environ, resp) -> None:
    """After each request: every ``MALLOC_TRIM_EVERY`` requests, the allocator's free memory
    goes back to the system (see ``MALLOC_TRIM_EVERY``)."""
    global _served  # noqa: PLW0603 - one counter per worker process
    _served += 1
    if _trim is not None and MALLOC_TRIM_EVERY > 0 and _served % MALLOC_TRIM_EVERY == 0:
        _trim(0)
