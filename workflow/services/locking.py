"""Locking a case for writing, in one order everywhere (DESIGN.md §5): the viewflow process row
first (blocking ``SELECT … FOR UPDATE`` bounded by the database's ``lock_timeout``), then the
application row. Services, clocks and the sweep all lock through here, so concurrent writers
wait on each other and exactly one wins."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction
from django.db.models import QuerySet
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.lock import SelectForUpdateLock

from onestop.prepared import PreparedQuery
from permits.models import Application, ApplicationStatus
from workflow.exceptions import Conflict, NotFound
from workflow.models import CaseProcess, CaseTask

# The application locked by the innermost ``case_locked``/``task_case_locked`` of this thread:
# flow nodes that run under the lock (a step opening) read it instead of re-reading the row.
_locked_case: ContextVar[Application | None] = ContextVar("locked_case", default=None)
# The task row ``task_case_locked`` read under the lock (with its viewflow task and process):
# ``steps.base.complete_flow_task`` takes the viewflow task from it instead of a second read.
_locked_task: ContextVar[CaseTask | None] = ContextVar("locked_task", default=None)
# The process row this thread's case lock took in its route read (``_process_locked``), so the
# flow's own lock (``CaseProcessLock``) need not send a second ``SELECT … FOR UPDATE``.
_held_process: ContextVar[int | None] = ContextVar("held_process", default=None)
# The case ``case_locked`` holds while it has no process yet (a draft): a process row inserted
# for it in this block is held too (``process_created``).
_starting_case: ContextVar[int | None] = ContextVar("starting_case", default=None)


class CaseProcessLock(SelectForUpdateLock):
    """viewflow's select-for-update lock on the process row (``lock_impl`` of every flow, as
    ``case_lock``), which knows when the case lock of this thread already holds that row: the
    route read of ``case_locked``/``task_case_locked`` locks it ``FOR UPDATE`` while finding
    it, so the flow's lock then only opens its savepoint instead of locking the row again. A
    flow with another ``lock_impl`` still gets its own lock taken."""

    @contextmanager
    def __call__(self, flow_class, process_pk):
        if process_pk is not None and _held_process.get() == process_pk:
            with transaction.atomic():
                yield
            return
        with super().__call__(flow_class, process_pk):
            yield


def process_created(sender, instance, created: bool, **kwargs) -> None:
    """``post_save`` of ``CaseProcess``: a process row a case lock's thread inserts for the case
    it holds (the flow's start, under ``case_locked`` of a draft) counts as held. No other
    transaction can see, let alone lock, a row this one has inserted and not committed, so the
    start node's ``lock`` need not send a ``SELECT … FOR UPDATE`` for it. Connected in
    ``WorkflowConfig.ready``; ``case_locked`` undoes it when its block ends."""
    if created and _starting_case.get() == instance.application_id:
        _held_process.set(instance.pk)


# Block (do not fail fast) on the process row; the database's lock_timeout bounds the wait.
case_lock = CaseProcessLock(nowait=False, attempts=3)


def _process_locked(
    read: Callable[[], tuple[int, type, int] | None],
) -> tuple[int, type, int] | None:
    """``(process id, flow class, application id)`` of the one process row ``read()`` locks
    ``FOR UPDATE`` as it reads it (call inside a transaction), or None. Waits and retries as
    ``case_lock`` does (viewflow's ``SelectForUpdateLock``): a lock not had within the
    database's ``lock_timeout`` on every attempt raises ``FlowLockFailed`` (503 ``busy``)."""
    for attempt in range(case_lock.attempts):
        try:
            with transaction.atomic():
                return read()
        except DatabaseError as exc:
            if attempt == case_lock.attempts - 1:
                raise FlowLockFailed("Lock failed for a case process") from exc
            time.sleep((((attempt + 1) * random.random()) + 2**attempt) / 2.5)  # noqa: S311  # nosec B311 - load-test data, not a secret
    return None  # pragma: no cover - the loop returns or raises


# A case's process row, locked as it is read (``case_locked``: a material upload, a submission,
# the applicant's other writes), compiled and prepared once per connection (``onestop.prepared``)
# instead of built on every call.
PROCESS_OF_CASE = PreparedQuery(
    CaseProcess,
    lambda application_id: (
        CaseProcess.objects.select_for_update(of=("self",))
        .filter(application_id=application_id)
        .only("pk", "flow_class", "application_id")
        .order_by()
    ),
    stand_ins=({"application_id": 2_000_000_001}, {"application_id": 2_000_000_002}),
    single=True,
    alias=DEFAULT_DB_ALIAS,
)


# A task's process row found through the caller's access rule (``shape``: a task the caller may
# not see finds none) and locked as it is read (``task_case_locked``), kept per rule
# (``onestop.prepared``: the rule's values are part of its key).
PROCESS_OF_TASK = PreparedQuery(
    CaseProcess,
    lambda task_id, shape: (
        CaseProcess.objects.select_for_update(of=("self",))
        .filter(
            pk__in=CaseTask.objects.filter(pk=task_id)
            .filter(shape)
            .values("application__process__pk")
        )
        .only("pk", "flow_class", "application_id")
        .order_by()
    ),
    stand_ins=({"task_id": 2_000_000_001}, {"task_id": 2_000_000_002}),
    single=True,
    alias=DEFAULT_DB_ALIAS,
    shaped=True,
)


def _row(process: CaseProcess | None) -> tuple[int, type, int] | None:
    return None if process is None else (process.pk, process.flow_class, process.application_id)


@contextmanager
def _flow_locked(process_id: int, flow_class, *, held: bool) -> Iterator[None]:
    """The case's own flow lock (``flow_class.lock``) on a process row this thread may already
    hold (``held``: locked by the route read in this transaction)."""
    token = _held_process.set(process_id) if held else None
    try:
        with flow_class.lock(process_id):
            yield
    finally:
        if token is not None:
            _held_process.reset(token)


@contextmanager
def case_locked(application_id: int) -> Iterator[Application]:
    """Lock a case for writing: its process row (if it has one) then its application row.

    The process row is locked as it is found (one ``SELECT … FOR UPDATE``) and then through the
    case's own flow (the flow its process row names, ``CaseProcess.flow_class``), so each flow's
    ``lock_impl`` applies to its cases. Opens (or joins) a transaction; yields the locked
    application. A draft that another writer submitted meanwhile answers ``Conflict``: the act
    was meant for a draft."""
    with transaction.atomic():
        process = _process_locked(
            lambda: _row(PROCESS_OF_CASE.first(application_id=application_id))
        )
        if process is not None:
            process_id, flow_class, _application_id = process
            with _flow_locked(process_id, flow_class, held=True):
                application = locked_application(application_id)
                token = _locked_case.set(application)
                try:
                    yield application
                finally:
                    _locked_case.reset(token)
        else:
            application = locked_application(application_id)
            # A process is created in the transaction that moves a case out of its draft, so
            # a draft read under its row lock (the newest committed version) has none: only
            # a case in another status is looked up (another writer started it meanwhile).
            if (
                application.status != ApplicationStatus.DRAFT
                and CaseProcess.objects.filter(application_id=application_id).exists()
            ):
                raise Conflict()
            token = _locked_case.set(application)
            starting = _starting_case.set(application_id)
            held = _held_process.set(_held_process.get())  # reset below: undoes process_created
            try:
                yield application
            finally:
                _held_process.reset(held)
                _starting_case.reset(starting)
                _locked_case.reset(token)


def locked_application(application_id: int) -> Application:
    """The application row, locked ``FOR UPDATE`` (call inside a transaction)."""
    application = LOCKED_APPLICATION.first(application_id=application_id)
    if application is None:
        raise NotFound()
    share_item(application)
    return application


def share_item(application: Application) -> Application:
    """Give the case's version the item row read with the case (``select_related("item",
    "item_version")`` reads both, but not the version's own ``item``), so reading the version's
    spec (``workflow.spec.version_spec``) does not fetch the item a second time."""
    version = application.item_version if Application.item_version.is_cached(application) else None
    if (
        version is not None
        and Application.item.is_cached(application)
        and version.item_id == application.item_id
        and not type(version).item.is_cached(version)
    ):
        type(version).item.field.set_cached_value(version, application.item)
    return application


# The case lock's application read, with the rows the services read beside it, compiled and
# prepared once per connection (``onestop.prepared``; one row by its key: no order, no LIMIT).
LOCKED_APPLICATION = PreparedQuery(
    Application,
    lambda application_id: (
        Application.objects.select_for_update(of=("self",))
        .select_related("item", "item_version", "lead_department")
        .filter(pk=application_id)
        .order_by()
    ),
    stand_ins=({"application_id": 2_000_000_001}, {"application_id": 2_000_000_002}),
    single=True,
    alias=DEFAULT_DB_ALIAS,
)


# What a locked task read carries besides the task and its case: the rows a step, the flow and
# the task's answer use (outer joins, not locked: only the task and application rows are).
_LOCKED_TASK_RELATED = (
    "application",
    "application__item",
    "application__item_version",
    "application__item_version__item",
    "application__lead_department",
    "application__applicant_person",
    "application__applicant_enterprise",
    "item",
    "department",
    "assignee",
    "participation",
    "flow_task",
    "flow_task__process",
    "flow_task__process__caseprocess",
)


def _locked_tasks() -> QuerySet:
    """The task rows with their case locked and everything completing a step reads (one row by
    its key: no order)."""
    return (
        CaseTask.objects.select_for_update(of=("self", "application"))
        .select_related(*_LOCKED_TASK_RELATED)
        .order_by()
    )


# The locked task read, compiled once per connection (``onestop.prepared``): building and
# compiling its fifteen joined tables' ~300 columns cost ~8 ms of Python a call — more than the
# database's work, and about a third of the client's CPU per case in bench/flow.py.
LOCKED_TASK = PreparedQuery(
    CaseTask,
    lambda task_id: _locked_tasks().filter(pk=task_id),
    stand_ins=({"task_id": 2_000_000_001}, {"task_id": 2_000_000_002}),
    single=True,
    alias=DEFAULT_DB_ALIAS,
)


# The same read through the caller's access rule (a task row the API's selector read first:
# ``route`` given), kept per rule (its values in the key: ``onestop.prepared``), a few rules a
# connection (each kept compiler holds the fifteen tables' columns).
LOCKED_VISIBLE_TASK = PreparedQuery(
    CaseTask,
    lambda task_id, shape: _locked_tasks().filter(shape).filter(pk=task_id),
    stand_ins=({"task_id": 2_000_000_001}, {"task_id": 2_000_000_002}),
    single=True,
    alias=DEFAULT_DB_ALIAS,
    shaped=True,
    max_kept=64,
)


@contextmanager
def task_case_locked(
    task_id: int, *, visible_q=None, route: tuple | None = None
) -> Iterator[tuple[Application, CaseTask]]:
    """Lock a task's case in the one order — the process row, then the application row together
    with the task row (one ``SELECT … FOR UPDATE OF``) — and yield both as they are now.
    ``visible_q`` filters the task first (the caller's access rule), so a task the caller may
    not see is ``NotFound`` like a missing one. Costs two queries: the process row locked as it
    is found from the task (through ``visible_q``), then the application and task under the
    lock (with the task's viewflow task and process, which completing the step needs).
    ``route``: the task's ``(application id, process id, flow class)`` when the caller has
    read them already (``selectors.task_get_for_user``): the process lock is then the flow's
    own query, and ``visible_q`` is applied to the locked read instead."""
    with transaction.atomic():
        if route is None:
            row = _process_locked(
                lambda: _row(PROCESS_OF_TASK.first(task_id=task_id, shape=visible_q))
            )
            if row is None:
                raise NotFound()
            process_id, flow_class, _application_id = row
            visible_q = None  # checked
            held = True
        else:
            _application_id, process_id, flow_class = route
            held = False
        if process_id is None:  # pragma: no cover - a task always belongs to a started case
            raise Conflict()
        with _flow_locked(process_id, flow_class, held=held):
            if visible_q is None:
                task = LOCKED_TASK.first(task_id=task_id)
            else:
                task = LOCKED_VISIBLE_TASK.first(task_id=task_id, shape=visible_q)
            if task is None:
                raise NotFound()
            token = _locked_case.set(task.application)
            task_token = _locked_task.set(task)
            try:
                yield task.application, task
            finally:
                _locked_task.reset(task_token)
                _locked_case.reset(token)


def locked_flow_task(vtask_id: int):
    """The viewflow task ``vtask_id`` as this thread's locked task read carried it (with its
    process and ``CaseProcess`` row), or None when it did not."""
    task = _locked_task.get()
    if task is None or task.flow_task_id != vtask_id or not CaseTask.flow_task.is_cached(task):
        return None
    vtask = task.flow_task
    if vtask is None or not type(vtask).process.is_cached(vtask):
        return None
    return vtask


def locked_case(application_id: int) -> Application | None:
    """The application this thread holds locked, when it is ``application_id`` (else None)."""
    application = _locked_case.get()
    if application is not None and application.pk == application_id:
        return application
    return None
