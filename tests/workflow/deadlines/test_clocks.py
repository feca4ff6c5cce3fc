"""Worked examples of the clock rules of DESIGN.md §4 (workflow.deadlines.clocks): pauses and
resumes, special procedures, the acceptance rule (第三十二条) and both kinds of extension
(第四十二条)."""

from __future__ import annotations

from datetime import date

import pytest
from django.template import Context, Template

from departments.models import Role
from permits.models import ApplicationDepartment, Event
from tests.workflow import factories as f
from tests.workflow.deadlines.helpers import (
    case_in_review,
    eod,
    marks,
    review_tasks,
    sh,
    travel,
)
from tests.workflow.journey import build_world, open_task, submitted_case
from workflow import services
from workflow.deadlines import calendar as cal
from workflow.deadlines import clocks, sweep
from workflow.deadlines.clocks import ClockError
from workflow.models import ClockExtension, ClockPause

pytestmark = pytest.mark.django_db


def actions(app, action):
    return list(Event.objects.filter(application=app, action=action).order_by("pk"))


# --- Pure arithmetic ----------------------------------------------------------------------


def test_paused_working_days_across_the_spring_festival(work_calendar):
    # Paused Fri 13 Feb 2026, resumed Tue 24 Feb: after the 13th up to the 24th, the working
    # days are the adjusted Sat 14 and Tue 24 (15–23 are holidays) → the due moves by 2.
    due = eod(2026, 2, 27)
    moved = clocks.shift(due, since=sh(2026, 2, 13), until=sh(2026, 2, 24), unit="working_day")
    # Two working days after Fri 27 Feb: Sat 28 (adjusted) and Mon 2 March.
    assert moved == cal.end_of_day(cal.add_working_days(date(2026, 2, 27), 2)) == eod(2026, 3, 2)


def test_paused_calendar_days_count_every_day(work_calendar):
    due = eod(2026, 2, 27)
    moved = clocks.shift(due, since=sh(2026, 2, 13), until=sh(2026, 2, 24), unit="calendar_day")
    assert moved == eod(2026, 3, 10)  # 11 calendar days later


def test_a_pause_resumed_the_same_day_costs_nothing(work_calendar):
    due = eod(2026, 3, 9)
    assert clocks.shift(due, since=sh(2026, 3, 4, 9), until=sh(2026, 3, 4, 17), unit="working_day")
    assert (
        clocks.shift(due, since=sh(2026, 3, 4, 9), until=sh(2026, 3, 4, 17), unit="working_day")
        == due
    )


def test_yellow_threshold_follows_the_setting(work_calendar, settings):
    settings.DEADLINE_YELLOW_WORKING_DAYS = 3
    # Due Mon 9 March: three working days before is Wed 4 March.
    assert clocks.yellow_threshold(eod(2026, 3, 9)) == eod(2026, 3, 4)


# --- Supplements ----------------------------------------------------------------------------


def test_supplement_pauses_every_clock_and_resume_adds_the_paused_working_days(work_calendar):
    world, app = case_in_review(2)
    first, second = review_tasks(app)
    with travel(sh(2026, 3, 5)):  # Thu 5 March
        services.task_complete(
            task=first,
            actor=world.reviewer(world.departments[0]),
            decision="supplement",
            missing=[{"requirement": None, "material": None, "note": "请补充说明"}],
        )
    app.refresh_from_db()
    second.refresh_from_db()
    assert app.paused and second.paused  # every clock of the case, not only the asker's
    pause = ClockPause.objects.get(application=app)
    assert pause.reason == "supplement" and pause.whole_case
    # The API's ``paused`` follows the column while it lasts.
    with travel(sh(2026, 3, 11, 15)):  # answered Wed 11 March
        services.application_submit(actor=world.citizen, application=app)
    app.refresh_from_db()
    pause.refresh_from_db()
    # Fri 6, Mon 9, Tue 10, Wed 11: four working days not counted.
    assert pause.working_days == 4 and pause.calendar_days == 6
    assert not app.paused
    assert app.due_at == eod(2026, 3, 20)  # Mon 16 March + 4
    assert app.legal_due_at == eod(2026, 4, 3)  # Mon 30 March + 4
    for task in review_tasks(app):
        assert task.due_at == eod(2026, 3, 13) and not task.paused
    for row in ApplicationDepartment.objects.filter(application=app, role="parallel"):
        assert row.due_at == eod(2026, 3, 13)
    assert [e.action for e in actions(app, "paused") + actions(app, "resumed")] == [
        "paused",
        "resumed",
    ]
    assert actions(app, "resumed")[0].data["paused_working_days"] == 4


