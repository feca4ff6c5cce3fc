"""The exceptional grants (workflow.grants): they end on their last day — access stops at
midnight (Asia/Shanghai) and the deadline sweep tidies them up — they are read from guardian's
permission table first, and heads manage them from their pages."""

from __future__ import annotations

from datetime import date

import pytest
from guardian.shortcuts import get_perms
from time_machine import travel

from departments.models import Role
from tests.concurrency import fresh
from tests.workflow import factories as f
from tests.workflow.deadlines.helpers import sh
from tests.workflow.journey import accept, build_world, new_case
from workflow import access, services
from workflow.exceptions import Forbidden, Invalid
from workflow.grants import services as grants
from workflow.grants.models import CaseShare, Delegation
from workflow.tasks import sweep_deadlines

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_at_check(work_calendar):
    """A department D with 承办 and 审核; its check task open, held by the checker."""
    with travel(sh(2026, 3, 2, 9), tick=False):
        world = build_world(1, stages={0: ["undertake", "check"]})
        d = world.departments[0]
        undertaker, checker = world.reviewer(d, "undertake"), world.reviewer(d, "check")
        head = f.staff(d, Role.HEAD)
        app = new_case(world)
        services.application_submit(actor=world.citizen, application=app)
        accept(world, app)
        task = app.tasks.get(kind="review", department=d)
        services.task_complete(task=task, actor=undertaker, decision="approve", opinion="同意")
        check = app.tasks.get(kind="review", department=d, stage="check")
        services.task_claim(task=check, actor=checker)
    return {
        "world": world,
        "d": d,
        "app": app,
        "check": check,
        "head": head,
        "undertaker": undertaker,
        "checker": checker,
    }


def test_a_delegation_ends_at_its_last_midnight_and_the_sweep_hands_the_task_back(case_at_check):
    s = case_at_check
    with travel(sh(2026, 3, 2, 10), tick=False):
        delegation = grants.delegation_grant(
            actor=s["head"],
            department=s["d"],
            from_user=s["checker"],
            to_user=s["undertaker"],
            until=date(2026, 3, 4),
            note="出差",
        )
        s["check"].refresh_from_db()
        assert s["check"].assignee_id == s["undertaker"].pk
        assert "act_for_colleague" in get_perms(s["undertaker"], delegation)

    # The last second of the last day: it still runs, and the sweep leaves it alone.
    with travel(sh(2026, 3, 4, 23, 59, 59), tick=False):
        assert access.can_act_on_task(fresh(s["undertaker"]), s["check"])
        sweep_deadlines.run()
        delegation.refresh_from_db()
        assert delegation.ended_at is None

    # Midnight: access has already stopped, before any sweep runs ...
    with travel(sh(2026, 3, 5, 0, 0, 1), tick=False):
        assert not access.can_act_on_task(fresh(s["undertaker"]), s["check"])
        # ... and the sweep ends it: guardian's row goes, the task goes back, the case says so.
        sweep_deadlines.run()
        delegation.refresh_from_db()
        assert delegation.ended_at == sh(2026, 3, 5, 0, 0, 1) and delegation.ended_by is None
        assert get_perms(s["undertaker"], delegation) == []
        s["check"].refresh_from_db()
        assert s["check"].assignee_id == s["checker"].pk
        assert s["app"].events.filter(action="task_delegation_ended").count() == 1
        # A second sweep finds nothing to do.
        assert grants.end_expired() == {"shares": 0, "delegations": 0}


def test_a_share_ends_on_its_last_day(case_at_check, work_calendar):
    s = case_at_check
    expert = f.staff(f.department(name="消防救援支队"), Role.REVIEWER, "undertake")
    with travel(sh(2026, 3, 2, 10), tick=False):
        share = grants.case_share_grant(
            actor=s["head"],
            application=s["app"],
            user=expert,
            note="消防意见",
            until=date(2026, 3, 3),
        )
        assert access.can_view_application(fresh(expert), s["app"])
        # read-only: no task of the case is the expert's to see or act on
        assert not access.task_visible(fresh(expert), s["check"])
        assert not access.can_act_as_applicant(fresh(expert), s["app"])
    with travel(sh(2026, 3, 4, 0, 0, 1), tick=False):
        assert not access.can_view_application(fresh(expert), s["app"])
        assert grants.end_expired() == {"shares": 1, "delegations": 0}
        share.refresh_from_db()
        assert share.ended_at is not None
        assert "view_application" not in get_perms(expert, s["app"])


