"""The case page's timeline shows what the system wrote in the reader's language, and what a
person typed as typed (permits.event_notes)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from permits.choices import EventAction
from permits.models import Event
from tests.workflow import factories as f
from tests.workflow.journey import build_world, open_task, submitted_case
from workflow import services
from workflow.services.events import event_append

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "zh-hans"


def _timeline(client, app, language):
    response = client.get(
        reverse("portal:case_detail", args=[app.number]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    body = response.content.decode()
    return body[body.index('id="timeline-title"') :]


def test_system_notes_follow_the_reader_and_typed_notes_stay_as_typed(client):
    # Given a case whose acceptance asked for a supplement (the service writes "waiting for the
    # applicant's supplement" on the clock's pause) while the site ran in Chinese
    world = build_world(1, materials=[{"name": "申请书"}])
    app = submitted_case(world)
    requirement = f.requirement_ids(world.item)[0]
    with translation.override("zh-hans"):
        services.task_complete(
            task=open_task(app, kind="acceptance"),
            actor=world.lead_staff["undertake"],
            decision="supplement",
            missing=[{"requirement": requirement, "material": None, "note": "请加盖公章"}],
        )
        # an old row, written before notes had keys, and a note a person typed
        event_append(
            application=app, actor=None, action=EventAction.PAUSED, note="旧行：等待补正（旧）"
        )
        event_append(
            application=app,
            actor=world.citizen,
            action=EventAction.WITHDRAWN,
            note="我自己写的说明",
        )
    paused = Event.objects.filter(application=app, action=EventAction.PAUSED).first()
    assert paused.note == "等待申请人补正。" and paused.data["note_key"]
    client.force_login(world.citizen)

    # When the citizen reads the case page in English, then in Chinese
    english = _timeline(client, app, "en")
    chinese = _timeline(client, app, "zh-hans")

    # Then the system's note is in the reader's language; the others as stored
    assert "Waiting for the applicant&#x27;s supplement." in english
    assert "等待申请人补正。" not in english
    assert "等待申请人补正。" in chinese and "Waiting for the applicant" not in chinese
    for page in (english, chinese):
        assert "旧行：等待补正（旧）" in page and "我自己写的说明" in page
