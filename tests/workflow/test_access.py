"""Who sees what (DESIGN.md §5): every endpoint that shows a case, a task or a material answers
404 to a foreign caller and 401 to an anonymous one; lists never leak."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from departments.models import Level, Role
from tests.workflow import factories as f
from tests.workflow.journey import accept, build_world, new_case
from workflow import services

pytestmark = pytest.mark.django_db


def as_(user):
    c = APIClient()
    if user is not None:
        # a fresh object per client: the access answers are cached per user object
        c.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return c


@pytest.fixture
def scene():
    world = build_world(1)
    x = world.departments[0]  # takes part
    y = f.department(name="无关部门")  # does not
    y_staff = f.staff(y, Role.REVIEWER, "undertake")
    other_region = f.region("445302", "云城区", Level.COUNTY, parent=f.region())
    far_region = f.region("445381", "罗定市", Level.COUNTY)  # not under the city here
    sup_same = f.supervisor(f.region(), f.department(name="监察室"))
    sup_other = f.supervisor(far_region, f.department(name="罗定监察"))
    del other_region
    b_user, _b = f.citizen()
    h_user, h_person = f.citizen()
    ent = f.enterprise(h_person)
    case_a = new_case(world)  # person A's own case
    services.application_submit(actor=world.citizen, application=case_a)
    accept(world, case_a)
    case_e = new_case(world, actor=h_user, on_behalf_of=ent.credit_code)
    material = case_a.materials.first()
    task = case_a.tasks.get(kind="review")
    return {
        "world": world,
        "a": world.citizen,
        "b": b_user,
        "handler": h_user,
        "x": world.reviewer(x),
        "y": y_staff,
        "sup_same": sup_same,
        "sup_other": sup_other,
        "case_a": case_a,
        "case_e": case_e,
        "material": material,
        "task": task,
    }


READS = {
    "detail": lambda s: f"/api/v1/applications/{s['case_a'].number}/",
    "materials": lambda s: f"/api/v1/applications/{s['case_a'].number}/materials/",
    "file": lambda s: (
        f"/api/v1/applications/{s['case_a'].number}/materials/{s['material'].pk}/file/"
    ),
    "task": lambda s: f"/api/v1/tasks/{s['task'].pk}/",
}

# who may read which (everyone else: 404; anonymous: 401)
ALLOWED = {
    "a": {"detail", "materials", "file"},
    "x": {"detail", "materials", "file", "task"},
    "sup_same": {"detail", "materials", "file", "task"},
    "b": set(),
    "handler": set(),
    "y": set(),
    "sup_other": set(),
}


def test_read_matrix(scene):
    """Every reader over every read endpoint, then anonymous (one scene for all)."""
    failures = []
    for who, allowed in ALLOWED.items():
        client = as_(scene[who])
        for what, url in READS.items():
            r = client.get(url(scene))
            expected = 200 if what in allowed else 404
            if r.status_code != expected or (expected == 404 and r.data.get("code") != "not_found"):
                failures.append((who, what, r.status_code))
    for what, url in READS.items():
        r = as_(None).get(url(scene))
        if r.status_code != 401 or r.data["code"] != "not_authenticated":
            failures.append(("anonymous", what, r.status_code))
    assert failures == []


MOVES = {
    "patch": ("patch", lambda s: f"/api/v1/applications/{s['case_a'].number}/", {"form": {}}),
    "upload": (
        "post",
        lambda s: f"/api/v1/applications/{s['case_a'].number}/materials/",
        {},
    ),
    "delete": (
        "delete",
        lambda s: f"/api/v1/applications/{s['case_a'].number}/materials/{s['material'].pk}/",
        None,
    ),
    "submit": ("post", lambda s: f"/api/v1/applications/{s['case_a'].number}/submit/", {}),
    "withdraw": ("post", lambda s: f"/api/v1/applications/{s['case_a'].number}/withdraw/", {}),
    "handover": (
        "post",
        lambda s: f"/api/v1/applications/{s['case_a'].number}/handover/",
        {"method": "window"},
    ),
    "claim": ("post", lambda s: f"/api/v1/tasks/{s['task'].pk}/claim/", {}),
    "release": ("post", lambda s: f"/api/v1/tasks/{s['task'].pk}/release/", {}),
    "complete": (
        "post",
        lambda s: f"/api/v1/tasks/{s['task'].pk}/complete/",
        {"decision": "approve"},
    ),
    "reassign": ("post", lambda s: f"/api/v1/tasks/{s['task'].pk}/reassign/", {"user": "x"}),
}


def test_foreign_moves_answer_404_anonymous_401_and_change_nothing(scene):
    failures = []
    for who in ["b", "handler", "y", "sup_other", None]:
        client = as_(scene[who]) if who else as_(None)
        expected = 404 if who else 401
        for what, (method, url, body) in MOVES.items():
            call = getattr(client, method)
            r = call(url(scene), body, format="json") if body is not None else call(url(scene))
            if r.status_code != expected:
                failures.append((who, what, r.status_code))
    assert failures == []
    scene["task"].refresh_from_db()
    assert scene["task"].status == "open"
    scene["case_a"].refresh_from_db()
    assert scene["case_a"].status == "in_review"
    assert scene["case_a"].materials.filter(deleted=False).count() == 1


def test_a_supervisor_reads_but_does_not_act(scene):
    client = as_(scene["sup_same"])
    r = client.post(
        f"/api/v1/tasks/{scene['task'].pk}/complete/", {"decision": "approve"}, format="json"
    )
    assert r.status_code == 403
    r = client.post(f"/api/v1/applications/{scene['case_a'].number}/withdraw/", {}, format="json")
    assert r.status_code == 403


def test_lists_show_only_what_one_may_see(scene):
    def numbers(user):
        return {a["number"] for a in as_(user).get("/api/v1/applications/").data["results"]}

    a, e = scene["case_a"].number, scene["case_e"].number
    assert numbers(scene["a"]) == {a}
    assert numbers(scene["handler"]) == {e}
    assert numbers(scene["b"]) == set()
    assert numbers(scene["x"]) == {a}  # the enterprise draft was never submitted
    assert numbers(scene["y"]) == set()
    assert numbers(scene["sup_same"]) == {a}
    assert numbers(scene["sup_other"]) == set()

    def tasks(user, scope="queue"):
        return {t["id"] for t in as_(user).get("/api/v1/tasks/", {"scope": scope}).data["results"]}

    assert tasks(scene["x"]) == {scene["task"].pk}
    assert tasks(scene["y"]) == set()
    assert tasks(scene["a"]) == set()
    assert tasks(scene["sup_other"]) == set()


def test_staff_act_only_at_their_own_stage():
    world = build_world(1, stages={0: ["undertake", "check"]})
    dept = world.departments[0]
    app = new_case(world)
    services.application_submit(actor=world.citizen, application=app)
    accept(world, app)
    task = app.tasks.get(kind="review", stage="undertake")
    checker = as_(world.reviewer(dept, "check"))
    r = checker.post(f"/api/v1/tasks/{task.pk}/complete/", {"decision": "approve"}, format="json")
    assert r.status_code == 403
    # and the checker's queue does not offer the undertake task
    rows = checker.get("/api/v1/tasks/", {"scope": "queue"}).data["results"]
    assert rows == []


# --- Exceptional grants: a share and a delegation give exactly what was granted, until it ends


def _statuses(client, scene, reads=READS):
    return {what: client.get(url(scene)).status_code for what, url in reads.items()}


def test_a_share_lets_one_named_colleague_read_one_case_until_it_ends(scene):
    world = scene["world"]
    head = f.staff(world.departments[0], Role.HEAD)
    other_case = new_case(world)
    services.application_submit(actor=world.citizen, application=other_case)
    y = scene["y"]
    before = _statuses(as_(y), scene)
    assert set(before.values()) == {404}

    r = as_(head).post(
        f"/api/v1/applications/{scene['case_a'].number}/shares/",
        {"user": y.username, "note": "请就消防条件出具意见"},
        format="json",
    )
    assert r.status_code == 201, r.data
    assert r.data["user"]["username"] == y.username and r.data["ended_at"] is None

    # The case, its materials and files: yes. Its task: no (a share is not a task).
    after = _statuses(as_(y), scene)
    assert after == {"detail": 200, "materials": 200, "file": 200, "task": 404}
    # Nothing else: not the other case of the same department, no task in the queue, no move.
    assert as_(y).get(f"/api/v1/applications/{other_case.number}/").status_code == 404
    listed = {a["number"] for a in as_(y).get("/api/v1/applications/").data["results"]}
    assert listed == {scene["case_a"].number}
    assert as_(y).get("/api/v1/tasks/", {"scope": "queue"}).data["results"] == []
    for what, (method, url, body) in MOVES.items():
        call = getattr(as_(y), method)
        r = call(url(scene), body, format="json") if body is not None else call(url(scene))
        assert r.status_code in (400, 403, 404), (what, r.status_code)
    scene["task"].refresh_from_db()
    scene["case_a"].refresh_from_db()
    assert scene["task"].status == "open" and scene["case_a"].status == "in_review"
    assert scene["case_a"].materials.filter(deleted=False).count() == 1
    # The grantee cannot pass it on, nor list the case's shares.
    r = as_(y).post(
        f"/api/v1/applications/{scene['case_a'].number}/shares/",
        {"user": scene["sup_other"].username, "note": "x"},
        format="json",
    )
    assert r.status_code == 403
    assert as_(y).get(f"/api/v1/applications/{scene['case_a'].number}/shares/").status_code == 403
    # The head sees it in the case's shares; the event is on the case, off the citizen's view.
    rows = as_(head).get(f"/api/v1/applications/{scene['case_a'].number}/shares/").data
    assert [row["user"]["username"] for row in rows["results"]] == [y.username]
    assert scene["case_a"].events.filter(action="case_shared").count() == 1

    # Ended: back to nothing.
    r = as_(head).delete(f"/api/v1/applications/{scene['case_a'].number}/shares/{y.username}/")
    assert r.status_code == 204
    assert set(_statuses(as_(y), scene).values()) == {404}
    assert scene["case_a"].events.filter(action="case_share_ended").count() == 1


def test_only_a_head_of_a_participating_department_shares(scene):
    number = scene["case_a"].number
    body = {"user": scene["y"].username, "note": "意见"}
    # a reviewer of the department (not its head), a supervisor, the applicant: 403
    for who in ("x", "sup_same", "a"):
        assert (
            as_(scene[who]).post(f"/api/v1/applications/{number}/shares/", body).status_code == 403
        )
    # a head of a department that does not take part: the case is not theirs to see
    outsider = f.staff(f.department(name="另一部门"), Role.HEAD)
    assert as_(outsider).post(f"/api/v1/applications/{number}/shares/", body).status_code == 404
    # a share with someone of the sharing department itself is refused
    head = f.staff(scene["world"].departments[0], Role.HEAD)
    r = as_(head).post(
        f"/api/v1/applications/{number}/shares/", {"user": scene["x"].username, "note": "意见"}
    )
    assert r.status_code == 400 and "user" in r.data["fields"]


def test_a_delegation_passes_on_exactly_the_absent_members_tasks():
    """D has 承办 (undertake) and 审核 (check); the checker is away and also works in E. The
    undertaker stands in: they act on D's check tasks, not on E's, and only until it ends."""
    world = build_world(2, stages={0: ["undertake", "check"]})
    d, e = world.departments
    undertaker, checker = world.reviewer(d, "undertake"), world.reviewer(d, "check")
    from departments.services import staff_role_grant

    staff_role_grant(actor=None, user=checker, department=e, role=Role.REVIEWER, stage="undertake")
    head = f.staff(d, Role.HEAD)
    app = new_case(world)
    services.application_submit(actor=world.citizen, application=app)
    accept(world, app)
    undertake = app.tasks.get(kind="review", department=d)
    services.task_complete(task=undertake, actor=undertaker, decision="approve", opinion="同意")
    check = app.tasks.get(kind="review", department=d, stage="check")
    e_task = app.tasks.get(kind="review", department=e)
    services.task_claim(task=check, actor=checker)  # the checker held it when they left

    r = as_(head).post(
        "/api/v1/delegations/",
        {
            "from_user": checker.username,
            "to_user": undertaker.username,
            "department": d.code,
            "until": "2099-12-31",
        },
        format="json",
    )
    assert r.status_code == 201, r.data
    check.refresh_from_db()
    assert check.assignee_id == undertaker.pk  # the held task moved to the delegate
    assert app.events.filter(action="task_delegated").count() == 1

    # E's task is the checker's too, but not D's to pass on.
    assert as_(undertaker).get(f"/api/v1/tasks/{e_task.pk}/").status_code == 404
    r = as_(undertaker).post(f"/api/v1/tasks/{e_task.pk}/claim/", {}, format="json")
    assert r.status_code == 404
    held = as_(undertaker).get("/api/v1/delegations/", {"scope": "held"}).data["results"]
    assert [row["from_user"]["username"] for row in held] == [checker.username]

    # Ended by the head: the task goes back to the checker, the undertaker may no longer act.
    delegation_id = r_id = held[0]["id"]
    assert as_(undertaker).delete(f"/api/v1/delegations/{r_id}/").status_code == 403
    assert as_(head).delete(f"/api/v1/delegations/{delegation_id}/").status_code == 204
    check.refresh_from_db()
    assert check.assignee_id == checker.pk
    r = as_(undertaker).post(
        f"/api/v1/tasks/{check.pk}/complete/", {"decision": "approve", "opinion": "同意"}
    )
    assert r.status_code == 403
    assert app.events.filter(action="task_delegation_ended").count() == 1


def test_while_it_runs_the_delegate_completes_the_absent_members_task():
    world = build_world(1, stages={0: ["undertake", "check"]})
    d = world.departments[0]
    undertaker, checker = world.reviewer(d, "undertake"), world.reviewer(d, "check")
    head = f.staff(d, Role.HEAD)
    app = new_case(world)
    services.application_submit(actor=world.citizen, application=app)
    accept(world, app)
    undertake = app.tasks.get(kind="review", department=d)
    services.task_complete(task=undertake, actor=undertaker, decision="approve", opinion="同意")
    check = app.tasks.get(kind="review", department=d, stage="check")
    assert as_(undertaker).get("/api/v1/tasks/", {"scope": "queue"}).data["results"] == []
    r = as_(head).post(
        "/api/v1/delegations/",
        {
            "from_user": checker.username,
            "to_user": undertaker.username,
            "department": d.code,
            "until": "2099-12-31",
        },
        format="json",
    )
    assert r.status_code == 201
    queue = as_(undertaker).get("/api/v1/tasks/", {"scope": "queue"}).data["results"]
    assert [t["id"] for t in queue] == [check.pk]
    r = as_(undertaker).post(
        f"/api/v1/tasks/{check.pk}/complete/", {"decision": "approve", "opinion": "同意"}
    )
    assert r.status_code == 200, r.data
    check.refresh_from_db()
    assert check.status == "done" and check.completed_by_id == undertaker.pk
