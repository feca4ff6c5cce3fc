"""What the three process-centred steps share (triage, handling, reply review): the dispatched
departments' rows of a case, the returns counted against the cap, the parts of the
consolidated answer and sending that answer.

A department is dispatched as a new case-department row (role ``dispatched``, a new ``round``
each time the same department is sent the case again), so every dispatch, return and reply
stays visible: API.md's ``departments[]`` has one row per participation. 首接负责: the
coordinating office (the item's lead) keeps the case; its lead row stays ``in_review`` until
the answer goes out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Max

from permits.choices import EventAction
from permits.models import (
    Application,
    ApplicationDepartment,
    ApplicationStatus,
    ParticipationRole,
    ParticipationStatus,
)
from workflow.deadlines.process_limits import Limit
from workflow.models import CaseTask, TaskKind, TaskStatus
from workflow.services.common import _move
from workflow.steps.base import complete_flow_task, finish, lead_participation, task_event

OUTCOMES = ("passed", "failed")


def dispatched_rows(application: Application) -> list[ApplicationDepartment]:
    """Every dispatched row of the case, oldest first, with its department."""
    return list(
        ApplicationDepartment.objects.filter(
            application=application, role=ParticipationRole.DISPATCHED
        )
        .select_related("department")
        .order_by("pk")
    )


def returns_count(application: Application) -> int:
    """How many times departments returned the case (退回), every round counted."""
    return ApplicationDepartment.objects.filter(
        application=application,
        role=ParticipationRole.DISPATCHED,
        status=ParticipationStatus.RETURNED,
    ).count()


def new_dispatch_row(
    application: Application,
    *,
    department_id: int,
    instructions: str,
    limit: Limit,
    may_return: bool,
    position: int,
) -> ApplicationDepartment:
    """A department sent the case (waiting until the handling step opens its task): the next
    round of that department in the case."""
    last = ApplicationDepartment.objects.filter(
        application=application, department_id=department_id, role=ParticipationRole.DISPATCHED
    ).aggregate(m=Max("round"))["m"]
    return ApplicationDepartment.objects.create(
        application=application,
        department_id=department_id,
        role=ParticipationRole.DISPATCHED,
        position=position,
        round=(last or 0) + 1,
        stages=["undertake"],
        status=ParticipationStatus.WAITING,
        instructions=instructions,
        may_return=may_return,
        time_limit_days=limit.days,
        time_limit_unit=limit.unit,
        timeout_policy="escalate",
    )


def returned_since_triage(application: Application) -> bool:
    """Whether a department returned the case after the office last triaged it: the flow then
    goes back to triage (re-dispatch, 改派, or the office handles it itself)."""
    last = (
        CaseTask.objects.filter(
            application=application, kind=TaskKind.TRIAGE, status=TaskStatus.DONE
        )
        .order_by("-completed_at")
        .values_list("completed_at", flat=True)
        .first()
    )
    rows = ApplicationDepartment.objects.filter(
        application=application,
        role=ParticipationRole.DISPATCHED,
        status=ParticipationStatus.RETURNED,
    )
    if last is not None:
        rows = rows.filter(decided_at__gt=last)
    return rows.exists()


def answer_parts(rows: Iterable[ApplicationDepartment]) -> list[dict[str, Any]]:
    """Each department's part of the consolidated answer: its latest reply (a department asked
    again replaces its earlier reply; both stay in ``departments[]``), in dispatch order."""
    latest: dict[int, ApplicationDepartment] = {}
    for row in rows:
        if row.role != ParticipationRole.DISPATCHED or row.status != ParticipationStatus.REPLIED:
            continue
        current = latest.get(row.department_id)
        if current is None or row.round > current.round:
            latest[row.department_id] = row
    ordered = sorted(latest.values(), key=lambda r: (r.decided_at or r.started_at, r.pk))
    return [
        {
            "code": row.department.code,
            "name": row.department.name,
            "reply": row.opinion,
            "outcome": row.outcome or None,
            "at": row.decided_at.isoformat() if row.decided_at else None,
        }
        for row in ordered
    ]


def overall_outcome(parts: list[dict[str, Any]]) -> str | None:
    """A joint annual inspection passes when every department passed it."""
    outcomes = [p["outcome"] for p in parts if p.get("outcome")]
    if not outcomes:
        return None
    return "passed" if all(o == "passed" for o in outcomes) else "failed"


def composed_answer(parts: list[dict[str, Any]]) -> str:
    """The consolidated answer the reply-review page starts from: one paragraph per
    department, named."""
    lines = []
    for part in parts:
        outcome = part["outcome"]
        outcome = f"（{OUTCOME_NAMES.get(outcome, outcome)}）" if outcome else ""
        lines.append(f"{part['name']}{outcome}：{part['reply']}")
    return "\n".join(lines)


OUTCOME_NAMES = {"passed": "通过", "failed": "不通过"}


def send_answer(
    app: Application, t: CaseTask, *, actor, decision: str, text: str, now: datetime, result=None
) -> None:
    """The office sends the one answer: the case is ``answered``, the citizen reads it on the
    case page and is told (the ``answered`` event's notice); the graph moves on."""
    before = _move(app, ApplicationStatus.ANSWERED)
    app.answer = text
    app.answered_at = now
    app.decided_at = now
    app.save()
    lead = lead_participation(app)
    if lead is not None:
        lead.status = ParticipationStatus.REPLIED
        lead.opinion = text
        lead.decided_at = now
        lead.save(update_fields=["status", "opinion", "decided_at"])
    finish(t, actor=actor, decision=decision, opinion=text, now=now, result=result)
    task_event(
        app,
        t,
        actor=actor,
        action=EventAction.ANSWERED,
        before=before,
        after=app.status,
        note=text,
        data=result,
    )
    complete_flow_task(t.flow_task_id)
