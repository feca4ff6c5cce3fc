"""Fixtures of the login rules: a staff member and a citizen with known passwords, a fresh
throttle cache, TOTP codes computed as an authenticator app would, and a recording SMS backend."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django_otp.oath import totp

from departments.models import Role, Stage
from tests.departments.factories import DepartmentFactory, UserFactory, grant
from tests.permits.applicant_factories import PersonFactory

PASSWORD = "Yunfu@2026"


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    # Throttles and reset counters live in the cache: each test starts from nothing.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(db):
    user = UserFactory()
    grant(user, DepartmentFactory(), Role.REVIEWER, stage=Stage.UNDERTAKE)
    return user


@pytest.fixture
def citizen(db):
    return PersonFactory().user


@pytest.fixture
def two_factor_on(settings):
    settings.TWO_FACTOR_REQUIRED = True
    return settings


def code_for(device) -> str:
    """The code an authenticator app shows right now for ``device``."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


class RecordingSmsBackend:
    sent: list = []

    def send(self, message) -> str:
        RecordingSmsBackend.sent.append(message)
        return f"rec-{len(RecordingSmsBackend.sent)}"


@pytest.fixture
def sms(settings, celery_eager):
    settings.SMS_BACKEND = "tests.logins.conftest.RecordingSmsBackend"
    RecordingSmsBackend.sent = []
    return RecordingSmsBackend.sent
