"""The parallel-licensing flow end to end through the services (DESIGN.md §4 flow 1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS

from permits.exceptions import Conflict as PermitsConflict
from permits.exceptions import Invalid
from permits.models import Application, Certificate, Event, SupplementNotice
from tests.workflow import factories as f
from tests.workflow.journey import (
    accept,
    approve_department,
    build_world,
    decide,
    new_case,
    open_task,
    submitted_case,
)
from workflow import services
from workflow.exceptions import Conflict, MissingMaterials
from workflow.models import CaseProcess, CaseTask

pytestmark = pytest.mark.django_db

NOW = "2026-11-02 09:00:00+08:00"  # a Monday


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.mark.parametrize("n", [1, 3, 6])
def test_journey_n_departments_in_parallel(n):
    # Given an item with n participating departments, one of them with three stages
    world = build_world(n, stages={0: ["undertake", "check", "sign"]})
    app = submitted_case(world)
    assert app.status == "submitted"
    assert app.number.startswith("YF20261102")

    # When the lead accepts, every department is told and gets its review at once
    accept(world, app)
    app.refresh_from_db()
    assert app.status == "in_review"
    assert app.due_at is not None and app.legal_due_at is not None
    reviews = CaseTask.objects.filter(application=app, kind="review")
    assert {t.department_id for t in reviews} == {d.pk for d in world.departments}
    assert all(t.status == "open" and t.due_at for t in reviews)
    notified = Event.objects.filter(application=app, action="department_notified")
    assert {e.department_id for e in notified} == {d.pk for d in world.departments}

    # Then each department approves (the first through its three stages)
    for i, dept in enumerate(world.departments):
        approve_department(world, app, dept)
        if i < n - 1:
            assert not CaseTask.objects.filter(application=app, kind="decision").exists()
    stages = list(
        CaseTask.objects.filter(application=app, department=world.departments[0])
        .order_by("pk")
        .values_list("stage", flat=True)
    )
    assert stages == ["undertake", "check", "sign"]
    assert (
        Task.objects.filter(process__caseprocess__application=app, flow_task_type="JOIN").count()
        == 1
    )

    # The lead decides: approved with a certificate that verifies
    decide(world, app)
    app.refresh_from_db()
    assert app.status == "approved"
    cert = Certificate.objects.get(application=app)
    assert cert.type == "测试许可证" and cert.is_valid_on()
    assert CaseProcess.objects.get(application=app).status == PROCESS.DONE
    statuses = set(app.participations.values_list("status", flat=True))
    assert statuses == {"approved"}


def test_the_join_s_waiting_task_query_is_kept_and_a_second_join_instance_is_refused():
    """The waiting join task is found by a query compiled once (``_waiting_join_query``), and
    viewflow's own check holds: a process with two waiting join tasks is an error."""
    from onestop.prepared import _UNPREPARABLE
    from workflow.flows.parallel import _waiting_join_query

    world = build_world(3)
    app = submitted_case(world)
    accept(world, app)
    approve_department(world, app, world.departments[0])  # creates the join task
    approve_department(world, app, world.departments[1])  # finds it waiting
    assert _waiting_join_query(Task)._prepared("default") is not _UNPREPARABLE
    join = Task.objects.get(process__caseprocess__application=app, flow_task_type="JOIN")
    assert join.status == "STARTED" and join.previous.count() == 2

    Task.objects.create(
        process=join.process, flow_task=join.flow_task, token=join.token, status="NEW"
    )
    with pytest.raises(FlowRuntimeError, match="More than one join instance"):
        approve_department(world, app, world.departments[2])
    assert not CaseTask.objects.filter(application=app, kind="decision").exists()


def test_single_department_item_goes_straight_to_decision():
    world = build_world(0)
    app = submitted_case(world)
    accept(world, app)
    assert not CaseTask.objects.filter(application=app, kind="review").exists()
    decide(world, app)
    app.refresh_from_db()
    assert app.status == "approved"


def test_submit_refuses_missing_key_material_but_not_a_tolerable_one():
    world = build_world(
        1,
        materials=[
            {"name": "申请书", "required": True},
            {"name": "场地证明", "required": True, "tolerable": True},
        ],
    )
    app = new_case(world, upload=False)
    with pytest.raises(MissingMaterials) as exc:
        services.application_submit(actor=world.citizen, application=app)
    assert [m["name"] for m in exc.value.missing] == ["申请书"]
    key, tolerable = f.requirement_ids(world.item)
    services.material_upload(
        actor=world.citizen, application=app, requirement_id=key, uploaded_file=f.pdf_file()
    )
    services.application_submit(actor=world.citizen, application=app)
    # 容缺受理: accepted with the tolerable material missing, under a deadline
    task = open_task(app, kind="acceptance")
    services.task_complete(
        task=task,
        actor=world.lead_staff["undertake"],
        decision="approve",
        tolerated=[tolerable],
        # Within the promised 10 working days, with the applicant's signed commitment.
        tolerance_deadline=(timezone.localdate() + timedelta(days=3)).isoformat(),
        commitment_signed=True,
    )
    app.refresh_from_db()
    assert app.status == "in_review" and app.tolerated == [tolerable]