def test_grants_are_read_from_the_permission_table_first(case_at_check, django_assert_num_queries):
    """The grant row alone gives nothing: the guardian permission is the grant. And a user's
    grants cost the same few queries however many cases and grants exist."""
    s = case_at_check
    expert = f.staff(f.department(name="住建局"), Role.REVIEWER, "undertake")
    CaseShare.objects.create(
        application=s["app"],
        user=expert,
        department=s["d"],
        note="没有 guardian 授权的记录",
        granted_by=s["head"],
        granted_at=s["app"].created_at,
    )
    assert not access.can_view_application(fresh(expert), s["app"])

    elsewhere = f.department(name="交通局")
    for _ in range(3):
        other = new_case(s["world"])
        services.application_submit(actor=s["world"].citizen, application=other)
        colleague = f.staff(elsewhere, Role.REVIEWER, "undertake")
        grants.case_share_grant(actor=s["head"], application=other, user=colleague, note="x")
    u = fresh(expert)
    with django_assert_num_queries(2):  # the staff roles, then guardian's rows (none here)
        assert access.shared_application_ids(u) == frozenset()
        assert access.delegations_held(u) == ()


def test_a_delegation_only_between_members_of_the_department(case_at_check):
    s = case_at_check
    outsider = f.staff(f.department(name="别的部门"), Role.REVIEWER, "undertake")
    with pytest.raises(Invalid) as exc:
        grants.delegation_grant(
            actor=s["head"],
            department=s["d"],
            from_user=s["checker"],
            to_user=outsider,
            until=date(2099, 1, 1),
        )
    assert "to_user" in exc.value.fields
    with pytest.raises(Forbidden):
        grants.delegation_grant(
            actor=s["undertaker"],
            department=s["d"],
            from_user=s["checker"],
            to_user=s["undertaker"],
            until=date(2099, 1, 1),
        )
    assert not Delegation.objects.exists()


def test_the_heads_pages(client, case_at_check):
    s = case_at_check
    expert = f.staff(f.department(name="消防救援支队"), Role.REVIEWER, "undertake")
    number = s["app"].number
    client.force_login(s["head"])
    page = client.get(f"/office/cases/{number}/")
    assert page.status_code == 200 and 'data-testid="shares"' in page.content.decode()
    r = client.post(f"/office/cases/{number}/shares/", {"user": expert.username, "note": "意见"})
    assert r.status_code == 302
    share = CaseShare.objects.get(user=expert)

    r = client.post(
        "/office/delegations/",
        {
            "department": s["d"].pk,
            "from_user": s["checker"].username,
            "to_user": s["undertaker"].username,
            "until": "2099-12-31",
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]
    delegation = Delegation.objects.get()
    assert s["checker"].username not in client.get("/office/delegations/").content.decode()

    # The expert finds the case among those shared with them, and reads it.
    client.force_login(expert)
    assert number in client.get("/office/shared/").content.decode()
    page = client.get(f"/office/cases/{number}/")
    assert page.status_code == 200 and 'data-testid="shares"' not in page.content.decode()
    # The applicant's name is masked on the page.
    assert s["world"].person.real_name not in page.content.decode()
    assert client.post(f"/office/cases/{number}/shares/{share.pk}/end/").status_code == 302
    share.refresh_from_db()
    assert share.ended_at is None  # not theirs to end
    assert client.post(f"/office/delegations/{delegation.pk}/end/").status_code == 404

    client.force_login(s["head"])
    client.post(f"/office/cases/{number}/shares/{share.pk}/end/")
    client.post(f"/office/delegations/{delegation.pk}/end/")
    share.refresh_from_db()
    delegation.refresh_from_db()
    assert share.ended_at is not None and delegation.ended_at is not None
    client.force_login(expert)
    assert client.get(f"/office/cases/{number}/").status_code == 404


def test_whom_a_head_may_give_a_task_to_is_whoever_access_lets_act(case_at_check):
    s = case_at_check
    check = s["check"]
    before = {u.pk for u in access.task_actor_candidates(check)}
    assert before == {s["checker"].pk, s["head"].pk}  # not the undertaker: not their stage
    grants.delegation_grant(
        actor=s["head"],
        department=s["d"],
        from_user=s["checker"],
        to_user=s["undertaker"],
        until=date(2099, 1, 1),
    )
    after = access.task_actor_candidates(check)
    assert {u.pk for u in after} == before | {s["undertaker"].pk}
    for u in [s["checker"], s["head"], s["undertaker"], s["world"].citizen]:
        assert access.can_act_on_task(fresh(u), check) == (u in after)
