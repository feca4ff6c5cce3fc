"""The public progress query's guards, shared by the page (``portal:track``) and the API
(``/api/v1/track/``).

Its only secret is the last four characters of an ID number (10,000 values) on sequential
case numbers, so two limits stand in front of the lookup:

- :class:`TrackThrottle`, per trusted client address (``onestop.clientip``); the service
  centre's kiosks (``TRACK_THROTTLE_EXEMPT_IPS``, matched on the same address) are exempt.
- a backoff per case number, whatever the address: after ``TRACK_BACKOFF_FREE_MISSES`` wrong
  check values on one number, each further miss makes the next query on that number wait
  twice as long (from 2 seconds up to ``TRACK_BACKOFF_MAX_SECONDS``). It never locks the
  number for longer than that cap, so nobody can lock every citizen out by guessing on every
  number; a right answer after the wait clears the count. The state lives in the shared cache
  (Redis in production), so every web node sees the same count.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from onestop.clientip import client_ip
from onestop.throttles import ClientAddressMixin

_MISSES = "track-miss:%s"
_WAIT = "track-wait:%s"


class TrackThrottle(ClientAddressMixin, SimpleRateThrottle):
    """Per trusted client address; the kiosks' addresses are exempt."""

    scope = "track"

    def allow_request(self, request, view):
        if client_ip(request) in exempt_addresses():
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def exempt_addresses() -> set[str]:
    """The kiosks' addresses, written as ``client_ip`` writes them (``2001:DB8::1`` matches
    ``2001:db8::1``)."""
    out = set()
    for entry in getattr(settings, "TRACK_THROTTLE_EXEMPT_IPS", []) or []:
        try:
            out.add(str(ipaddress.ip_address(entry.strip())))
        except ValueError:
            continue
    return out


@dataclass(frozen=True)
class TrackResult:
    """``application`` when found; ``retry_after`` (seconds) when the number is backing off."""

    application: object | None = None
    retry_after: int = 0


def _number_key(number: str) -> str:
    normalised = (number or "").strip().upper()
    return hashlib.sha256(normalised.encode("utf-8", "replace")).hexdigest()[:32]


def _window() -> int:
    return int(getattr(settings, "TRACK_BACKOFF_WINDOW_SECONDS", 86400))


def wait_seconds(number: str) -> int:
    """Seconds before the next query on ``number`` is looked up (0: now)."""
    until = cache.get(_WAIT % _number_key(number))
    if not until:
        return 0
    left = float(until) - time.time()
    return math.ceil(left) if left > 0 else 0


def record_miss(number: str) -> None:
    key = _number_key(number)
    cache.add(_MISSES % key, 0, timeout=_window())
    try:
        misses = cache.incr(_MISSES % key)
    except ValueError:  # expired between add and incr
        cache.set(_MISSES % key, 1, timeout=_window())
        misses = 1
    free = int(getattr(settings, "TRACK_BACKOFF_FREE_MISSES", 5))
    if misses <= free:
        return
    cap = int(getattr(settings, "TRACK_BACKOFF_MAX_SECONDS", 900))
    wait = min(cap, 2 ** min(misses - free, 20))
    cache.set(_WAIT % key, time.time() + wait, timeout=_window())


def clear(number: str) -> None:
    key = _number_key(number)
    cache.delete_many([_MISSES % key, _WAIT % key])


def track_lookup(*, number: str, id_last4: str | None, query_code: str | None) -> TrackResult:
    """The progress query behind the page and the API: the case, nothing, or a wait.

    While ``number`` backs off the lookup is not even tried (a right guess then would still
    tell the guesser it was right)."""
    from permits.selectors import application_track

    retry_after = wait_seconds(number)
    if retry_after:
        return TrackResult(retry_after=retry_after)
    app = application_track(number=number, id_last4=id_last4, query_code=query_code)
    if app is None:
        record_miss(number)
        return TrackResult()
    clear(number)
    return TrackResult(application=app)
