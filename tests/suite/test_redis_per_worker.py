"""Each pytest-xdist worker has a Redis database of its own (tests/conftest.py): REDIS_URL's
database plus the worker's index, for the cache, the throttles and the Celery broker alike, so
parallel workers never share page-cache versions or counters, and a real Celery worker started
on ``suite_redis_url()`` listens where this process publishes."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.conftest import suite_redis_url, xdist_worker_index


@pytest.mark.parametrize(
    ("url", "worker", "expected"),
    [
        ("redis://127.0.0.1:6379/9", "", "redis://127.0.0.1:6379/9"),
        ("redis://127.0.0.1:6379/9", "gw0", "redis://127.0.0.1:6379/9"),
        ("redis://127.0.0.1:6379/9", "gw1", "redis://127.0.0.1:6379/10"),
        ("redis://127.0.0.1:6379", "gw3", "redis://127.0.0.1:6379/3"),
    ],
)
def test_the_database_is_the_base_plus_the_worker_index(
    settings, monkeypatch, url, worker, expected
):
    settings.REDIS_URL = url
    monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)

    assert suite_redis_url.__wrapped__() == expected


def test_a_database_past_redis_last_one_is_refused(settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:6379/14"
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw2")

    with pytest.raises(pytest.UsageError):
        suite_redis_url.__wrapped__()


@pytest.mark.redis
def test_cache_broker_and_settings_use_this_workers_database():
    import redis
    from django.conf import settings
    from django.core.cache import cache

    from onestop.celery import app

    url = suite_redis_url()
    base = int(os.environ["REDIS_URL"].rsplit("/", 1)[1])
    assert url.endswith(f"/{base}")  # the environment subprocesses inherit is the worker's
    assert (
        settings.REDIS_URL == app.conf.broker_url == settings.CACHES["default"]["LOCATION"] == url
    )
    assert os.environ.get("PYTEST_XDIST_WORKER", "gw0") == f"gw{xdist_worker_index()}"

    key = f"which-db-{uuid.uuid4().hex}"
    cache.set(key, "here", 30)
    mine = redis.Redis.from_url(url)
    try:
        assert any(key in k.decode() for k in mine.scan_iter(match=f"*{key}*"))
        # A neighbouring worker's database does not hold it.
        db = int(url.rsplit("/", 1)[1])
        other = redis.Redis.from_url(url.rsplit("/", 1)[0] + f"/{(db + 1) % 16}")
        assert not list(other.scan_iter(match=f"*{key}*"))
    finally:
        cache.delete(key)