# --- Special procedures (第四十五条) ------------------------------------------------------------


def test_special_procedure_pauses_only_the_clocks_it_concerns(work_calendar):
    world, app = case_in_review(2)
    first, second = review_tasks(app)
    reviewer = world.reviewer(world.departments[0])
    with travel(sh(2026, 3, 3, 9)):  # Tue 3 March: expert review starts
        pause = clocks.clock_pause_special(
            actor=reviewer, application=app, procedure="expert_review", note="组织专家评审"
        )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.paused and not second.paused
    assert pause.task_ids == [first.pk]
    app.refresh_from_db()
    assert not app.paused  # the case clock runs on
    # Nothing of the paused task is swept, however late; the other one turns red.
    result = sweep.sweep_inline(now=sh(2026, 3, 10, 0, 0, 1))
    assert result.marked["task_red"] == 1
    assert [m.task_id for m in marks(app, "red")] == [second.pk]
    with travel(sh(2026, 3, 12, 16)):  # Thu 12 March: the experts have answered
        clocks.clock_resume_special(actor=reviewer, pause=pause, note="专家评审完毕")
    first.refresh_from_db()
    pause.refresh_from_db()
    # Wed 4 … Thu 12 March: 7 working days not counted → Mon 9 + 7 = Wed 18 March.
    assert pause.working_days == 7
    assert first.due_at == eod(2026, 3, 18) and not first.paused
    assert [e.data["reason"] for e in actions(app, "clock_paused")] == ["expert_review"]
    assert len(actions(app, "clock_resumed")) == 1


def test_special_procedure_needs_a_procedure_of_article_45_and_a_right_to_act(work_calendar):
    world, app = case_in_review(1)
    reviewer = world.reviewer(world.departments[0])
    with pytest.raises(ClockError):
        clocks.clock_pause_special(actor=reviewer, application=app, procedure="on_site")
    outsider = f.staff(f.department(), Role.REVIEWER)
    with pytest.raises(Exception):  # noqa: B017 - not found or forbidden, never a pause
        clocks.clock_pause_special(actor=outsider, application=app, procedure="hearing")
    assert not ClockPause.objects.filter(application=app).exists()


# --- Acceptance (第三十二条) ---------------------------------------------------------------------


def test_acceptance_is_due_in_five_working_days_and_turns_red_at_the_limit(work_calendar):
    with travel(sh(2026, 2, 13)):  # Fri 13 Feb, before the Spring Festival
        world = build_world(1)
        app = submitted_case(world)
    task = open_task(app, kind="acceptance")
    # Sat 14 (adjusted), Tue 24, Wed 25, Thu 26, Fri 27 Feb.
    assert task.due_at == eod(2026, 2, 27)
    assert sweep.sweep_inline(now=sh(2026, 2, 27, 23)).marked["task_red"] == 0
    result = sweep.sweep_inline(now=sh(2026, 2, 28, 0, 0, 1))
    assert result.marked["task_red"] == 1
    task.refresh_from_db()
    assert task.warning == "red"
    assert len(actions(app, "task_escalated")) == 1


def test_late_acceptance_without_a_notice_in_time_is_dated_back(work_calendar):
    with travel(sh(2026, 3, 2)):  # submitted Mon 2 March; acceptance due Mon 9 March
        world = build_world(1)
        app = submitted_case(world)
    with travel(sh(2026, 3, 11)):  # accepted Wed 11 March, late, no supplement notice
        services.task_complete(
            task=open_task(app, kind="acceptance"),
            actor=world.lead_staff["undertake"],
            decision="approve",
        )
    app.refresh_from_db()
    # Counted from the submission: 10 working days after Mon 2 March is Mon 16 March (not
    # Wed 25 March, as counting from the acceptance would give); legally Mon 30 March.
    assert app.due_at == eod(2026, 3, 16)
    assert app.legal_due_at == eod(2026, 3, 30)
    assert len(actions(app, "clock_dated_back")) == 1


