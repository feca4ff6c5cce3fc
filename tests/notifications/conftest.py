import pytest

from workflow.deadlines import calendar


@pytest.fixture
def work_calendar(db):
    calendar.calendar_seed(years=[2025, 2026])
    calendar.invalidate_local()
    return calendar
