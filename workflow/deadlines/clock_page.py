"""What a case's clock page (/office/clock/<number>/) offers a user: the tasks whose clock they
may pause for a special procedure (第四十五条: whoever may act on the task) and the extensions
they may approve (第四十二条: the head of a department still deciding, the lead's head for a
joint one). The clock page shows exactly these forms, and the task and case pages link it only
for users it offers something (issue 14 item 12); the services in ``clocks`` check the same
rules again when the form is sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ClockOffer:
    actionable: list = field(default_factory=list)  # open tasks the user may pause
    head_of: list = field(default_factory=list)  # undecided departments' rows the user heads
    lead_head: bool = False

    def __bool__(self) -> bool:
        return bool(self.actionable or self.head_of or self.lead_head)


def clock_offer(user: Any, application: Any, *, tasks: list, participations: list) -> ClockOffer:
    """The clock page's forms for ``user`` given the case's open tasks and its department rows
    (both already loaded by the caller)."""
    from workflow.access import can_act_on_task, is_head

    return ClockOffer(
        actionable=[t for t in tasks if can_act_on_task(user, t)],
        head_of=[
            p for p in participations if p.decided_at is None and is_head(user, p.department_id)
        ],
        lead_head=is_head(user, application.lead_department_id),
    )


def may_use_clock(user: Any, application: Any, participations: list | None = None) -> bool:
    """Whether the clock page offers ``user`` something on this case: staff only, and only
    while the case has open tasks (a closed case has no clock to pause or extend). One query
    (the open tasks) for staff, none for anyone else."""
    from permits.models import ApplicationDepartment
    from workflow.access import is_staff_member
    from workflow.models import ACTIVE_TASK_STATUSES, CaseTask

    if not is_staff_member(user):
        return False
    tasks = list(CaseTask.objects.filter(application=application, status__in=ACTIVE_TASK_STATUSES))
    if not tasks:
        return False
    if participations is None:
        participations = list(ApplicationDepartment.objects.filter(application=application))
    return bool(clock_offer(user, application, tasks=tasks, participations=participations))
