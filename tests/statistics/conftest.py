import pytest

from workflow.deadlines import calendar


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar.invalidate_local()
    yield
    calendar.invalidate_local()


@pytest.fixture
def work_calendar(db):
    calendar.calendar_seed(years=[2025, 2026])
    calendar.invalidate_local()
    return calendar


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_feed_queue():
    # the feed's queue lives in the suite's Redis, which outlives each test's rolled-back rows
    from tests.statistics.feeding import forget_pending

    forget_pending()
    yield
    forget_pending()
