"""Issue 14 item 6: no raw values in pages, and English mode is English — decision labels,
the flash after a 补正 request, category names, notifications rendered in the reader's
language when shown (old rows keep their stored text), the 'New' badge not glued to the title,
language-aware colons, password errors in the page's language."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from notifications import services as notices
from notifications.models import Notification
from permits.models import Event
from tests.workflow.journey import build_world, open_task, submitted_case

pytestmark = pytest.mark.django_db

FULL_WIDTH = re.compile("[：，；（）]")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "zh-hans"


def english(client):
    client.cookies["django_language"] = "en"


def test_a_closed_task_names_its_decision_and_the_flash_names_the_supplement(client):
    world = build_world(1)
    app = submitted_case(world)
    task = open_task(app, kind="acceptance")
    req_id = world.item.current_version.snapshot["materials"][0]["id"]
    client.force_login(world.lead_staff["undertake"])
    url = reverse("workflow:task_detail", args=[task.pk])
    response = client.post(
        url, {"d-decision": "supplement", f"d-missing_{req_id}": "on"}, follow=True
    )
    flash = [str(m) for m in response.context["messages"]]
    assert len(flash) == 1
    assert "补正" in flash[0] and not flash[0].endswith("受理。")
    # A closed task names its decision by the step's label, not the raw value.
    other = submitted_case(world)
    accepted = open_task(other, kind="acceptance")
    other_url = reverse("workflow:task_detail", args=[accepted.pk])
    client.post(other_url, {"d-decision": "approve"})
    page = client.get(other_url).content.decode()
    block = page[page.index('data-testid="task-closed"') :][:600]
    block = block[: block.index("</div>")]
    assert "受理" in block and "approve" not in block


def test_english_mode_names_categories_in_english(client):
    english(client)
    html = client.get(reverse("portal:home")).content.decode()
    assert "Administrative licensing" in html
    assert "行政许可" not in html
    client.cookies["django_language"] = "zh-hans"
    assert "行政许可" in client.get(reverse("portal:home")).content.decode()


def test_notifications_are_shown_in_the_readers_language(client):
    from tests.workflow.journey import accept

    world = build_world(1)
    app = submitted_case(world)
    accept(world, app)
    accepted = Event.objects.get(application=app, action="accepted")
    [notice] = notices.notify_for_event(event_id=accepted.pk)
    # Stored (SMS, e-mail) in the notification language; the parameters kept beside.
    assert "受理" in notice.title and notice.params["number"] == app.number
    # An old notice without parameters keeps its stored text.
    old = Notification.objects.create(
        recipient=world.citizen, kind="general", title="旧通知", body="旧的正文"
    )
    client.force_login(world.citizen)
    english(client)
    html = client.get(reverse("notifications:list")).content.decode()
    assert f"Application {app.number} accepted" in html
    assert "Promised completion by" in html
    assert old.title in html and old.body in html
    # The badge is not glued to the title ("New办件…").
    assert re.search(r"New<span class=\"visually-hidden\">: </span></span> \S", html)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("notifications:list")).content.decode()
    assert notice.title in html


def test_english_pages_use_half_width_colons(client):
    from tests.workflow.journey import accept

    world = build_world(1)
    app = submitted_case(world)
    accept(world, app)
    client.force_login(world.citizen)
    english(client)
    html = client.get(reverse("portal:case_detail", kwargs={"number": app.number})).content
    text = re.sub(r"<[^>]+>", " ", html.decode())
    # Data (names, numbers) may be Chinese; the page's own punctuation is not.
    own = [m for m in FULL_WIDTH.finditer(text)]
    assert own == [], [text[max(0, m.start() - 30) : m.end() + 10] for m in own]


def test_password_errors_are_in_the_pages_language():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        password_validation.validate_password("ab1")
    messages = " ".join(error.value.messages)
    assert "password" not in messages.lower() and "密码" in messages


def test_my_cases_names_each_cases_subject(client):
    """Issue 14 item 11: two cases of one item are told apart by their subject."""
    from workflow import services

    world = build_world(1)
    for summary in ("第一家店的申请", "第二家店的申请"):
        services.application_create(actor=world.citizen, item=world.item, form={"summary": summary})
    client.force_login(world.citizen)
    html = client.get(reverse("portal:my_cases")).content.decode()
    assert "第一家店的申请" in html and "第二家店的申请" in html


def test_the_form_takes_name_id_and_phone_from_the_verified_profile(client):
    """Issue 14 item 11: the applicant is not asked again for what the profile says."""
    from permits.models import Application
    from tests.workflow import factories as f

    world = build_world(0)
    item = f.published_item(
        lead=world.lead,
        service_model="single_department",
        stages={world.lead.code: ["undertake"]},
        form_fields=[
            {"name": "applicant_name", "label": "申请人姓名", "type": "text"},
            {"name": "id_no", "label": "身份证号码", "type": "id_number"},
            {"name": "mobile", "label": "联系电话", "type": "phone"},
            {"name": "summary", "label": "申请事由", "type": "text"},
        ],
    )
    client.force_login(world.citizen)
    response = client.post(
        reverse("portal:apply", kwargs={"code": item.code}), {"applicant": "self"}
    )
    assert response.status_code == 302
    app = Application.objects.get(item=item, created_by=world.citizen)
    from permits.formspec import open_form_data

    # Sealed at rest like every id_number/phone field (issue 12), the profile's values inside.
    assert app.form_data["id_no"].startswith("sm4g:")
    form = open_form_data(app.form_data)
    assert form["applicant_name"] == world.person.real_name
    assert form["id_no"] == world.person.id_number
    assert form["mobile"] == world.person.phone
    assert "summary" not in form
