"""The client's address, as the trusted proxies in front of the app saw it.

``X-Forwarded-For`` is a list anyone can write: a client sends whatever it likes and each proxy
on the way appends the address it received the request from. Only the entries appended by our
own proxies can be believed, so the address is read from the right:

- ``TRUSTED_PROXIES`` (addresses or networks): when the direct peer (``REMOTE_ADDR``) is one of
  them, walk the list from the right past every trusted entry; the first other one is the
  client. A peer outside the list is the client itself, whatever the header says.
- otherwise ``TRUSTED_PROXY_COUNT`` = n: the n-th entry from the right is the address our
  outermost proxy received the request from. 0 (the default, the app published directly):
  ``REMOTE_ADDR``, the header is ignored.

Every throttle (``onestop.throttles``), the kiosk exemption of the progress query and the logs
ask :func:`client_ip`; nothing else reads ``REMOTE_ADDR`` or ``X-Forwarded-For``.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(value: str) -> str | None:
    """The normalised address in ``value``, or None when it is not one (a forged header may
    hold anything)."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.5:443"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[_Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def _trusted(address: str, networks: tuple[_Network, ...]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address (see the module docstring); ``"unknown"`` when there is none."""
    return _resolve(request.META)


def _resolve(meta) -> str:
    remote = _address(meta.get("REMOTE_ADDR", "") or "") or "unknown"
    forwarded = [
        part for part in (meta.get("HTTP_X_FORWARDED_FOR", "") or "").split(",") if part.strip()
    ]
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if networks:
        if remote == "unknown" or not _trusted(remote, networks):
            return remote
        for entry in reversed(forwarded):
            address = _address(entry)
            if address is None:
                return remote  # garbage past our proxies: fall back to the proxy itself
            if not _trusted(address, networks):
                return address
        return remote
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0 or not forwarded:
        return remote
    # The entry our outermost proxy appended; with fewer entries than proxies the request
    # skipped one, and the leftmost entry is the furthest any of ours saw.
    address = _address(forwarded[-min(count, len(forwarded))])
    return address or remote


class ClientAddressFilter:
    """A logging filter giving every record a ``client`` attribute: the trusted client address
    of the request it is about (Django's request loggers attach it), ``-`` otherwise."""

    def filter(self, record) -> bool:
        request = getattr(record, "request", None)
        meta = getattr(request, "META", None)
        record.client = _resolve(meta) if isinstance(meta, dict) else "-"
        return True


def client_ip_for_storage(request: HttpRequest) -> str:
    """``client_ip`` for a column of type inet (django-axes' records): the unspecified address
    ``0.0.0.0`` stands for "no address" (a request built in-process, without ``REMOTE_ADDR``)."""
    address = client_ip(request)
    # bandit B104: a value stored for 'no address', never bound to
    return "0.0.0.0" if address == "unknown" else address  # noqa: S104 - stored, never bound  # nosec B104
