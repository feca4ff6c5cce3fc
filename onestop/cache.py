"""A Redis cache that degrades instead of failing (issue 12 item 4).

The cache holds only what can be lost: throttle histories, the tracking backoff, the SMS-reset
counters, the calendar's version stamp. With Redis down, Django's own ``RedisCache`` raises
``redis.ConnectionError`` from every ``get``, and every page or endpoint with a throttle answered
500. :class:`ResilientRedisCache` answers as an empty cache would instead: reads miss, writes
report failure, ``incr`` counts from zero. A throttle therefore *fails open* (it lets the
request through) and says so in the log (``onestop.cache``, one warning per outage window, not
one per request).

After a failure the backend does not try Redis again for ``RETRY_AFTER`` seconds (a small
circuit breaker), so an outage does not add a connect timeout to every request; the connect
and read timeouts themselves are short (``socket_connect_timeout``/``socket_timeout`` in
``CACHES["default"]["OPTIONS"]``, settings.py). ``degraded_since()`` tells ``/readyz``.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger("onestop.cache")

RETRY_AFTER = 5.0  # seconds without trying Redis after a failure

_lock = threading.Lock()
_down_since: float | None = None
_retry_at = 0.0


def degraded_since() -> float | None:
    """The ``time.time()`` of the first failure of the current outage, or None."""
    return _down_since


def _mark_down(exc: Exception) -> None:
    global _down_since, _retry_at
    with _lock:
        first = _down_since is None
        now = time.time()
        _down_since = _down_since or now
        _retry_at = time.monotonic() + RETRY_AFTER
    if first:
        logger.warning(
            "cache (Redis) unavailable, throttles fail open until it is back: %s",
            exc.__class__.__name__,
        )


def _mark_up() -> None:
    global _down_since
    if _down_since is not None:
        with _lock:
            was, _down_since = _down_since, None
        if was is not None:
            logger.warning("cache (Redis) is back after %.0f s", time.time() - was)


def _skipping() -> bool:
    return _down_since is not None and time.monotonic() < _retry_at


def reset_state() -> None:
    """Forget an outage (tests)."""
    global _down_since, _retry_at
    with _lock:
        _down_since, _retry_at = None, 0.0


class _ReusedClient(RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` (and its table of ~170 response callbacks)
    for every cache call; one per connection pool serves every call of the process instead (a
    ``redis.Redis`` is thread-safe, its pool hands out the connections). About a third of a
    cached public page's CPU time went there (issue 11 item 3)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class ResilientRedisCache(RedisCache):
    """``RedisCache`` whose operations never raise a Redis error: they answer as a miss."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _ReusedClient

    def _guard(self, call, fallback: Any) -> Any:
        if _skipping():
            return fallback
        try:
            result = call()
        except RedisError as exc:
            _mark_down(exc)
            return fallback
        _mark_up()
        return result

    def get(self, key, default=None, version=None):
        return self._guard(
            lambda: super(ResilientRedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False
        )

    def incr(self, key, delta=1, version=None):
        # As if the counter started at zero: a limit checked with ``incr(...) > limit`` stays open.
        return self._guard(
            lambda: super(ResilientRedisCache, self).incr(key, delta, version), delta
        )

    def delete(self, key, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def delete_many(self, keys, version=None):
        return self._guard(
            lambda: super(ResilientRedisCache, self).delete_many(keys, version), None
        )

    def clear(self):
        return self._guard(lambda: super(ResilientRedisCache, self).clear(), False)
