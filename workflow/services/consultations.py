"""The consulted departments of a core-department case (核心部门模式, 征求意见): each round's
plan, its department rows and the online notice to each.

A round is planned when it starts (round 1 from the item version's ``consult`` departments at
acceptance; later rounds from the core department's ``consult`` decision) and kept on the
viewflow process (``data["consultation"]``). A department's ``ApplicationDepartment`` row is
created when its consultation opens — one at a time in ``position`` order when the item's
``consult_mode`` is ``sequential``, all at once when ``parallel`` — so a consulted department
sees the case only once it takes part (``workflow.access`` reads the rows). Earlier rounds'
rows and opinions stay: a department consulted twice has two rows."""

from __future__ import annotations

from django.db.models import Max
from django.utils.translation import gettext_noop

from permits.choices import ConsultMode, EventAction
from permits.event_notes import system_note
from permits.models import Application, ApplicationDepartment, ParticipationRole
from workflow.services.events import event_append
from workflow.spec import DepartmentSpec, version_spec

DEFAULT_CONSULT_DAYS = 5  # a department the item does not list is consulted in 5 working days


def _entry(d: DepartmentSpec, *, position: int, duty: str = "") -> dict:
    return {
        "department": d.department_id,
        "code": d.code,
        "position": position,
        "duty": duty or d.duty,
        "time_limit_days": d.time_limit_days,
        "time_limit_unit": d.time_limit_unit,
        "stages": list(d.stages),
    }


def first_round_plan(application: Application) -> dict:
    """Round 1: the item version's consulted departments in ``position`` order."""
    spec = version_spec(application.item_version)
    consulted = [d for d in spec.departments if d.role == ParticipationRole.CONSULT]
    return {
        "round": 1,
        "mode": consult_mode(application),
        "note": "",
        "departments": [_entry(d, position=d.position) for d in consulted],
    }


def consult_mode(application: Application) -> str:
    spec = version_spec(application.item_version)
    return spec.item.get("consult_mode") or application.item.consult_mode or ConsultMode.PARALLEL


def next_round(application: Application) -> int:
    top = ApplicationDepartment.objects.filter(application=application).aggregate(top=Max("round"))[
        "top"
    ]
    return (top or 1) + 1


def again_plan(application: Application, departments, *, note: str) -> dict:
    """A further round asked by the core department's decision: ``departments`` (Department
    objects in the order given) with the limits and stages the item gives them as consulted
    departments, or 5 working days and one stage for a department the item does not list."""
    spec = version_spec(application.item_version)
    by_id = {d.department_id: d for d in spec.departments}
    entries = []
    for position, dept in enumerate(departments, start=1):
        known = by_id.get(dept.pk)
        if known is not None and known.role != ParticipationRole.LEAD:
            entries.append(_entry(known, position=position, duty=note))
        else:
            entries.append(
                {
                    "department": dept.pk,
                    "code": dept.code,
                    "position": position,
                    "duty": note,
                    "time_limit_days": DEFAULT_CONSULT_DAYS,
                    "time_limit_unit": "working_day",
                    "stages": ["undertake"],
                }
            )
    return {
        "round": next_round(application),
        "mode": consult_mode(application),
        "note": note,
        "departments": entries,
    }


def create_row(application: Application, plan: dict, entry: dict) -> ApplicationDepartment:
    """The department's row of the round, and the online notice to it (one event)."""
    row = ApplicationDepartment.objects.create(
        application=application,
        department_id=entry["department"],
        role=ParticipationRole.CONSULT,
        position=entry["position"],
        round=plan["round"],
        stages=entry["stages"] or ["undertake"],
        duty=(entry.get("duty") or "")[:200],
        time_limit_days=entry.get("time_limit_days"),
        time_limit_unit=entry.get("time_limit_unit") or "working_day",
        timeout_policy="escalate",
    )
    event_append(
        application=application,
        actor=None,
        action=EventAction.DEPARTMENT_NOTIFIED,
        department=row.department_id,
        before=application.status,
        after=application.status,
        note=system_note(
            gettext_noop("The case was shared with %(department)s for its opinion."),
            department=row.department.name,
        ),
        data={"round": plan["round"], "role": ParticipationRole.CONSULT},
    )
    return row


def rows_of_round(application: Application, round_: int) -> list[ApplicationDepartment]:
    return list(
        ApplicationDepartment.objects.filter(
            application=application, role=ParticipationRole.CONSULT, round=round_
        ).order_by("position", "pk")
    )


def consultation_rows(application: Application) -> list[ApplicationDepartment]:
    """Every consultation of the case, by round and position (the decision page's list)."""
    return list(
        ApplicationDepartment.objects.filter(
            application=application, role=ParticipationRole.CONSULT
        )
        .select_related("department")
        .order_by("round", "position", "pk")
    )
