"""Shared fixtures and the suite's rules about the servers it needs.

App-specific factories and fixtures live in ``tests/<app>/factories.py`` and
``tests/<app>/conftest.py``; only project-wide basics belong here.

Servers: tests marked ``postgres`` need ``DATABASE_URL`` to point at PostgreSQL, tests marked
``redis`` need ``REDIS_URL`` to point at a Redis that answers. Without them those tests are
skipped and the run ends with a loud summary line; when the environment variable ``CI`` is set,
any such skip fails the run. A run that executes no test at all fails too.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

# Every skip added here starts with this text: the summary finds them by it, which also works
# under pytest-xdist, where the controller sees only the workers' reports.
SERVER_SKIP_PREFIX = "SERVER MISSING:"


@cache
def postgres_configured() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@cache
def redis_answers() -> bool:
    """True when settings.REDIS_URL is set and the server answers PING within two seconds."""
    from django.conf import settings

    if not settings.REDIS_URL:
        return False
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        return bool(client.ping())
    except redis.RedisError:
        return False


def xdist_worker_index() -> int:
    """0 outside pytest-xdist, else the worker's number (``gw3`` → 3)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0


@cache
def suite_redis_url() -> str:
    """The Redis database of this process's broker, cache and throttles: ``REDIS_URL``'s own
    database number plus the pytest-xdist worker's index (``-n 2`` on ``/9`` uses 9 and 10).
    Each engineer (worktree, CI) is given a database number of their own, so two suites never
    meet, and within a run no two xdist workers share page-cache versions, throttle counters or
    Celery queues. A real worker started by a test (tests/celery_worker.py) is given this URL,
    so it listens where this process publishes.

    Computed once, from the settings as loaded (test modules read it at collection time, before
    the session fixture below points ``settings.REDIS_URL`` at the result)."""
    from urllib.parse import urlsplit, urlunsplit

    from django.conf import settings

    parts = urlsplit(settings.REDIS_URL)
    base = int(parts.path.strip("/") or 0)
    db = base + xdist_worker_index()
    if db > 15:
        raise pytest.UsageError(
            f"REDIS_URL's database {base} plus the xdist worker index passes Redis's last "
            f"database (15): give the suite a lower database number or fewer workers"
        )
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, ""))


@pytest.fixture(scope="session", autouse=True)
def _suite_redis(tmp_path_factory):
    """Point the in-process Celery app, the cache, ``settings.REDIS_URL`` and the environment
    subprocesses inherit at this process's own Redis database (:func:`suite_redis_url`) before
    anything connects (the cache and Celery connect lazily, on first use), and empty it once:
    what an earlier run left there (page-cache versions, throttle counters, queued messages)
    must not decide this run's results.

    Without Redis the cache is the demo's file cache under ``var/``: each process gets an empty
    folder of its own instead, so xdist workers never clear or version each other's pages and
    a run never leaves pages in the demo's cache."""
    from django.conf import settings

    if not settings.REDIS_URL:
        if settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
            settings.CACHES["default"]["LOCATION"] = str(tmp_path_factory.mktemp("cache"))
        yield
        return
    from onestop.celery import app

    url = suite_redis_url()
    app.conf.broker_url = url
    settings.CELERY_BROKER_URL = url
    settings.REDIS_URL = url
    os.environ["REDIS_URL"] = url
    settings.CACHES["default"]["LOCATION"] = url
    settings.CACHES["default"]["KEY_PREFIX"] = os.environ.get("PYTEST_XDIST_WORKER", "")
    if redis_answers():
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).flushdb()
    yield


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_pg = pytest.mark.skip(
        reason=f"{SERVER_SKIP_PREFIX} PostgreSQL (DATABASE_URL is not a postgres:// URL)"
    )
    skip_redis = pytest.mark.skip(
        reason=f"{SERVER_SKIP_PREFIX} Redis (REDIS_URL unset or not answering)"
    )
    e2e_dir = Path(__file__).parent / "e2e"
    for item in items:
        if e2e_dir in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)
        if item.get_closest_marker("postgres") and not postgres_configured():
            item.add_marker(skip_pg)
        if item.get_closest_marker("redis") and not redis_answers():
            item.add_marker(skip_redis)
    # Browser journeys run last: fast feedback first, and the environment they need for
    # Playwright's event loop (tests/e2e/conftest.py) never leaks into the other tests.
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


