"""Two-factor login (django-otp): required for staff, opt-in for citizens, off only outside
production."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings as django_settings
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from logins.models import ApiToken
from logins.services import second_factor_confirm, token_issue, totp_device_for_enrolment
from tests.departments.factories import UserFactory
from tests.production_env import PII_KEYS

from .conftest import PASSWORD, code_for

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TWO_FACTOR = "/accounts/two-factor/"
TOKEN = "/api/v1/auth/token/"
T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = totp_device_for_enrolment(user=user)
    codes = second_factor_confirm(user=user, device=device, token=code_for(device))
    device.refresh_from_db()
    return device, codes


class TestStaffMustShowASecondFactor:
    def test_password_alone_reaches_neither_office_nor_admin_nor_the_api(
        self, client, staff, two_factor_on
    ):
        staff.is_staff = True
        staff.save()
        response = client.post(LOGIN, {"username": staff.username, "password": PASSWORD})
        assert response.status_code == 302

        for path in ("/office/", "/admin/"):
            blocked = client.get(path)
            assert blocked.status_code == 302, path
            assert blocked["Location"].startswith(TWO_FACTOR), path
        api = client.get("/api/v1/tasks/")
        assert api.status_code == 403
        assert api.json()["code"] == "second_factor_required"
        unsafe = client.post(
            "/api/v1/applications/", {"item": "x"}, content_type="application/json"
        )
        assert unsafe.status_code == 403

    def test_first_login_enrols_with_a_local_qr_code_then_the_office_opens(
        self, client, staff, two_factor_on
    ):
        client.post(LOGIN, {"username": staff.username, "password": PASSWORD})
        page = client.get(TWO_FACTOR, {"next": "/office/"})
        html = page.content.decode()
        assert page.status_code == 200
        assert "<svg" in html  # drawn on the server: no QR service sees the secret
        assert "chart.googleapis" not in html and "<img" not in html.split("os-qr", 1)[1][:200]
        assert "不是现在" not in html and "Not now" not in html  # staff cannot skip it

        device = TOTPDevice.objects.get(user=staff, confirmed=False)
        done = client.post(TWO_FACTOR, {"code": code_for(device), "next": "/office/"})
        assert done.status_code == 200
        assert len(done.context["codes"]) == 10  # recovery codes, shown once
        assert client.get("/office/").status_code == 200
        assert client.get("/api/v1/tasks/").status_code == 200

    def test_a_wrong_enrolment_code_is_refused(self, client, staff, two_factor_on):
        client.post(LOGIN, {"username": staff.username, "password": PASSWORD})
        client.get(TWO_FACTOR)
        response = client.post(TWO_FACTOR, {"code": "000000"})
        assert response.status_code == 400
        assert client.get("/office/").status_code == 302

    def test_next_login_asks_for_the_code(self, client, staff, two_factor_on):
        with time_machine.travel(T0, tick=False) as traveller:
            device, _codes = enrolled(staff)
            traveller.shift(dt.timedelta(minutes=1))
            client.post(LOGIN, {"username": staff.username, "password": PASSWORD})
            assert client.get("/office/")["Location"].startswith(TWO_FACTOR)
            assert client.post(TWO_FACTOR, {"code": "123456"}).status_code == 400
            # django-otp throttles a device after a wrong code (1 s, then doubling)
            assert client.post(TWO_FACTOR, {"code": code_for(device)}).status_code == 400
            traveller.shift(dt.timedelta(seconds=2))
            ok = client.post(TWO_FACTOR, {"code": code_for(device), "next": "/office/"})
            assert ok.status_code == 302 and ok["Location"] == "/office/"
            assert client.get("/office/").status_code == 200

    def test_a_recovery_code_works_once(self, client, staff, two_factor_on):
        _device, codes = enrolled(staff)
        client.post(LOGIN, {"username": staff.username, "password": PASSWORD})
        assert client.post(TWO_FACTOR, {"code": codes[0]}).status_code == 302
        assert not StaticToken.objects.filter(token=codes[0]).exists()

        other = type(client)()
        other.post(LOGIN, {"username": staff.username, "password": PASSWORD})
        assert other.post(TWO_FACTOR, {"code": codes[0]}).status_code == 400

    def test_wrong_codes_count_towards_the_lockout(self, client, staff, two_factor_on):
        enrolled(staff)
        client.post(LOGIN, {"username": staff.username, "password": PASSWORD})
        for _ in range(5):
            client.post(TWO_FACTOR, {"code": "999999"})
        # locked out: logged out, and the password alone no longer gets in
        fresh = type(client)()
        response = fresh.post(LOGIN, {"username": staff.username, "password": PASSWORD})
        assert response.status_code == 429

    def test_superusers_need_it_too(self, client, two_factor_on):
        admin = UserFactory(is_staff=True, is_superuser=True)
        client.post("/admin/login/", {"username": admin.username, "password": PASSWORD})
        response = client.get("/admin/")
        assert response.status_code == 302 and response["Location"].startswith(TWO_FACTOR)

    def test_staff_cannot_turn_it_off(self, client, staff, two_factor_on):
        device, _codes = enrolled(staff)
        client.force_login(staff)
        client.post(LOGIN)  # no-op; the session is logged in but not verified
        client.post(TWO_FACTOR, {"code": code_for(device)})
        client.post("/accounts/two-factor/off/")
        assert TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


class TestTokens:
    def test_staff_token_needs_the_code(self, staff, two_factor_on):
        with time_machine.travel(T0, tick=False) as traveller:
            device, _codes = enrolled(staff)
            traveller.shift(dt.timedelta(minutes=1))
            api = APIClient()
            missing = api.post(
                TOKEN, {"username": staff.username, "password": PASSWORD}, format="json"
            )
            assert missing.status_code == 400 and "otp" in missing.json()["fields"]
            ok = api.post(
                TOKEN,
                {"username": staff.username, "password": PASSWORD, "otp": code_for(device)},
                format="json",
            )
            assert ok.status_code == 200
            api.credentials(HTTP_AUTHORIZATION=f"Token {ok.json()['token']}")
            assert api.get("/api/v1/tasks/").status_code == 200
            assert ApiToken.objects.get().second_factor

    def test_staff_without_a_device_is_sent_to_enrol_first(self, staff, two_factor_on):
        response = APIClient().post(
            TOKEN, {"username": staff.username, "password": PASSWORD}, format="json"
        )
        assert response.status_code == 400 and "otp" in response.json()["fields"]

    def test_a_token_issued_without_the_second_factor_stops_working(self, staff, settings):
        _token, key = token_issue(user=staff, second_factor=False)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert api.get("/api/v1/tasks/").status_code == 200
        settings.TWO_FACTOR_REQUIRED = True
        assert api.get("/api/v1/tasks/").status_code == 401

    def test_enrolling_revokes_tokens_made_without_it(self, citizen):
        token, _key = token_issue(user=citizen, second_factor=False)
        enrolled(citizen)
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert not ApiToken.objects.live().filter(user=citizen).exists()


class TestCitizens:
    def test_not_asked_by_default(self, client, citizen, two_factor_on):
        client.post(LOGIN, {"username": citizen.username, "password": PASSWORD})
        page = client.get("/accounts/me/")
        assert page.status_code == 200
        assert TWO_FACTOR in page.content.decode()  # the opt-in link

    def test_opt_in_then_asked_at_every_login_and_may_turn_it_off(self, client, citizen):
        with time_machine.travel(T0, tick=False) as traveller:
            client.post(LOGIN, {"username": citizen.username, "password": PASSWORD})
            setup = client.get(TWO_FACTOR)
            assert "<svg" in setup.content.decode()
            device = TOTPDevice.objects.get(user=citizen)
            assert client.post(TWO_FACTOR, {"code": code_for(device)}).status_code == 200
            client.post("/accounts/logout/")

            traveller.shift(dt.timedelta(minutes=1))
            client.post(LOGIN, {"username": citizen.username, "password": PASSWORD})
            assert client.get("/accounts/me/")["Location"].startswith(TWO_FACTOR)
            assert client.post(TWO_FACTOR, {"code": code_for(device)}).status_code == 302
            assert client.get("/accounts/me/").status_code == 200

            client.post("/accounts/two-factor/off/")
        assert not TOTPDevice.objects.filter(user=citizen).exists()

    def test_new_recovery_codes(self, client, citizen):
        with time_machine.travel(T0, tick=False) as traveller:
            device, old = enrolled(citizen)
            traveller.shift(dt.timedelta(minutes=1))
            client.post(LOGIN, {"username": citizen.username, "password": PASSWORD})
            client.post(TWO_FACTOR, {"code": code_for(device)})
            response = client.post("/accounts/two-factor/recovery-codes/")
        new = response.context["codes"]
        assert len(new) == 10 and not set(new) & set(old)
        assert not StaticToken.objects.filter(token__in=old).exists()


def _manage_check(tmp_path, **env_over) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        PRODUCTION="true",
        **PII_KEYS,
        SECRET_KEY="x" * 60,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        ALLOWED_HOSTS="example.gov.cn",
        **env_over,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_with_the_second_factor_off(tmp_path):
    result = _manage_check(tmp_path, TWO_FACTOR_REQUIRED="false")
    assert result.returncode != 0
    assert "TWO_FACTOR_REQUIRED cannot be off" in result.stderr


def test_production_requires_it_by_default(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        PRODUCTION="true",
        **PII_KEYS,
        SECRET_KEY="x" * 60,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        ALLOWED_HOSTS="example.gov.cn",
    )
    env.pop("TWO_FACTOR_REQUIRED", None)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.TWO_FACTOR_REQUIRED)",
        ],
        cwd=django_settings.BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "onestop.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "True", result.stderr


def test_the_deploy_check_flags_it_off(settings):
    from logins.checks import second_factor_required_in_production

    settings.PRODUCTION = True
    settings.TWO_FACTOR_REQUIRED = False
    assert [e.id for e in second_factor_required_in_production()] == ["logins.E001"]
    settings.TWO_FACTOR_REQUIRED = True
    assert second_factor_required_in_production() == []