def test_submit_validates_the_form():
    world = build_world(1)
    app = services.application_create(actor=world.citizen, item=world.item, form={})
    services.material_upload(
        actor=world.citizen,
        application=app,
        requirement_id=f.requirement_ids(world.item)[0],
        uploaded_file=f.pdf_file(),
    )
    with pytest.raises(Invalid) as exc:
        services.application_submit(actor=world.citizen, application=app)
    assert "summary" in exc.value.fields["form"]


def test_not_accepted_with_reasons_and_remedy():
    world = build_world(2)
    app = submitted_case(world)
    task = open_task(app, kind="acceptance")
    with pytest.raises(Invalid):
        services.task_complete(task=task, actor=world.lead_staff["undertake"], decision="deny")
    services.task_complete(
        task=task,
        actor=world.lead_staff["undertake"],
        decision="deny",
        opinion="不属于本机关受理范围",
        competent_agency="云浮市生态环境局",
    )
    app.refresh_from_db()
    assert app.status == "not_accepted"
    event = Event.objects.get(application=app, action="not_accepted")
    assert "不属于本机关受理范围" in event.note
    assert "云浮市生态环境局" in event.note
    assert "行政复议" in event.note and "行政诉讼" in event.note
    assert not CaseTask.objects.filter(application=app, kind="review").exists()
    assert CaseProcess.objects.get(application=app).status == PROCESS.DONE


def test_denial_by_a_department_reaches_the_decision_with_every_reason():
    world = build_world(3)
    app = submitted_case(world)
    accept(world, app)
    d1, d2, d3 = world.departments
    approve_department(world, app, d1)
    for dept, reason in ((d2, "消防条件不符合"), (d3, "环评未通过")):
        services.task_complete(
            task=open_task(app, kind="review", department=dept),
            actor=world.reviewer(dept),
            decision="deny",
            opinion=reason,
        )
    reasons = {r["status"] for r in services.department_reasons(app)}
    assert "denied" in reasons
    decide(world, app, decision="deny", opinion="部门审查未通过")
    app.refresh_from_db()
    assert app.status == "denied"
    notice = Event.objects.get(application=app, action="denied").note
    assert "消防条件不符合" in notice and "环评未通过" in notice
    assert "行政复议" in notice and "行政诉讼" in notice
    assert not Certificate.objects.filter(application=app).exists()


def test_inspection_path():
    world = build_world(1, onsite_inspection=True)
    app = submitted_case(world)
    accept(world, app)
    approve_department(world, app, world.departments[0])
    task = open_task(app, kind="inspection")
    assert Event.objects.filter(application=app, action="inspection_needed").exists()
    with pytest.raises(Invalid) as exc:
        services.task_complete(task=task, actor=world.lead_staff["undertake"], decision="pass")
    assert set(exc.value.fields) == {"inspected_on", "inspectors", "findings"}
    services.task_complete(
        task=task,
        actor=world.lead_staff["undertake"],
        decision="pass",
        inspected_on="2026-11-03",
        inspectors=["王五", "赵六"],
        findings="经营场所与申报一致",
    )
    task.refresh_from_db()
    assert task.result["inspectors"] == ["王五", "赵六"]
    decide(world, app)
    app.refresh_from_db()
    assert app.status == "approved"


def test_supplement_at_acceptance_pauses_and_returns_to_submitted():
    world = build_world(1)
    app = submitted_case(world)
    task = open_task(app, kind="acceptance")
    req = f.requirement_ids(world.item)[0]
    services.task_complete(
        task=task,
        actor=world.lead_staff["undertake"],
        decision="supplement",
        missing=[{"requirement": req, "material": None, "note": "请补充盖章页"}],
    )
    app.refresh_from_db()
    assert app.status == "supplement" and app.paused
    assert Event.objects.filter(application=app, action="paused").count() == 1
    with pytest.raises(Conflict):
        services.task_complete(task=task, actor=world.lead_staff["undertake"], decision="approve")

    with time_machine.travel("2026-11-04 10:00:00+08:00"):
        services.material_upload(
            actor=world.citizen, application=app, requirement_id=req, uploaded_file=f.pdf_file()
        )
        services.application_submit(actor=world.citizen, application=app)
    app.refresh_from_db()
    assert app.status == "submitted" and not app.paused
    assert Event.objects.filter(application=app, action="resumed").count() == 1
    # Back at the same step: the same acceptance task, waiting no more
    accept(world, app)
    app.refresh_from_db()
    assert app.status == "in_review"


