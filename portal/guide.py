"""How the departments of an item take part, shaped for the guide's picture (办事指南).

Pure presentation over an item loaded by ``permits.selectors.item_get_visible`` (its
``departments`` are prefetched in position order): no queries of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from departments.models import Stage
from permits.models import ConsultMode, DepartmentRole, ServiceItem, ServiceModel, TimeLimitUnit

STAGE_ORDER = [s.value for s in Stage]


@dataclass
class Participant:
    name: str
    role: str
    role_label: str
    duty: str
    limit: int
    unit_label: str
    calendar_days: bool
    stages: list[str]
    stage_labels: list[str]
    deemed_approval: bool
    position: int


@dataclass
class Picture:
    model: str
    lead: Participant | None
    parallel: list[Participant] = field(default_factory=list)
    consult: list[Participant] = field(default_factory=list)
    consult_sequential: bool = True
    onsite_inspection: bool = False

    @property
    def has_branches(self) -> bool:
        return bool(self.parallel)


def _participant(row) -> Participant:
    stages = [s for s in (row.stages or []) if s in STAGE_ORDER] or [Stage.UNDERTAKE.value]
    return Participant(
        name=row.department.name,
        role=row.role,
        role_label=row.get_role_display(),
        duty=row.duty,
        limit=row.time_limit_days,
        unit_label=row.get_time_limit_unit_display(),
        calendar_days=row.time_limit_unit == TimeLimitUnit.CALENDAR_DAY,
        stages=stages,
        stage_labels=[Stage(s).label for s in stages],
        deemed_approval=row.timeout_policy == "deemed_approval",
        position=row.position,
    )


def participation_picture(item: ServiceItem) -> Picture:
    rows = list(item.departments.all())
    lead_row = next((r for r in rows if r.role == DepartmentRole.LEAD), None)
    lead = _participant(lead_row) if lead_row else None
    if lead is None:
        # An item always has an implementing department even without its lead row.
        lead = Participant(
            name=item.lead_department.name,
            role=DepartmentRole.LEAD,
            role_label=DepartmentRole.LEAD.label,
            duty="",
            limit=item.promised_days,
            unit_label=TimeLimitUnit.WORKING_DAY.label,
            calendar_days=False,
            stages=[Stage.UNDERTAKE.value],
            stage_labels=[Stage.UNDERTAKE.label],
            deemed_approval=False,
            position=0,
        )
    picture = Picture(
        model=item.service_model,
        lead=lead,
        parallel=[_participant(r) for r in rows if r.role == DepartmentRole.PARALLEL],
        consult=[_participant(r) for r in rows if r.role == DepartmentRole.CONSULT],
        consult_sequential=item.consult_mode != ConsultMode.PARALLEL,
        onsite_inspection=item.onsite_inspection,
    )
    if item.service_model == ServiceModel.CORE_DEPARTMENT:
        picture.consult.sort(key=lambda p: p.position)
    return picture
