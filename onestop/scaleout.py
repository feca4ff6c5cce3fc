"""Deployment checks for running more than one node (issue 11 item 4, docs/scaling.md).

Nothing another web node or worker needs may live in one process's memory or on one
machine's disk. The settings keep it so when ``REDIS_URL`` is set (the cache and the broker are
Redis, sessions are in the database, files go through the storage API); without it they fall
back to the demo's per-machine cache folder and file-system broker, which a single demo box
is happy with and a second node would silently not share: each node would count its own
throttles and limits, keep its own public pages and catalogue stamp, and queue tasks no other
machine's worker sees. ``manage.py check --deploy`` warns about each of these with
``PRODUCTION=true`` (tests/onestop/test_deploy_check.py runs it with ``--fail-level WARNING``;
run it so before a deployment).

What the checks cannot see — that ``MEDIA_ROOT`` of ``FILE_STORAGE=local`` is one volume
mounted on every node, and that every node has the same ``SECRET_KEY``, ``PII_*_KEYS`` and
``AUDIT_CHAIN_KEY`` — docs/scaling.md lists for whoever deploys.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning, register

# Cache backends whose entries one process or one machine keeps to itself.
NODE_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.filebased.FileBasedCache",
    "django.core.cache.backends.dummy.DummyCache",
}
# Session engines whose sessions live on one machine (the database and signed cookies are
# shared by construction; the cache engines are as shared as their cache).
NODE_LOCAL_SESSIONS = {"django.contrib.sessions.backends.file"}
CACHE_SESSIONS = {
    "django.contrib.sessions.backends.cache",
    "django.contrib.sessions.backends.cached_db",
}
NODE_LOCAL_BROKERS = ("filesystem://", "memory://")


def _cache_is_node_local(alias: str) -> bool:
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    return backend in NODE_LOCAL_CACHES


@register(deploy=True)
def shared_state_in_production(app_configs=None, **kwargs):
    if not getattr(settings, "PRODUCTION", False):
        return []
    found = []
    if _cache_is_node_local("default"):
        found.append(
            Warning(
                f"The default cache is {settings.CACHES['default']['BACKEND']}: every node "
                "would keep its own throttles, registration and password-reset limits, "
                "tracking backoff, public pages and catalogue version stamp.",
                hint="Set REDIS_URL: one Redis shared by every web node and worker.",
                id="onestop.W001",
            )
        )
    broker = str(getattr(settings, "CELERY_BROKER_URL", "") or "")
    if broker.startswith(NODE_LOCAL_BROKERS):
        found.append(
            Warning(
                f"The Celery broker is {broker.split('//', 1)[0]}//: tasks queued on one "
                "machine are never seen by another machine's worker.",
                hint="Set REDIS_URL: the broker is then that Redis.",
                id="onestop.W002",
            )
        )
    engine = getattr(settings, "SESSION_ENGINE", "django.contrib.sessions.backends.db")
    alias = getattr(settings, "SESSION_CACHE_ALIAS", "default")
    if engine in NODE_LOCAL_SESSIONS or (engine in CACHE_SESSIONS and _cache_is_node_local(alias)):
        found.append(
            Warning(
                f"SESSION_ENGINE {engine} keeps sessions on one node: a visitor sent to "
                "another node is logged out.",
                hint="Keep Django's database sessions (the default) or a shared cache.",
                id="onestop.W003",
            )
        )
    return found