def test_supplement_from_two_departments_is_one_notice_and_each_returns_to_its_step():
    world = build_world(3, stages={1: ["undertake", "check"]})
    app = submitted_case(world)
    accept(world, app)
    d1, d2, d3 = world.departments
    approve_department(world, app, d3)
    # d2 passes its first stage; its second stage asks for a supplement, so does d1
    services.task_complete(
        task=open_task(app, kind="review", department=d2),
        actor=world.reviewer(d2, "undertake"),
        decision="approve",
    )
    t2 = open_task(app, kind="review", department=d2)
    assert t2.stage == "check"
    before = {t.pk: t.due_at for t in CaseTask.objects.filter(application=app, status="open")}
    services.task_complete(
        task=open_task(app, kind="review", department=d1),
        actor=world.reviewer(d1),
        decision="supplement",
        missing=[{"requirement": None, "material": None, "note": "补充营业执照副本"}],
    )
    services.task_complete(
        task=t2,
        actor=world.reviewer(d2, "check"),
        decision="supplement",
        missing=[{"requirement": None, "material": None, "note": "补充消防图纸"}],
    )
    app.refresh_from_db()
    assert app.status == "supplement" and app.paused
    notice = SupplementNotice.objects.get(application=app)
    assert [r["note"] for r in notice.requests] == ["补充营业执照副本", "补充消防图纸"]
    assert {r["department"] for r in notice.requests} == {d1.code, d2.code}
    assert Event.objects.filter(application=app, action="paused").count() == 1
    assert set(app.participations.filter(role="parallel").values_list("status", flat=True)) == {
        "supplement",
        "approved",
    }

    with time_machine.travel("2026-11-05 09:00:00+08:00"):
        services.application_submit(actor=world.citizen, application=app)
    app.refresh_from_db()
    assert app.status == "in_review" and not app.paused
    notice.refresh_from_db()
    assert notice.answered_at is not None
    # Each asking department is back at its step, clocks moved on by the paused time
    t1 = open_task(app, kind="review", department=d1)
    t2b = open_task(app, kind="review", department=d2)
    assert t2b.pk == t2.pk and t2b.stage == "check" and not t2b.awaiting_applicant
    assert t1.due_at > before[t1.pk]
    services.task_complete(task=t1, actor=world.reviewer(d1), decision="approve")
    services.task_complete(task=t2b, actor=world.reviewer(d2, "check"), decision="approve")
    decide(world, app)
    app.refresh_from_db()
    assert app.status == "approved"


def test_withdrawal_cancels_tasks_and_process():
    world = build_world(2)
    app = submitted_case(world)
    accept(world, app)
    services.application_withdraw(actor=world.citizen, application=app)
    app.refresh_from_db()
    assert app.status == "withdrawn"
    assert not CaseTask.objects.filter(application=app, status__in=["open", "assigned"]).exists()
    assert CaseProcess.objects.get(application=app).status == PROCESS.CANCELED
    with pytest.raises(Conflict):
        services.application_withdraw(actor=world.citizen, application=app)


def test_events_are_append_only():
    world = build_world(1)
    app = submitted_case(world)
    event = Event.objects.filter(application=app).first()
    event.note = "changed"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        Event.objects.filter(application=app).delete()
    with pytest.raises(ValidationError):
        Event.objects.filter(application=app).update(note="x")


def test_numbers_are_sequential_per_day():
    world = build_world(1)
    a = new_case(world, upload=False)
    b = new_case(world, upload=False)
    assert int(b.number[-6:]) == int(a.number[-6:]) + 1
    assert Application.objects.filter(number__startswith="YF20261102").count() == 2


def test_suspended_item_drafts_cannot_be_submitted_but_cases_in_flight_go_on():
    world = build_world(1)
    in_flight = submitted_case(world)
    draft = new_case(world)
    world.item.status = "suspended"
    world.item.save(update_fields=["status"])
    with pytest.raises(PermitsConflict):
        services.application_submit(actor=world.citizen, application=draft)
    accept(world, in_flight)
    in_flight.refresh_from_db()
    assert in_flight.status == "in_review"