def test_a_supplement_notice_in_time_keeps_the_clock_at_the_acceptance(work_calendar):
    with travel(sh(2026, 3, 2)):
        world = build_world(1)
        app = submitted_case(world)
    with travel(sh(2026, 3, 4)):  # notice on Wed 4 March, within the five days
        services.task_complete(
            task=open_task(app, kind="acceptance"),
            actor=world.lead_staff["undertake"],
            decision="supplement",
            missing=[{"requirement": None, "material": None, "note": "补充"}],
        )
    with travel(sh(2026, 3, 9)):
        services.application_submit(actor=world.citizen, application=app)
    with travel(sh(2026, 3, 12)):  # accepted Thu 12 March
        services.task_complete(
            task=open_task(app, kind="acceptance"),
            actor=world.lead_staff["undertake"],
            decision="approve",
        )
    app.refresh_from_db()
    assert app.due_at == eod(2026, 3, 26)  # 10 working days after Thu 12 March
    assert actions(app, "clock_dated_back") == []


# --- Extensions (第四十二条) ---------------------------------------------------------------------


def test_single_department_extension_by_its_head_once(work_calendar):
    world, app = case_in_review(2)
    dept = world.departments[0]
    head = f.staff(dept, Role.HEAD)
    part = ApplicationDepartment.objects.get(application=app, department=dept)
    with pytest.raises(ClockError):  # a reviewer is not the head
        clocks.clock_extend(
            actor=world.reviewer(dept),
            application=app,
            kind="single",
            reason="复杂",
            participation=part,
        )
    with pytest.raises(ClockError):  # a reason is required
        clocks.clock_extend(
            actor=head, application=app, kind="single", reason=" ", participation=part
        )
    with travel(sh(2026, 3, 5)):
        ext = clocks.clock_extend(
            actor=head, application=app, kind="single", reason="需要现场核实", participation=part
        )
    assert ext.days == 10 and ext.approved_by == head and ext.reason == "需要现场核实"
    part.refresh_from_db()
    # Mon 9 March + 10 working days = Mon 23 March; the task's clock with it.
    assert part.due_at == eod(2026, 3, 23)
    task = next(t for t in review_tasks(app) if t.department_id == dept.pk)
    assert task.due_at == eod(2026, 3, 23) and task.yellow_at == eod(2026, 3, 20)
    other = ApplicationDepartment.objects.get(application=app, department=world.departments[1])
    assert other.due_at == eod(2026, 3, 9)  # another department's limit is its own
    event = actions(app, "clock_extended")[0]
    assert event.actor == head and event.note == "需要现场核实" and event.data["days"] == 10
    with pytest.raises(ClockError):  # once only
        clocks.clock_extend(
            actor=head, application=app, kind="single", reason="再延", participation=part
        )
    assert ClockExtension.objects.count() == 1


def test_joint_extension_by_the_government_leader_recorded_by_the_lead_head(work_calendar):
    world, app = case_in_review(2)
    head = f.staff(world.lead, Role.HEAD)
    with pytest.raises(ClockError):  # the leader must be named
        clocks.clock_extend(actor=head, application=app, kind="joint", reason="联合审查复杂")
    with pytest.raises(ClockError):  # another department's head may not
        clocks.clock_extend(
            actor=f.staff(world.departments[0], Role.HEAD),
            application=app,
            kind="joint",
            reason="联合审查复杂",
            approver_title="云浮市人民政府副市长",
        )
    with travel(sh(2026, 3, 5)):
        ext = clocks.clock_extend(
            actor=head,
            application=app,
            kind="joint",
            reason="联合审查复杂",
            approver_title="云浮市人民政府副市长",
        )
    app.refresh_from_db()
    assert ext.days == 15 and ext.approver_title == "云浮市人民政府副市长"
    # Legal due Mon 30 March + 15 working days, Qingming (Sat 4 – Mon 6 April) not counted:
    # 31 Mar, 1–3, 7–10, 13–17, 20, 21 April → Tue 21 April. Promised Mon 16 March + 15:
    # 17–20, 23–27, 30, 31 March, 1–3, 7 April → Tue 7 April.
    assert app.legal_due_at == eod(2026, 4, 21)
    assert app.due_at == eod(2026, 4, 7)
    with pytest.raises(ClockError):
        clocks.clock_extend(
            actor=head, application=app, kind="joint", reason="再延", approver_title="副市长"
        )


def test_joint_extension_is_for_cases_handled_in_parallel(work_calendar):
    world, app = case_in_review(0)
    head = f.staff(world.lead, Role.HEAD)
    with pytest.raises(ClockError):
        clocks.clock_extend(
            actor=head, application=app, kind="joint", reason="x", approver_title="副市长"
        )


