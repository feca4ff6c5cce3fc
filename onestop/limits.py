"""Fixed-window counters for limits that are not DRF throttles (issue 12 item 5): registration
and ID-number look-ups, per trusted client address (``onestop.clientip``) and per ID number.

A counter lives in the cache for its window; the cache degrades instead of failing
(``onestop.cache``), so with Redis down a limit lets the request through (logged there). Keys
hold a keyed hash of the value, never the ID number itself. ``settings.LIMITS_NAMESPACE`` is
part of every key (the test suite gives each test its own).
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache


def _key(name: str, value: str, window: int) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{name}\x00{value}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    return f"limits:{getattr(settings, 'LIMITS_NAMESPACE', '')}:{name}:{window}:{digest}"


def hit(name: str, value: str, *, limit: int, window: int = 3600) -> bool:
    """Count one use of ``value`` under ``name``; True when it is over ``limit`` in the window."""
    if not value or limit <= 0:
        return False
    key = _key(name, value, window)
    cache.add(key, 0, timeout=window)
    return cache.incr(key) > limit


def over(checks: list[tuple[str, str, int]], *, window: int = 3600) -> bool:
    """Count each ``(name, value, limit)`` (all of them, so a blocked address still uses up the
    ID number's allowance and the other way round); True when any is over its limit."""
    results = [hit(name, value, limit=limit, window=window) for name, value, limit in checks]
    return any(results)
