"""The public kiosk's and hall display's limits per trusted client address
(``onestop.clientip``): the centre's own kiosks and displays (``CENTRES_KIOSK_IPS``, and the
progress query's kiosks ``TRACK_THROTTLE_EXEMPT_IPS``) are exempt. Counts live in the shared
cache, per address and clock hour."""

from __future__ import annotations

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from onestop.clientip import client_ip


def exempt_addresses() -> set[str]:
    out = set()
    for entry in [
        *(getattr(settings, "CENTRES_KIOSK_IPS", []) or []),
        *(getattr(settings, "TRACK_THROTTLE_EXEMPT_IPS", []) or []),
    ]:
        try:
            out.add(str(ipaddress.ip_address(entry.strip())))
        except ValueError:
            continue
    return out


def is_kiosk(request: HttpRequest) -> bool:
    return client_ip(request) in exempt_addresses()


def allow(request: HttpRequest, *, scope: str, per_hour: int) -> bool:
    """Count one request of ``scope`` from the client's address; False once over the limit."""
    if is_kiosk(request):
        return True
    key = f"centres-{scope}:{client_ip(request)}:{int(time.time() // 3600)}"
    if cache.add(key, 1, timeout=3600):
        return per_hour >= 1
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)
        count = 1
    return count <= per_hour
