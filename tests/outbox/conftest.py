"""The outbox tests borrow the work calendar of the workflow tests (a case needs one)."""

from tests.workflow.conftest import work_calendar  # noqa: F401
