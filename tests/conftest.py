"""Shared fixtures. App-specific factories live in tests/<app>/factories.py."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2's production cost makes every test account take a second on these machines.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
