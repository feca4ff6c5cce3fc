"""Sessions end at browser close and after 30 idle minutes for staff."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings as django_settings

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def test_the_session_cookie_ends_with_the_browser(client, citizen):
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    response = client.post(LOGIN, {"username": citizen.username, "password": PASSWORD})
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]


def test_staff_are_logged_out_after_30_idle_minutes(client, staff):
    with time_machine.travel(T0, tick=False) as traveller:
        client.post(LOGIN, {"username": staff.username, "password": PASSWORD})
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get("/office/").status_code == 200  # activity restarts the clock
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get("/office/").status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get("/office/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_idle_staff_session_is_refused_by_the_api_too(client, staff):
    with time_machine.travel(T0, tick=False) as traveller:
        client.post(LOGIN, {"username": staff.username, "password": PASSWORD})
        assert client.get("/api/v1/tasks/").status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        assert client.get("/api/v1/tasks/").status_code in (401, 403)


def test_citizens_have_a_longer_idle_time(client, citizen, settings):
    with time_machine.travel(T0, tick=False) as traveller:
        client.post(LOGIN, {"username": citizen.username, "password": PASSWORD})
        traveller.shift(dt.timedelta(minutes=31))
        assert client.get("/accounts/me/").status_code == 200
        traveller.shift(dt.timedelta(seconds=settings.CITIZEN_IDLE_TIMEOUT + 1))
        assert client.get("/accounts/me/").status_code == 302
