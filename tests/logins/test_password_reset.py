"""Password reset by an SMS code sent through the notifications SMS backend, throttled."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model

from logins.models import PasswordResetCode
from logins.services import token_issue
from notifications.models import Notification
from tests.permits.applicant_factories import PersonFactory

pytestmark = pytest.mark.django_db

RESET = "/accounts/password-reset/"
CONFIRM = "/accounts/password-reset/confirm/"
NEW = "Qh7#vLm2pX9w"
T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def person(db):
    return PersonFactory(phone="13900001111")


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    def post(client, username, phone="13900001111"):
        # The code is sent after commit: run those callbacks as a real commit would.
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(RESET, {"username": username, "phone": phone})

    return post


def sent_code(sms) -> str:
    return re.search(r"\d{6}", sms[-1].body).group(0)


def confirm(client, username, code, password=NEW):
    return client.post(
        CONFIRM,
        {"username": username, "code": code, "new_password1": password, "new_password2": password},
    )


def test_code_by_sms_then_new_password(ask, client, person, sms):
    user = person.user
    response = ask(client, user.username)
    assert response.status_code == 302 and response["Location"].startswith(CONFIRM)
    assert len(sms) == 1 and sms[0].to == "13900001111"
    # sent through the notification centre, to no inbox (no recipient account)
    assert Notification.objects.filter(recipient=None).count() == 1
    assert sent_code(sms) not in PasswordResetCode.objects.get().code_digest

    _token, key = token_issue(user=user, second_factor=False)
    done = confirm(client, user.username, sent_code(sms))
    assert done.status_code == 302 and done["Location"] == "/accounts/login/"
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert user.api_tokens.get().revoked_at is not None  # tokens end with the old password
    # the code is used up
    assert confirm(client, user.username, sent_code(sms), "Zx9!kQ2mW7rt").status_code == 400


def test_the_same_answer_when_the_phone_does_not_match(ask, client, person, sms):
    matching = ask(client, person.user.username)
    wrong = ask(client, person.user.username, phone="13900002222")
    unknown = ask(client, "nobody-here")
    assert matching.status_code == wrong.status_code == unknown.status_code == 302
    assert len(sms) == 1


def test_wrong_codes_void_the_code(ask, client, person, sms, settings):
    ask(client, person.user.username)
    code = sent_code(sms)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(settings.PASSWORD_RESET_MAX_ATTEMPTS):
        assert confirm(client, person.user.username, wrong).status_code == 400
    assert confirm(client, person.user.username, code).status_code == 400
    person.user.refresh_from_db()
    assert not person.user.check_password(NEW)


def test_the_code_expires(ask, client, person, sms):
    with time_machine.travel(T0, tick=False) as traveller:
        ask(client, person.user.username)
        traveller.shift(dt.timedelta(minutes=11))
        assert confirm(client, person.user.username, sent_code(sms)).status_code == 400


def test_a_weak_new_password_is_refused(ask, client, person, sms):
    ask(client, person.user.username)
    response = confirm(client, person.user.username, sent_code(sms), "12345678")
    assert response.status_code == 400
    assert "new_password1" in response.context["form"].errors


def test_throttled_per_account_and_per_address(ask, client, person, sms, settings):
    settings.PASSWORD_RESET_PER_ACCOUNT_HOUR = 2
    assert ask(client, person.user.username).status_code == 302
    assert ask(client, person.user.username).status_code == 302
    assert ask(client, person.user.username).status_code == 429
    assert len(sms) == 2

    settings.PASSWORD_RESET_PER_IP_HOUR = 5
    assert ask(client, "someone-else").status_code == 302  # 4th request from this address
    assert ask(client, "someone-else", phone="13900003333").status_code == 302
    assert ask(client, "third-one").status_code == 429  # 6th
    # another address still may
    other = client.post(
        RESET, {"username": "third-one", "phone": "13900004444"}, REMOTE_ADDR="192.0.2.9"
    )
    assert other.status_code == 302


def test_a_reset_unlocks_a_locked_account(ask, client, person, sms):
    user = person.user
    for _ in range(5):
        client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    ask(client, user.username)
    confirm(client, user.username, sent_code(sms))
    response = client.post("/accounts/login/", {"username": user.username, "password": NEW})
    assert response.status_code == 302


def test_login_page_links_to_it(client):
    assert RESET in client.get("/accounts/login/").content.decode()


def test_only_one_live_code(ask, client, person, sms):
    ask(client, person.user.username)
    first = sent_code(sms)
    ask(client, person.user.username)
    if sent_code(sms) != first:
        assert confirm(client, person.user.username, first).status_code == 400
    assert get_user_model().objects.get(pk=person.user.pk).check_password("Yunfu@2026")
