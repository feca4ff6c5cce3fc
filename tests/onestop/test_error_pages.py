"""Issue 14 item 14: errors answer the site's own pages, never Django's debug pages, and a
refused request is one line in the log."""

import io
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from onestop.logfilters import ClientErrorsWithoutTraceback
from tests.departments.factories import UserFactory
from tests.production_env import PII_KEYS

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_log():
    """What the console handler would write for ``django.request``, through the project's
    configured filter."""
    assert "client_errors" in settings.LOGGING["handlers"]["console"]["filters"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    handler.addFilter(ClientErrorsWithoutTraceback())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def test_403_is_the_sites_page_and_one_log_line(client, settings, request_log):
    settings.DEBUG = False
    client.force_login(UserFactory())  # no staff role: the back office refuses
    response = client.get(reverse("workflow:home"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in html and "os-error-page" in html and "<footer" in html
    lines = request_log.getvalue().strip().splitlines()
    assert lines == ["WARNING django.request Forbidden (Permission denied): /office/"]


def test_a_server_error_keeps_its_traceback():
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", (), None)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    record.status_code = 500
    assert ClientErrorsWithoutTraceback().filter(record)
    assert record.exc_info is not None


def test_404_is_the_sites_page(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "os-error-page" in response.content.decode()


def test_csrf_failure_is_the_sites_403_page(settings):
    from django.test import Client

    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("portal:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权访问" in html and "os-error-page" in html


def test_production_refuses_debug(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        PRODUCTION="true",
        **PII_KEYS,
        DEBUG="true",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DEBUG must be false when PRODUCTION=true" in result.stderr