def _server_skips(terminalreporter) -> list:
    skips = []
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        if SERVER_SKIP_PREFIX in reason:
            skips.append((report.nodeid, reason.split(SERVER_SKIP_PREFIX, 1)[1].strip()))
    return skips


def _executed_count(terminalreporter) -> int:
    return sum(
        1
        for key in ("passed", "failed", "error", "xfailed", "xpassed")
        for report in terminalreporter.stats.get(key, [])
        if getattr(report, "when", "call") == "call" or key == "error"
    )


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    skips = _server_skips(terminalreporter)
    if skips:
        servers = sorted({reason.split(" ", 1)[0] for _, reason in skips})
        line = (
            f"!!! {len(skips)} tests SKIPPED because {'/'.join(servers)} "
            f"is not configured: set DATABASE_URL=postgres://... and REDIS_URL=redis://... "
            f"to run them"
        )
        if os.environ.get("CI"):
            line += " — CI is set, so this run FAILS"
        terminalreporter.write_sep("!", "servers missing", red=True, bold=True)
        terminalreporter.write_line(line, red=True, bold=True)
        for nodeid, reason in skips[:20]:
            terminalreporter.write_line(f"    {nodeid}  ({reason})", red=True)
        if len(skips) > 20:
            terminalreporter.write_line(f"    ... and {len(skips) - 20} more", red=True)
    if (
        not hasattr(config, "workerinput")
        and not config.option.collectonly
        and _executed_count(terminalreporter) == 0
    ):
        terminalreporter.write_line(
            "!!! NO TEST WAS EXECUTED — this run counts as a failure", red=True, bold=True
        )


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput"):
        return  # the xdist controller decides
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    if session.config.option.collectonly or session.exitstatus in (
        pytest.ExitCode.INTERRUPTED,
        pytest.ExitCode.USAGE_ERROR,
    ):
        return
    if _executed_count(reporter) == 0 and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.NO_TESTS_COLLECTED
    if os.environ.get("CI") and _server_skips(reporter) and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- Generally useful fixtures -----------------------------------------------------------------


@pytest.fixture
def api_client():
    """A DRF ``APIClient``; call ``api_client.force_authenticate(user)`` to act as someone."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def zh_client(client):
    """The Django test client asking for Chinese, as a browser in mainland China does."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    return client


@pytest.fixture
def en_client(client):
    """The Django test client asking for English."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def celery_eager(settings):
    """Run Celery tasks inline (``.delay()`` executes at once) for in-process tests."""
    from onestop.celery import app

    # Read before the setting changes: Celery reads its configuration from Django's settings
    # lazily, so read after, "previous" was True and eager mode outlived the test.
    previous = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _own_limit_counters(settings, request):
    # onestop.limits counts in the shared cache for an hour: each test counts on its own.
    import uuid

    settings.LIMITS_NAMESPACE = uuid.uuid4().hex


@pytest.fixture(autouse=True)
def _fresh_public_pages():
    # The cached public pages (portal.pagecache) are keyed by the public pages' version stamp
    # in the shared cache; a test's rolled-back catalogue never commits, so each test starts with
    # a stamp of its own and never sees a page rendered from another test's rows.
    from permits.public_pages_version import new_version

    new_version()


@pytest.fixture(scope="session", autouse=True)
def _no_demo_history():
    # seed_demo's six months of cases (stats.demo_history) cost seconds per seed; the demo's
    # tests count the in-flight cases. Session-wide, so the module-scoped seeds see it too;
    # tests/statistics/test_demo_history.py turns it on through the ``settings`` fixture.
    from django.conf import settings

    saved = settings.DEMO_HISTORY_CASES
    settings.DEMO_HISTORY_CASES = 0
    yield
    settings.DEMO_HISTORY_CASES = saved


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2's production cost makes every test account take a second on these machines.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def private_redis():
    """A private ``redis-server`` on a spare port (not started: call ``.start()``), stopped
    after the test; never the shared one."""
    from tests.private_redis import PrivateRedis

    server = PrivateRedis()
    yield server
    server.stop()
