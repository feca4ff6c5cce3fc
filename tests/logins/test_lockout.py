"""Login lockout (django-axes) on every login form and the token endpoint; unlock paths."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command

from tests.departments.factories import UserFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
TOKEN = "/api/v1/auth/token/"
T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def fail(client, url, username, times, **extra):
    for _ in range(times):
        client.post(url, {"username": username, "password": "wrong-password"}, **extra)


class TestHtmlLogin:
    def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(self, client, citizen):
        fail(client, LOGIN, citizen.username, 5)

        response = client.post(LOGIN, {"username": citizen.username, "password": PASSWORD})

        assert response.status_code == 429
        assert "登录失败次数过多" in response.content.decode()
        assert SESSION_KEY not in client.session

    def test_four_wrong_then_right_logs_in(self, client, citizen):
        fail(client, LOGIN, citizen.username, 4)
        response = client.post(LOGIN, {"username": citizen.username, "password": PASSWORD})
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(citizen.pk)

    def test_admin_login_is_locked_too(self, client):
        admin = UserFactory(is_staff=True, is_superuser=True)
        fail(client, ADMIN_LOGIN, admin.username, 5)
        response = client.post(ADMIN_LOGIN, {"username": admin.username, "password": PASSWORD})
        assert response.status_code == 429
        assert SESSION_KEY not in client.session

    def test_a_lockout_on_one_form_holds_on_the_others(self, client, api_client, citizen):
        fail(client, ADMIN_LOGIN, citizen.username, 5)
        response = api_client.post(
            TOKEN, {"username": citizen.username, "password": PASSWORD}, format="json"
        )
        assert response.status_code == 429

    def test_a_forged_forwarded_for_changes_nothing(self, client, citizen):
        for n in range(5):
            client.post(
                LOGIN,
                {"username": citizen.username, "password": "wrong"},
                HTTP_X_FORWARDED_FOR=f"10.9.{n}.1",
            )
        response = client.post(
            LOGIN,
            {"username": citizen.username, "password": PASSWORD},
            HTTP_X_FORWARDED_FOR="10.9.99.1",
        )
        assert response.status_code == 429

    def test_the_lock_ends_after_the_cool_off_and_each_try_restarts_it(
        self, client, citizen, settings
    ):
        with time_machine.travel(T0, tick=False) as traveller:
            fail(client, LOGIN, citizen.username, 5)
            # a try 10 minutes in restarts the 15-minute cool-off (backoff for scripts)
            traveller.shift(dt.timedelta(minutes=10))
            fail(client, LOGIN, citizen.username, 1)
            traveller.shift(dt.timedelta(minutes=10))
            locked = client.post(LOGIN, {"username": citizen.username, "password": PASSWORD})
            assert locked.status_code == 429
            traveller.shift(dt.timedelta(minutes=16))
            response = client.post(LOGIN, {"username": citizen.username, "password": PASSWORD})
        assert response.status_code == 302


class TestPerAddressLimit:
    def test_many_accounts_from_one_address_lock_the_address(self, client, settings, citizen):
        settings.LOGIN_IP_FAILURE_LIMIT = 10
        for n in range(10):
            fail(client, LOGIN, f"guess{n}", 1)  # one try per account: no account limit hit

        response = client.post(LOGIN, {"username": citizen.username, "password": PASSWORD})
        assert response.status_code == 429
        # another address is not affected
        other = client.post(
            LOGIN, {"username": citizen.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.7"
        )
        assert other.status_code == 302

    def test_an_office_behind_one_address_is_not_locked_by_a_few_typos(self, client, settings):
        settings.LOGIN_IP_FAILURE_LIMIT = 30
        users = [UserFactory() for _ in range(3)]
        for user in users:
            fail(client, LOGIN, user.username, 3)
        response = client.post(LOGIN, {"username": users[0].username, "password": PASSWORD})
        assert response.status_code == 302


class TestTokenEndpoint:
    def test_token_endpoint_locks_after_five_failures(self, api_client, citizen):
        for _ in range(5):
            api_client.post(
                TOKEN, {"username": citizen.username, "password": "wrong"}, format="json"
            )
        response = api_client.post(
            TOKEN, {"username": citizen.username, "password": PASSWORD}, format="json"
        )
        assert response.status_code == 429
        assert response.json()["code"] == "throttled"
        assert "token" not in response.json()


class TestVisibleAndUnlockable:
    def test_lockouts_are_listed_for_admins(self, client, citizen):
        fail(client, LOGIN, citizen.username, 5)
        assert AccessFailureLog.objects.filter(username=citizen.username, locked_out=True).exists()

        admin = UserFactory(is_staff=True, is_superuser=True)
        client.force_login(admin)
        page = client.get("/admin/axes/accessattempt/")
        assert page.status_code == 200
        assert citizen.username in page.content.decode()
        log = client.get("/admin/axes/accessfailurelog/?locked_out__exact=1")
        assert citizen.username in log.content.decode()

    def test_admin_action_unlocks(self, client, citizen):
        fail(client, LOGIN, citizen.username, 5)
        admin = UserFactory(is_staff=True, is_superuser=True)
        admin_client = type(client)()
        admin_client.force_login(admin)
        ids = list(AccessAttempt.objects.values_list("pk", flat=True))
        response = admin_client.post(
            "/admin/axes/accessattempt/",
            {"action": "unlock", "_selected_action": ids},
        )
        assert response.status_code == 302
        assert not AccessAttempt.objects.filter(username=citizen.username).exists()
        again = client.post(LOGIN, {"username": citizen.username, "password": PASSWORD})
        assert again.status_code == 302

    def test_management_command_unlocks(self, client, citizen, capsys):
        fail(client, LOGIN, citizen.username, 5)
        call_command("login_unlock", "--username", citizen.username)
        assert "cleared" in capsys.readouterr().out
        again = client.post(LOGIN, {"username": citizen.username, "password": PASSWORD})
        assert again.status_code == 302

    def test_command_needs_a_username_or_address(self):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError):
            call_command("login_unlock")
