import pytest

from workflow.deadlines import calendar


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Test transactions roll back without signals: never let one test's calendar leak."""
    calendar.invalidate_local()
    yield
    calendar.invalidate_local()


@pytest.fixture
def work_calendar(db):
    """The national arrangement for 2026 (the migration seeds it; a flushed database may not)."""
    calendar.calendar_seed(years=[2025, 2026])
    calendar.invalidate_local()
    return calendar


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Case tests create many staff users; hashing their passwords properly is not under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
