"""The deployment checks of more than one node (onestop/scaleout.py): with PRODUCTION=true a
cache, broker or session store that one machine keeps to itself is reported."""

from __future__ import annotations

from onestop.scaleout import shared_state_in_production

REDIS = {"default": {"BACKEND": "onestop.cache.ResilientRedisCache", "LOCATION": "redis://x/1"}}
FILES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache"}}


def _ids(settings, **values) -> list[str]:
    settings.PRODUCTION = True
    settings.CACHES = REDIS
    settings.CELERY_BROKER_URL = "redis://x/1"
    for name, value in values.items():
        setattr(settings, name, value)
    return [issue.id for issue in shared_state_in_production()]


def test_redis_cache_and_broker_with_database_sessions_pass(settings):
    assert _ids(settings) == []


def test_a_node_local_cache_is_reported(settings):
    assert _ids(settings, CACHES=FILES) == ["onestop.W001"]
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert _ids(settings, CACHES=locmem) == ["onestop.W001"]


def test_a_file_system_broker_is_reported(settings):
    assert _ids(settings, CELERY_BROKER_URL="filesystem://") == ["onestop.W002"]


def test_sessions_on_one_node_are_reported(settings):
    assert _ids(settings, SESSION_ENGINE="django.contrib.sessions.backends.file") == [
        "onestop.W003"
    ]
    cached = "django.contrib.sessions.backends.cached_db"
    assert _ids(settings, SESSION_ENGINE=cached) == []  # on the shared Redis
    assert _ids(settings, SESSION_ENGINE=cached, CACHES=FILES) == ["onestop.W001", "onestop.W003"]


def test_the_demo_without_redis_is_not_reported(settings):
    settings.CACHES = FILES
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.PRODUCTION = False
    assert shared_state_in_production() == []


def test_the_check_is_registered_for_deployments():
    from django.core.checks.registry import registry

    assert shared_state_in_production in registry.get_checks(include_deployment_checks=True)
    assert shared_state_in_production not in registry.get_checks()