def test_single_department_case_extension_moves_the_case_clock(work_calendar):
    world, app = case_in_review(0)
    head = f.staff(world.lead, Role.HEAD)
    part = ApplicationDepartment.objects.get(application=app, role="lead")
    clocks.clock_extend(
        actor=head, application=app, kind="single", reason="复杂", participation=part
    )
    app.refresh_from_db()
    # Mon 30 March + 10 working days: 31 March, 1–3, 7–10, 13, 14 April (Qingming 4–6 April).
    assert app.legal_due_at == eod(2026, 4, 14)


# --- Time used and left ---------------------------------------------------------------------


def test_clock_state_and_template_tag(work_calendar):
    world, app = case_in_review(1)
    task = review_tasks(app)[0]
    with travel(sh(2026, 3, 4)):  # Wed 4 March: Tue 3 spent; Wed 4 … Mon 9 left (4)
        state = clocks.clock_state(task)
        assert (state["status"], state["used"], state["left"]) == ("green", 1, 4)
        html = Template("{% load deadline_tags %}{% clock task %}").render(Context({"task": task}))
        assert 'data-clock="green"' in html
    with travel(sh(2026, 3, 9)):
        assert clocks.clock_state(task)["status"] == "yellow"
    with travel(sh(2026, 3, 11)):
        state = clocks.clock_state(task)
        assert (state["status"], state["left"]) == ("red", -2)
        html = Template("{% load deadline_tags %}{% clock task %} {{ task|working_days_left }}")
        rendered = html.render(Context({"task": task}))
        assert 'data-clock="red"' in rendered and rendered.endswith("-2")
    # The case (the citizen's progress page): 10 working days from Mon 2 March.
    with travel(sh(2026, 3, 4)):
        state = clocks.clock_state(app)
        assert (state["used"], state["left"]) == (1, 9)


def test_case_clock_page_pauses_resumes_and_extends(work_calendar, client):
    world, app = case_in_review(1)
    dept = world.departments[0]
    reviewer = world.reviewer(dept)
    head = f.staff(dept, Role.HEAD)
    url = f"/office/clock/{app.number}/"
    client.force_login(world.citizen)
    assert client.get(url).status_code == 404  # not staff
    client.force_login(f.staff(f.department(), Role.REVIEWER))
    assert client.get(url).status_code == 404  # a foreign case
    client.force_login(reviewer)
    assert client.get(url).status_code == 200
    task = review_tasks(app)[0]
    client.post(url + "pause/", {"procedure": "hearing", "tasks": [task.pk], "note": "听证"})
    task.refresh_from_db()
    assert task.paused
    pause = ClockPause.objects.get(application=app, reason="hearing")
    client.post(url + "resume/", {"pause": pause.pk})
    task.refresh_from_db()
    assert not task.paused
    client.force_login(head)
    part = ApplicationDepartment.objects.get(application=app, department=dept)
    page = client.post(
        url + "extend/",
        {"kind": "single", "participation": part.pk, "reason": "复杂"},
        follow=True,
    )
    assert page.status_code == 200
    assert ClockExtension.objects.filter(participation=part).count() == 1
    again = client.post(
        url + "extend/", {"kind": "single", "participation": part.pk, "reason": "再延"}, follow=True
    )
    assert "已经延期过一次" in again.content.decode()


def test_clock_text_in_chinese(work_calendar):
    world, app = case_in_review(1)
    task = review_tasks(app)[0]
    template = Template(
        "{% load deadline_tags %}{% clock_text task used=True %}|{% clock_text app %}"
    )
    with travel(sh(2026, 3, 4)):
        assert template.render(Context({"task": task, "app": app})) == (
            "已用 1 个工作日 · 剩余 4 个工作日|剩余 9 个工作日"
        )
    with travel(sh(2026, 3, 11)):
        assert template.render(Context({"task": task, "app": app})).startswith(
            "已用 6 个工作日 · 已超期 2 个工作日"
        )


@pytest.mark.parametrize("bad", ["abc", "²", "1.5"])
def test_case_clock_forms_with_a_malformed_id_answer_404_not_500(work_calendar, client, bad):
    # int("abc") / int("²") in the views answered 500 ("²".isdigit() is True).
    world, app = case_in_review(1)
    dept = world.departments[0]
    url = f"/office/clock/{app.number}/"
    client.force_login(f.staff(dept, Role.HEAD))
    extend = client.post(url + "extend/", {"kind": "single", "participation": bad, "reason": "x"})
    assert extend.status_code == 404
    assert client.post(url + "resume/", {"pause": bad}).status_code == 404
    pause = client.post(url + "pause/", {"procedure": "hearing", "tasks": [bad], "note": "x"})
    assert pause.status_code == 302
    assert not ClockExtension.objects.filter(application=app).exists()
