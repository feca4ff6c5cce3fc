"""Walk-in intake pages (centres.intake) through the Django test client: the case a clerk enters
is the same case in the same flow as an online one; acceptance at the window (with 容缺); a
clerk sees only the cases they entered and those accepted or handed over at their centre."""

from __future__ import annotations

import pytest
from django.urls import reverse

from departments.models import Role
from permits.models import Application, Event
from tests.workflow import factories as f
from tests.workflow.journey import accept, build_world, new_case, open_task
from workflow import selectors, services
from workflow.models import CaseTask

pytestmark = pytest.mark.django_db

MATERIALS = [
    {"name": "申请书", "required": True},
    {"name": "住所（经营场所）使用证明", "required": True, "tolerable": True},
]


def _centre_world(materials=None):
    world = build_world(1, materials=materials)
    centre_dept = f.department(name="云浮市政务服务中心")
    centre = f.centre(world.lead.region, centre_dept)
    clerk = f.staff(centre_dept, Role.CLERK)
    return world, centre, clerk


def _enter(client, world, *, id_n=501, name="王五"):
    item = world.item
    page = client.get(reverse("centres:intake:start"), {"q": item.code, "ticket": "A017"})
    assert page.status_code == 200 and item.name in page.content.decode()
    assert "A017" in page.content.decode()
    form_page = client.get(reverse("centres:intake:new", args=[item.code]), {"ticket": "A017"})
    assert form_page.status_code == 200 and "申请事由" in form_page.content.decode()
    response = client.post(
        reverse("centres:intake:new", args=[item.code]),
        {
            "ticket": "A017",
            "applicant-real_name": name,
            "applicant-id_type": "resident_id",
            "applicant-id_number": f.resident_id(id_n),
            "applicant-phone": "13912345678",
            "form-summary": "窗口申请",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    app = Application.objects.order_by("-pk").first()
    assert response["Location"].startswith(reverse("centres:intake:case", args=[app.number]))
    return app


def _upload(client, app, requirement_id, *, original=True):
    data = {"action": "upload", "requirement": requirement_id, "file": f.pdf_file()}
    if original:
        data["original_checked"] = "on"
    response = client.post(reverse("centres:intake:case", args=[app.number]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def _errors(response) -> str:
    import re

    found = re.search(r'data-testid="intake-errors">(.*?)</div>\s*\n', response.content.decode())
    return found.group(1) if found else response.content.decode()[:3000]


def _flow_shape(app):
    """What the flow did with a case: its status, the task rows and the flow's own events."""
    channel_specific = {"created", "material_uploaded", "original_checked", "document_generated"}
    return (
        app.status,
        sorted(
            CaseTask.objects.filter(application=app).values_list(
                "kind", "department_id", "stage", "status"
            )
        ),
        [
            (e.action, e.status_before, e.status_after)
            for e in Event.objects.filter(application=app).order_by("at", "pk")
            if e.action not in channel_specific
        ],
    )


def test_a_walk_in_case_is_the_same_case_as_an_online_one(client):
    world, centre, clerk = _centre_world()
    # The lead department's clerk at the window: may accept by the staff rule too; here the
    # centre's clerk accepts because the item allows window acceptance.
    client.force_login(clerk)
    app = _enter(client, world)
    assert app.channel == "window" and app.centre == centre and app.created_by == clerk
    assert app.applicant_person.real_name == "王五" and app.status == "draft"
    key = f.requirement_ids(world.item)[0]
    _upload(client, app, key)
    material = app.materials.get()
    assert material.original_checked and material.original_checked_by == clerk
    response = client.post(
        reverse("centres:intake:case", args=[app.number]), {"action": "submit", "accept": "on"}
    )
    assert response.status_code == 302, _errors(response)
    app.refresh_from_db()
    assert app.status == "in_review" and app.accepted_at is not None
    # The same door as the API's window path: the events of each step, by the clerk.
    actions = list(Event.objects.filter(application=app).values_list("action", flat=True))
    for action in ("created", "material_uploaded", "original_checked", "submitted", "accepted"):
        assert action in actions
    # An online case of the same item, accepted by the lead department, has the same shape.
    online = new_case(world)
    services.application_submit(actor=world.citizen, application=online)
    accept(world, online)
    online.refresh_from_db()
    walk_in, web = _flow_shape(app), _flow_shape(online)
    assert walk_in[0] == web[0]
    assert [t[:3] for t in walk_in[1]] == [t[:3] for t in web[1]]
    assert [t[3] for t in walk_in[1]] == [t[3] for t in web[1]]
    assert walk_in[2] == web[2]
    # The next step is the same for both: the participating department's review.
    assert open_task(app, kind="review").department == open_task(online, kind="review").department
    # The printable acceptance notice is linked at the end.
    page = client.get(reverse("centres:intake:case", args=[app.number]))
    notice_url = reverse("documents:file", args=[app.number, "acceptance_notice"])
    assert notice_url in page.content.decode()
    assert client.get(notice_url).status_code == 200


def test_window_acceptance_with_a_tolerated_material(client):
    world, _centre, clerk = _centre_world(MATERIALS)
    client.force_login(clerk)
    app = _enter(client, world)
    key, tolerable = f.requirement_ids(world.item)
    _upload(client, app, key)
    page = client.get(reverse("centres:intake:case", args=[app.number]))
    assert "住所（经营场所）使用证明" in page.content.decode()  # missing, shown at the top
    url = reverse("centres:intake:case", args=[app.number])
    # Without tolerating it the acceptance is refused with the reason; the case waits submitted.
    refused = client.post(url, {"action": "submit", "accept": "on"})
    assert refused.status_code == 400 and "容缺受理" in refused.content.decode()
    app.refresh_from_db()
    assert app.status == "submitted"
    from django.utils import timezone

    deadline = (timezone.localdate() + timezone.timedelta(days=3)).isoformat()
    done = client.post(
        url,
        {
            "action": "submit",
            "accept": "on",
            "tolerated": [str(tolerable)],
            "tolerance_deadline": deadline,
            "commitment_signed": "on",
        },
    )
    assert done.status_code == 302
    app.refresh_from_db()
    assert app.status == "in_review" and app.tolerance.deadline.isoformat() == deadline
    page = client.get(url).content.decode()
    assert reverse("documents:file", args=[app.number, "tolerance_commitment"]) in page


def test_no_window_acceptance_when_the_item_does_not_allow_it(client):
    world, _centre, clerk = _centre_world()
    world.item.window_acceptance = False
    world.item.save(update_fields=["window_acceptance"])
    client.force_login(clerk)
    app = _enter(client, world)
    _upload(client, app, f.requirement_ids(world.item)[0])
    client.post(
        reverse("centres:intake:case", args=[app.number]), {"action": "submit", "accept": "on"}
    )
    app.refresh_from_db()
    assert app.status == "submitted"  # the lead department accepts it
    assert open_task(app, kind="acceptance").status == "open"


def test_a_clerk_sees_the_cases_they_entered_and_those_of_their_centre(client):
    world, centre, clerk = _centre_world()
    centre_colleague = f.staff(centre.department, Role.CLERK)
    other_dept = f.department(name="罗定市政务服务中心", reg=f.region("445381", "罗定市"))
    f.centre(other_dept.region, other_dept)
    other_clerk = f.staff(other_dept, Role.CLERK)
    client.force_login(clerk)
    entered = _enter(client, world)
    online = new_case(world)
    services.application_submit(actor=world.citizen, application=online)

    def visible(user):
        return set(selectors.application_list_for_user(user=user).values_list("pk", flat=True))

    # The clerk: their own draft; not the online case (neither accepted nor handed over here).
    assert visible(clerk) == {entered.pk}
    # A colleague of the centre sees the centre's cases once they are submitted.
    assert entered.pk not in visible(centre_colleague)
    _upload(client, entered, f.requirement_ids(world.item)[0])
    client.post(
        reverse("centres:intake:case", args=[entered.number]),
        {"action": "submit", "accept": "on"},
    )
    assert entered.pk in visible(centre_colleague) and online.pk not in visible(centre_colleague)
    # A clerk of another centre sees none of them, and the pages answer 404.
    assert not visible(other_clerk) & {entered.pk, online.pk}
    client.force_login(other_clerk)
    assert client.get(reverse("centres:intake:case", args=[entered.number])).status_code == 404
    assert client.get(reverse("centres:intake:handover", args=[entered.number])).status_code == 404
    # A citizen is not a clerk: the intake pages are not theirs.
    client.force_login(world.citizen)
    assert client.get(reverse("centres:intake:start")).status_code == 404


def test_a_service_error_on_the_applicant_shows_at_its_field_not_as_a_field_path(client):
    # Given a clerk entering an ID number whose checksum fails (only the service checks it)
    world, _centre, clerk = _centre_world()
    client.force_login(clerk)
    good = f.resident_id(502)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    # When the form is sent
    response = client.post(
        reverse("centres:intake:new", args=[world.item.code]),
        {
            "applicant-real_name": "赵六",
            "applicant-id_type": "resident_id",
            "applicant-id_number": bad,
            "applicant-phone": "13912345678",
            "form-summary": "窗口申请",
        },
    )
    # Then the message stands at the ID number's field, with no service path above the form
    assert response.status_code == 400
    form = response.context["applicant_form"]
    assert form.errors["id_number"] and not form.non_field_errors()
    assert "applicant: id_number" not in response.content.decode()
    assert not Application.objects.exists()
