"""The client's address, decided in one place.

Every throttle, lockout and log that keys on "who is asking" calls :func:`client_ip`. For now it
is the socket's peer (``REMOTE_ADDR``): a forged ``X-Forwarded-For`` changes nothing. The
trusted-proxy rule (issue 12, item 1) replaces the body of this function, not its callers.
"""

from __future__ import annotations

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 - a placeholder, never bound
