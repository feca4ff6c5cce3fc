"""Locking a case for writing, in one order everywhere (DESIGN.md §5): the viewflow process row
first (blocking ``SELECT … FOR UPDATE`` bounded by the database's ``lock_timeout``), then the
application row. Services, clocks and the sweep all lock through here, so concurrent writers
wait on each other and exactly one wins."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from permits.models import Application
from workflow.exceptions import Conflict, NotFound
from workflow.models import CaseProcess, CaseTask

# The application locked by the innermost ``case_locked``/``task_case_locked`` of this thread:
# flow nodes that run under the lock (a step opening) read it instead of re-reading the row.
_locked_case: ContextVar[Application | None] = ContextVar("locked_case", default=None)


@contextmanager
def case_locked(application_id: int) -> Iterator[Application]:
    """Lock a case for writing: its process row (if it has one) then its application row.

    The process row is locked through the case's own flow (the flow its process row names,
    ``CaseProcess.flow_class``), so each flow's ``lock_impl`` applies to its cases. Opens (or
    joins) a transaction; yields the locked application. A draft that another writer submitted
    meanwhile answers ``Conflict``: the act was meant for a draft."""
    with transaction.atomic():
        process = (
            CaseProcess.objects.filter(application_id=application_id)
            .values_list("pk", "flow_class")
            .first()
        )
        if process is not None:
            process_id, flow_class = process
            with flow_class.lock(process_id):
                application = locked_application(application_id)
                token = _locked_case.set(application)
                try:
                    yield application
                finally:
                    _locked_case.reset(token)
        else:
            application = locked_application(application_id)
            if CaseProcess.objects.filter(application_id=application_id).exists():
                raise Conflict()
            yield application


def locked_application(application_id: int) -> Application:
    """The application row, locked ``FOR UPDATE`` (call inside a transaction)."""
    try:
        return (
            Application.objects.select_for_update(of=("self",))
            .select_related("item", "item_version", "lead_department")
            .get(pk=application_id)
        )
    except Application.DoesNotExist as exc:
        raise NotFound() from exc


@contextmanager
def task_case_locked(
    task_id: int, *, visible_q=None, route: tuple | None = None
) -> Iterator[tuple[Application, CaseTask]]:
    """Lock a task's case in the one order — the process row through its own flow, then the
    application row together with the task row (one ``SELECT … FOR UPDATE OF``) — and yield
    both as they are now. ``visible_q`` filters the task first (the caller's access rule), so a
    task the caller may not see is ``NotFound`` like a missing one. Costs three queries: the
    task's process, the process lock, the application and task. ``route``: the task's
    ``(application id, process id, flow class)`` when the caller has read them already
    (``selectors.task_get_for_user``): the first query is saved, and ``visible_q`` is applied
    to the locked read instead."""
    if route is None:
        tasks = CaseTask.objects.filter(pk=task_id)
        if visible_q is not None:
            tasks = tasks.filter(visible_q)
        row = tasks.values_list(
            "application_id", "application__process__pk", "application__process__flow_class"
        ).first()
        if row is None:
            raise NotFound()
        visible_q = None  # checked
    else:
        row = route
    application_id, process_id, flow_class = row
    if process_id is None:  # pragma: no cover - a task always belongs to a started case
        raise Conflict()
    with transaction.atomic(), flow_class.lock(process_id):
        tasks = CaseTask.objects.select_for_update(of=("self", "application")).select_related(
            "application",
            "application__item",
            "application__item_version",
            "application__item_version__item",
            "application__lead_department",
            "department",
            "participation",
        )
        if visible_q is not None:
            tasks = tasks.filter(visible_q)
        task = tasks.filter(pk=task_id).first()
        if task is None:
            raise NotFound()
        token = _locked_case.set(task.application)
        try:
            yield task.application, task
        finally:
            _locked_case.reset(token)


def locked_case(application_id: int) -> Application | None:
    """The application this thread holds locked, when it is ``application_id`` (else None)."""
    application = _locked_case.get()
    if application is not None and application.pk == application_id:
        return application
    return None