def test_window_clerk_enters_a_walk_in_case_and_hands_the_result_over():
    world = build_world(1)
    reg = world.lead.region
    centre_dept = f.department(name="政务服务中心")
    f.centre(reg, centre_dept)
    clerk = f.staff(centre_dept, role="clerk")
    app = services.application_create(
        actor=clerk,
        item=world.item,
        form={"summary": "窗口受理"},
        channel="window",
        applicant={
            "real_name": "李四",
            "id_type": "resident_id",
            "id_number": f.resident_id(777),
            "phone": "13900000000",
        },
    )
    assert app.channel == "window" and app.created_by == clerk and app.centre is not None
    assert app.applicant_person.real_name == "李四"
    services.material_upload(
        actor=clerk,
        application=app,
        requirement_id=f.requirement_ids(world.item)[0],
        uploaded_file=f.pdf_file(),
    )
    services.application_submit(actor=clerk, application=app)
    accept(world, app)
    approve_department(world, app, world.departments[0])
    decide(world, app)
    with pytest.raises(Invalid):
        services.application_handover(actor=clerk, application=app, method="mail")
    with pytest.raises(Invalid) as exc:
        services.application_handover(
            actor=clerk, application=app, method="window", collected_by="李四"
        )
    assert set(exc.value.fields) == {"id_checked"}  # pick-up needs the ID checked
    services.application_handover(
        actor=clerk,
        application=app,
        method="window",
        collected_by="李四",
        id_checked=True,
        collector_id_number=f.resident_id(777),
    )
    app.refresh_from_db()
    assert app.status == "closed" and app.handover["method"] == "window"
    assert app.handover["collected_by"] == "李四" and app.handover["id_checked"] is True
    assert app.handover["collected_at"] and app.handover["handed_over_by"] == clerk.username
    assert f.resident_id(777) not in str(app.handover)  # the ID is kept masked
    assert Event.objects.filter(application=app, action="handed_over").exists()


def test_flow_registry_and_the_old_flow_path_still_resolve():
    """The flows became a package: the registry names the flow per service model, and a process
    or task reference stored under the old path (``workflow/flows.ParallelLicensingFlow``) still
    resolves; migration 0005 moves stored references to the new module."""
    import importlib

    from django.db import connection
    from viewflow.workflow.fields import import_flow_by_ref, import_task_by_ref

    from permits.models import ServiceModel
    from workflow.flows.parallel import ParallelLicensingFlow
    from workflow.flows.registry import NoFlow, flow_for, has_flow

    assert flow_for(ServiceModel.PARALLEL) is ParallelLicensingFlow
    assert flow_for(ServiceModel.SINGLE_DEPARTMENT) is ParallelLicensingFlow
    assert has_flow(ServiceModel.CORE_DEPARTMENT)
    assert flow_for(ServiceModel.CORE_DEPARTMENT).__name__ == "CoreDepartmentFlow"
    assert flow_for(ServiceModel.PROCESS_CENTRED).__name__ == "ProcessCentredFlow"
    with pytest.raises(NoFlow):
        flow_for("no_such_model")
    assert import_flow_by_ref("workflow/flows.ParallelLicensingFlow") is ParallelLicensingFlow
    assert import_task_by_ref("workflow/flows.ParallelLicensingFlow.review").name == "review"

    world = build_world(1)
    app = submitted_case(world)
    process = CaseProcess.objects.get(application=app)
    assert process.flow_class is ParallelLicensingFlow
    migration = importlib.import_module("workflow.migrations.0005_flow_class_paths")
    with connection.cursor() as cursor:
        for sql in migration.BACKWARD:
            cursor.execute(sql)
        cursor.execute("SELECT flow_class FROM viewflow_process WHERE id = %s", [process.pk])
        assert cursor.fetchone()[0] == "workflow/flows.ParallelLicensingFlow"
        # a case in flight under the old reference still moves (its lock, its nodes)
        accept(world, app)
        for sql in migration.FORWARD:
            cursor.execute(sql)
        cursor.execute("SELECT flow_class FROM viewflow_process WHERE id = %s", [process.pk])
        assert cursor.fetchone()[0] == "workflow/flows.parallel.ParallelLicensingFlow"
        cursor.execute(
            "SELECT count(*) FROM viewflow_task WHERE process_id = %s AND flow_task NOT LIKE %s",
            [process.pk, "workflow/flows.parallel.ParallelLicensingFlow.%"],
        )
        assert cursor.fetchone()[0] == 0
    approve_department(world, app, world.departments[0])
    decide(world, app)
    app.refresh_from_db()
    assert app.status == "approved"
