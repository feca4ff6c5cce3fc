"""The departments taking part in a case, as the flow's nodes need them: who reviews (the
split's data source) and the online notice to each (网上并联: one event per department)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from permits.choices import EventAction
from permits.models import Application, ApplicationDepartment, ParticipationRole
from workflow.services.events import event_append


def review_task_data(*, application: Application) -> list[dict]:
    """One review per participating department of the first round (the parallel flow's
    ``DepartmentSplit`` data source). No side effects."""
    rows = ApplicationDepartment.objects.filter(
        application=application, role=ParticipationRole.PARALLEL, round=1
    ).order_by("position", "pk")
    return [{"participation": row.pk, "department": row.department_id} for row in rows]


def notify_departments(*, application: Application) -> None:
    """The online notice to every participating department: one ``department_notified`` event
    each (notifications follow from the events after commit). Called by the flow's node, under
    the case lock; the system acts, so no access check applies."""
    rows = ApplicationDepartment.objects.filter(
        application=application, role=ParticipationRole.PARALLEL
    ).select_related("department")
    for row in rows:
        event_append(
            application=application,
            actor=None,
            action=EventAction.DEPARTMENT_NOTIFIED,
            department=row.department_id,
            before=application.status,
            after=application.status,
            note=_("The case was shared with %(department)s for parallel review.")
            % {"department": row.department.name},
        )
