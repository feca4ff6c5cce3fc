"""Issue 14 item 12: the workbench counts my tasks, the queue, yellow and red; the reviewer who
accepted a case finds its decision task in their own list; the head's reassign list names
colleagues with department and stage, without the head; the task page links the clock page
for those who may use it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from departments.models import Role
from permits.choices import EventAction
from tests.workflow import factories as f
from tests.workflow.journey import accept, approve_department, build_world, submitted_case
from workflow.models import CaseTask, TaskStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def test_the_workbench_counts_my_tasks_and_the_queue(client):
    world = build_world(1)
    submitted_case(world)
    submitted_case(world)
    reviewer = world.lead_staff["undertake"]
    client.force_login(reviewer)
    page = client.get("/office/")
    assert page.context["counts"] == {"mine": 0, "queue": 2, "yellow": 0, "red": 0}
    assert 'data-testid="workbench-counts"' in page.content.decode()


def test_the_accepter_finds_the_decision_task_in_their_own_list(settings):
    # The default (no setting touched): the accepter's own list.
    world = build_world(1)
    app = submitted_case(world)
    accept(world, app)
    approve_department(world, app, world.departments[0])
    decision = CaseTask.objects.get(application=app, kind="decision")
    assert decision.status == TaskStatus.ASSIGNED
    assert decision.assignee == world.lead_staff["undertake"]
    assert decision.claimed_at is not None
    claimed = app.events.filter(action=EventAction.TASK_CLAIMED, data__task=decision.pk).get()
    assert claimed.actor == world.lead_staff["undertake"] and claimed.data["accepter"] is True
    # Configured off: the department's queue.
    settings.DECISION_TASK_TO_ACCEPTER = False
    other = submitted_case(world)
    accept(world, other)
    approve_department(world, other, world.departments[0])
    queued = CaseTask.objects.get(application=other, kind="decision")
    assert queued.status == TaskStatus.OPEN and queued.assignee is None


def test_the_reassign_list_names_colleagues_without_the_head_and_links_the_clock(client):
    world = build_world(1)
    app = submitted_case(world)
    task = CaseTask.objects.get(application=app, kind="acceptance")
    head = f.staff(world.lead, Role.HEAD)
    second = f.staff(world.lead, Role.REVIEWER, "undertake")  # a second colleague
    client.force_login(head)
    page = client.get(reverse("workflow:task_detail", args=[task.pk]))
    form = page.context["reassign_form"]
    choices = {value: label for value, label in form.fields["user"].choices if value}
    # Each colleague who may act on the task, by name, with the department and stage they
    # would act in; the head is not offered to himself.
    colleagues = [world.lead_staff["undertake"], second]
    assert set(choices) == {str(u.pk) for u in colleagues}
    for user in colleagues:
        name = user.get_full_name() or user.username
        assert choices[str(user.pk)] == f"{name}（{world.lead.name} · 承办）"
    assert str(head.pk) not in choices
    assert 'data-testid="clock-link"' in page.content.decode()


def test_the_case_page_links_the_clock_page_only_for_those_it_offers_something(client):
    world = build_world(1)
    app = submitted_case(world)
    url = reverse("portal:case_detail", args=[app.number])
    clock = reverse("deadlines:case_clock", args=[app.number])
    # The lead's reviewer may act on the open acceptance: the clock page lets them pause it.
    client.force_login(world.lead_staff["undertake"])
    page = client.get(url).content.decode()
    assert 'data-testid="clock-link"' in page and clock in page
    # ... and the back office's case page links it too.
    staff_page = client.get(reverse("grants:case", args=[app.number])).content.decode()
    assert 'data-testid="clock-link"' in staff_page and clock in staff_page
    # The lead's head may extend.
    client.force_login(f.staff(world.lead, Role.HEAD))
    assert 'data-testid="clock-link"' in client.get(url).content.decode()
    # The applicant and a supervisor (who reads but acts on nothing) get no link.
    for reader in (world.citizen, f.supervisor(world.lead.region, world.lead)):
        client.force_login(reader)
        page = client.get(url)
        assert page.status_code == 200
        assert 'data-testid="clock-link"' not in page.content.decode()
    # A case with no open task has no clock to use, even for the lead's reviewer.
    CaseTask.objects.filter(application=app).update(status=TaskStatus.DONE)
    client.force_login(world.lead_staff["undertake"])
    assert 'data-testid="clock-link"' not in client.get(url).content.decode()
