"""The one hierarchy of domain errors (issue 7 item 5). Every app's errors derive from
``DomainError``: a ``code`` from API.md's list, a translatable ``message`` for people and
``fields`` (field → messages; ``fields.form.<name>`` for the application form).

The API maps them in one place (``onestop.api.exception_handler``: the code decides the HTTP
status); pages show ``message``. This module is plumbing below every app (departments, the
lowest, imports it too), so it imports nothing of theirs."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base class. ``message`` is for people; ``fields`` maps a field to its messages."""

    code = "invalid"
    default_message = _("The request could not be carried out.")

    def __init__(self, message=None, *, fields: dict[str, list] | None = None) -> None:
        self.message = message or self.default_message
        self.fields = fields or {}
        super().__init__(str(self.message))


class Invalid(DomainError):
    """The input breaks a rule: 400 ``invalid``."""

    code = "invalid"
    default_message = _("The submitted data is not valid.")


class NotFound(DomainError):
    """Missing, or not the caller's: the two are indistinguishable (DESIGN.md §5). 404."""

    code = "not_found"
    default_message = _("Not found.")


class Conflict(DomainError):
    """No longer in a state that allows this, or another user holds it: 409."""

    code = "conflict"
    default_message = _("This conflicts with the current state.")


class NotAllowed(DomainError):
    """The caller may see the object but not do this to it: 403 ``permission_denied``."""

    code = "permission_denied"
    default_message = _("You may not do this.")


class Busy(DomainError):
    """Another writer held the case longer than the lock timeout: 503 ``busy`` (retry). Raised
    from the database's lock-timeout error by ``busy_from``, never guessed from a message."""

    code = "busy"
    default_message = _("The case is busy; please try again.")


class Throttled(DomainError):
    """Too many requests of one kind from one client address or for one ID number: 429
    ``throttled`` (``onestop.limits``)."""

    code = "throttled"
    default_message = _("Too many requests. Try again later.")


# API.md's codes and their HTTP status: the one table (onestop.api reads it).
STATUS_BY_CODE = {
    "invalid": 400,
    "missing_materials": 400,
    "permission_denied": 403,
    "not_found": 404,
    "conflict": 409,
    "expired": 410,
    "idempotency_mismatch": 422,
    "throttled": 429,
    "busy": 503,
}

# PostgreSQL's SQLSTATEs for "the lock was not had in time": lock_not_available (NOWAIT, or
# lock_timeout) and query_canceled (lock_timeout/statement_timeout cancels the wait).
LOCK_TIMEOUT_SQLSTATES = frozenset({"55P03", "57014"})


def busy_from(exc: BaseException) -> Busy | None:
    """A ``Busy`` when ``exc`` is (or was caused by) a lock not had within the lock timeout:
    viewflow's ``FlowLockFailed`` (its select-for-update lock gave up) or a database error whose
    SQLSTATE is a lock timeout (``LockNotAvailable`` / ``QueryCanceled`` in psycopg). Decided by
    type and SQLSTATE, never by the error's text."""
    from django.db import DatabaseError
    from viewflow.workflow.exceptions import FlowLockFailed

    if not isinstance(exc, DatabaseError | FlowLockFailed):
        return None
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, FlowLockFailed):
            return Busy()
        if getattr(current, "pgcode", None) in LOCK_TIMEOUT_SQLSTATES or (
            getattr(current, "sqlstate", None) in LOCK_TIMEOUT_SQLSTATES
        ):
            return Busy()
        current = current.__cause__ or current.__context__
    return None
