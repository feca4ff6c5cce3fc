"""The departments taking part in a case, as the flow's nodes need them: who reviews (the
split's data source) and the online notice to each (网上并联: one event per department)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from permits.choices import EventAction
from permits.models import Application, ApplicationDepartment, ParticipationRole
from workflow.services.events import events_append


def parallel_rows(application: Application) -> list[ApplicationDepartment]:
    """The case's parallel departments (with their department), read once per locked case: the
    flow's gateway, its split and each review's opening all ask within one transaction, on the
    application object the case lock yielded."""
    rows = getattr(application, "_parallel_rows", None)
    if rows is None:
        rows = list(
            ApplicationDepartment.objects.filter(
                application=application, role=ParticipationRole.PARALLEL
            )
            .select_related("department")
            .order_by("position", "pk")
        )
        application._parallel_rows = rows
    return rows


def review_task_data(*, application: Application) -> list[dict]:
    """One review per participating department of the first round (the parallel flow's
    ``DepartmentSplit`` data source). No side effects."""
    return [
        {"participation": row.pk, "department": row.department_id}
        for row in parallel_rows(application)
        if row.round == 1
    ]


def notify_departments(*, application: Application) -> None:
    """The online notice to every participating department: one ``department_notified`` event
    each (notifications follow from the events after commit). Called by the flow's node, under
    the case lock; the system acts, so no access check applies."""
    events_append(
        application=application,
        actor=None,
        action=EventAction.DEPARTMENT_NOTIFIED,
        entries=[
            {
                "department": row.department_id,
                "before": application.status,
                "after": application.status,
                "note": _("The case was shared with %(department)s for parallel review.")
                % {"department": row.department.name},
            }
            for row in parallel_rows(application)
        ],
    )
