"""Locking a case for writing, in one order everywhere (DESIGN.md §5): the viewflow process row
first (blocking ``SELECT … FOR UPDATE`` bounded by the database's ``lock_timeout``), then the
application row. Services, clocks and the sweep all lock through here, so concurrent writers
wait on each other and exactly one wins."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from permits.models import Application
from workflow.exceptions import Conflict, NotFound
from workflow.models import CaseProcess


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
                yield locked_application(application_id)
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
