"""A small world for process-centred cases: the 12345 centre (the coordinating office) with a
reviewer and a head, departments it dispatches to (each with a reviewer), a citizen and a
published complaint item whose dispatch catalogue names the departments; plus helpers that
drive a case through triage, handling and reply review."""

from __future__ import annotations

from dataclasses import dataclass

from departments.models import Role
from permits.models import Application, ServiceItem
from tests.workflow import factories as f
from tests.workflow.journey import open_task
from workflow import services


@dataclass
class ProcessWorld:
    office: object
    operator: object  # a reviewer of the office (triage, reply review)
    departments: list
    handlers: dict  # department code -> reviewer
    citizen: object
    person: object
    item: ServiceItem
    outsider: object  # a department never dispatched, with its reviewer
    outsider_staff: object

    def handler(self, dept):
        return self.handlers[dept.code]


def build_process_world(
    n: int = 2, *, category: str = "complaint", item_settings: dict | None = None
) -> ProcessWorld:
    office = f.department(name="12345热线中心")
    departments = [f.department(name=name) for name in ["生态环境局", "公安局", "住建局"][:n]]
    item = f.process_item(
        lead=office, dispatch=departments, category=category, item_settings=item_settings
    )
    handlers = {d.code: f.staff(d, Role.REVIEWER) for d in departments}
    outsider = f.department(name="教育局")
    user, person = f.citizen()
    return ProcessWorld(
        office=office,
        operator=f.staff(office, Role.REVIEWER),
        departments=departments,
        handlers=handlers,
        citizen=user,
        person=person,
        item=item,
        outsider=outsider,
        outsider_staff=f.staff(outsider, Role.REVIEWER),
    )


def filed_complaint(world: ProcessWorld, text: str = "楼下工地夜间施工噪声扰民") -> Application:
    app = services.application_create(actor=world.citizen, item=world.item, form={"summary": text})
    services.application_submit(actor=world.citizen, application=app)
    app.refresh_from_db()
    return app


def dispatch(world: ProcessWorld, app: Application, *departments, may_return=True, **extra):
    task = open_task(app, kind="triage")
    services.task_complete(
        task=task,
        actor=world.operator,
        decision="dispatch",
        departments=[
            {"code": d.code, "instructions": f"请{d.name}核查处理", "may_return": may_return}
            for d in departments
        ],
        **extra,
    )
    app.refresh_from_db()
    return task


def reply(world: ProcessWorld, app: Application, dept, text: str | None = None, **extra):
    task = open_task(app, kind="handling", department=dept)
    services.task_complete(
        task=task,
        actor=world.handler(dept),
        decision="reply",
        opinion=text or f"{dept.name}已到现场核查处理",
        **extra,
    )
    return task


def give_back(world: ProcessWorld, app: Application, dept, reasons: str = "不属于本部门职责"):
    task = open_task(app, kind="handling", department=dept)
    services.task_complete(task=task, actor=world.handler(dept), decision="return", opinion=reasons)
    return task


def send_answer(world: ProcessWorld, app: Application, text: str = ""):
    task = open_task(app, kind="reply_review")
    services.task_complete(task=task, actor=world.operator, decision="approve", opinion=text)
    app.refresh_from_db()
    return task
