"""A small world for case tests: a lead department with its reviewers, N participating
departments with theirs, a citizen, and a published item; plus helpers that drive a case."""

from __future__ import annotations

from dataclasses import dataclass, field

from departments.models import Role
from permits.models import Application, ServiceItem
from tests.workflow import factories as f
from workflow import services
from workflow.models import CaseTask, TaskStatus


@dataclass
class World:
    lead: object
    lead_staff: dict
    departments: list
    staff: dict  # department code -> {stage: user}
    citizen: object
    person: object
    item: ServiceItem
    extra: dict = field(default_factory=dict)

    def reviewer(self, dept, stage="undertake"):
        return self.staff[dept.code][stage]


def build_world(
    n: int = 3,
    *,
    stages: dict[int, list[str]] | None = None,
    lead_stages: list[str] | None = None,
    onsite_inspection: bool = False,
    materials: list[dict] | None = None,
    service_model: str | None = None,
    consult_mode: str = "",
) -> World:
    """``stages``: department index → its stages (default one stage)."""
    stages = stages or {}
    lead = f.department(name="市场监督管理局")
    departments = [f.department(name=f"参与部门{i + 1}") for i in range(n)]
    stage_map = {d.code: stages.get(i, ["undertake"]) for i, d in enumerate(departments)}
    stage_map[lead.code] = lead_stages or ["undertake"]
    item = f.published_item(
        lead=lead,
        parallel=departments,
        stages=stage_map,
        onsite_inspection=onsite_inspection,
        materials=materials,
        service_model=service_model or ("parallel" if n else "single_department"),
        consult_mode=consult_mode,
    )
    staff: dict = {}
    for d in [lead, *departments]:
        staff[d.code] = {s: f.staff(d, Role.REVIEWER, s) for s in stage_map[d.code]}
    lead_staff = staff[lead.code]
    user, person = f.citizen()
    return World(lead, lead_staff, departments, staff, user, person, item)


def new_case(
    world: World, *, actor=None, on_behalf_of=None, upload=True, upload_tolerable=True
) -> Application:
    """A draft with its required materials uploaded (``upload_tolerable=False`` leaves the
    tolerable ones missing: acceptance must then tolerate them, 容缺受理, or ask for them)."""
    actor = actor or world.citizen
    app = services.application_create(
        actor=actor, item=world.item, form={"summary": "申请"}, on_behalf_of=on_behalf_of
    )
    if upload:
        for req in world.item.current_version.snapshot["materials"]:
            if req["required"] and (upload_tolerable or not req.get("tolerable")):
                services.material_upload(
                    actor=actor,
                    application=app,
                    requirement_id=req["id"],
                    uploaded_file=f.pdf_file(),
                )
    return app


def submitted_case(world: World, **kw) -> Application:
    app = new_case(world, **kw)
    services.application_submit(actor=kw.get("actor") or world.citizen, application=app)
    app.refresh_from_db()
    return app


def open_task(app: Application, *, kind: str, department=None) -> CaseTask:
    qs = CaseTask.objects.filter(
        application=app, kind=kind, status__in=[TaskStatus.OPEN, TaskStatus.ASSIGNED]
    )
    if department is not None:
        qs = qs.filter(department=department)
    tasks = list(qs)
    assert len(tasks) == 1, tasks
    return tasks[0]


def accept(world: World, app: Application) -> None:
    task = open_task(app, kind="acceptance")
    services.task_complete(task=task, actor=world.lead_staff["undertake"], decision="approve")


def approve_department(world: World, app: Application, dept) -> None:
    for stage in world.staff[dept.code]:
        task = open_task(app, kind="review", department=dept)
        assert task.stage == stage
        services.task_complete(
            task=task, actor=world.reviewer(dept, stage), decision="approve", opinion="同意"
        )


def decide(world: World, app: Application, decision="approve", opinion="准予许可"):
    task = open_task(app, kind="decision")
    lead_stage = task.stage
    services.task_complete(
        task=task, actor=world.lead_staff[lead_stage], decision=decision, opinion=opinion
    )
