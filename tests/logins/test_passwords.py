"""Password rules: length, the offline common-password list, and in production neither the
demo password nor a common word or surname with digits."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.PRODUCTION = True
    return settings


def codes(password: str) -> set[str]:
    try:
        validate_password(password)
    except ValidationError as exc:
        return {e.code for e in exc.error_list}
    return set()


@pytest.mark.parametrize(
    "password",
    ["wangceshi1", "Zhang123456", "admin@123", "123456zhang", "Password1!", "yunfu2026"],
)
def test_word_and_digits_refused_in_production(production, password):
    assert "password_weak_pattern" in codes(password) or "password_too_common" in codes(password)


def test_demo_password_refused_in_production(production):
    assert "password_demo" in codes(production.DEMO_PASSWORD)


def test_demo_password_works_outside_production(settings):
    settings.PRODUCTION = False
    assert codes(settings.DEMO_PASSWORD) == set()


@pytest.mark.parametrize("password", ["Qh7#vLm2pX9w", "绿水青山-Yf-8831", "tiger-moon-river-42"])
def test_strong_passwords_pass(production, password):
    assert codes(password) == set()


def test_common_and_short_refused_everywhere(settings):
    assert "password_too_common" in codes("iloveyou")
    assert "password_too_short" in codes("Ab1#x")


def test_minimum_length_is_a_setting(settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 12},
        }
    ]
    assert "password_too_short" in codes("Qh7#vLm2pX9")


def test_registration_refuses_them_in_production(production):
    response = APIClient().post(
        "/api/v1/auth/register/",
        {
            "username": "wangwu",
            "password": "wangceshi1",
            "real_name": "王五",
            "id_type": "resident_id",
            "id_number": "445302199003071231",
            "phone": "13812345678",
        },
        format="json",
    )
    assert response.status_code == 400
