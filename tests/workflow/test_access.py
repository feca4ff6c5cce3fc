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
