"""DRF throttles keyed by the trusted client address (``onestop.clientip``).

DRF's own ``get_ident`` trusts ``X-Forwarded-For`` whole when ``NUM_PROXIES`` is unset, so a new
fake address per request was never throttled. Every throttle of the project derives from
:class:`ClientAddressMixin` (or one of the classes below); ``REST_FRAMEWORK["NUM_PROXIES"]`` is
set from ``TRUSTED_PROXY_COUNT`` as well, so even a plain DRF throttle would not trust a forged
header.
"""

from __future__ import annotations

from rest_framework import throttling

from onestop.clientip import client_ip


class ClientAddressMixin:
    """``get_ident`` is the trusted client address."""

    def get_ident(self, request) -> str:
        return client_ip(request)


class ScopedRateThrottle(ClientAddressMixin, throttling.ScopedRateThrottle):
    """Per view scope (``throttle_scope``) and client address."""


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientAddressMixin, throttling.UserRateThrottle):
    pass
