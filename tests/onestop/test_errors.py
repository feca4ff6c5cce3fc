"""The one hierarchy of domain errors and its one mapping onto API.md's codes."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from viewflow.workflow.exceptions import FlowLockFailed

from departments.exceptions import DepartmentsError
from onestop.api import api_error_from
from onestop.errors import Busy, DomainError, busy_from
from permits.exceptions import ItemNotAccepting, PermitsError
from workflow.deadlines.clocks import ClockError
from workflow.exceptions import Conflict, Forbidden, MissingMaterials, NotFound


class _PgError(Exception):
    def __init__(self, pgcode):
        super().__init__("canceling statement")
        self.pgcode = pgcode


def _db_error(pgcode, text="could not obtain lock on row"):
    error = OperationalError(text)
    error.__cause__ = _PgError(pgcode)
    return error


@pytest.mark.parametrize(
    "error",
    [DepartmentsError, PermitsError, ItemNotAccepting, Conflict, NotFound, Forbidden, ClockError],
)
def test_every_apps_errors_share_one_base(error):
    assert issubclass(error, DomainError)


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (Conflict(), 409, "conflict"),
        (NotFound(), 404, "not_found"),
        (Forbidden(), 403, "permission_denied"),
        (MissingMaterials([{"requirement": 1, "name": "申请书"}]), 400, "missing_materials"),
        (ItemNotAccepting(), 409, "conflict"),
        (ClockError("x", code="not_found"), 404, "not_found"),
        (ClockError("x", code="conflict"), 409, "conflict"),
        (ClockError("x", code="forbidden"), 403, "permission_denied"),
        (ClockError("x"), 400, "invalid"),
        (Busy(), 503, "busy"),
    ],
)
def test_domain_errors_map_to_the_contract(exc, status, code):
    error = api_error_from(exc)
    assert (error.status_code, error.code) == (status, code)
    assert error.detail


def test_busy_is_recognised_by_sqlstate_not_by_text():
    assert isinstance(busy_from(_db_error("55P03")), Busy)  # lock_not_available
    assert isinstance(busy_from(_db_error("57014")), Busy)  # query_canceled (lock_timeout)
    assert isinstance(busy_from(FlowLockFailed("Lock failed")), Busy)
    # the word "lock" in a message decides nothing
    assert busy_from(_db_error("40P01", "deadlock detected")) is None
    assert busy_from(OperationalError("could not obtain lock")) is None
    assert busy_from(ValueError("lock")) is None
    assert api_error_from(_db_error("55P03")).status_code == 503
    assert api_error_from(OperationalError("lock")) is None
