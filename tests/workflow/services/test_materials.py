"""workflow.services.materials: replacing a file is one act in one transaction."""

from __future__ import annotations

from unittest import mock

import pytest

from permits.models import Material
from tests.workflow import factories as f
from tests.workflow.journey import build_world, new_case
from workflow import services
from workflow.exceptions import Conflict
from workflow.services import materials

pytestmark = pytest.mark.django_db


def _case_with_one_file():
    world = build_world(1)
    app = new_case(world)
    (old,) = Material.objects.current().filter(application=app)
    return world, app, old


def test_replace_puts_the_new_file_in_and_flags_the_old_one():
    world, app, old = _case_with_one_file()
    new = materials.material_replace(
        actor=world.citizen, material=old, uploaded_file=f.pdf_file("新.pdf")
    )
    old.refresh_from_db()
    assert old.deleted and old.deleted_at is not None
    assert new.requirement_id == old.requirement_id and not new.deleted
    assert list(Material.objects.current().filter(application=app)) == [new]
    actions = list(app.events.order_by("pk").values_list("action", "data"))
    assert actions[-2][0] == "material_uploaded" and actions[-2][1]["material"] == new.pk
    assert actions[-1] == (
        "material_deleted",
        {"material": old.pk, "requirement": old.requirement_id, "replaced_by": new.pk},
    )


def test_a_failing_replace_keeps_the_old_file_current_and_adds_nothing():
    world, app, old = _case_with_one_file()
    events = app.events.count()
    # the old row is flagged deleted after the new one is stored: make that step fail
    with (
        mock.patch.object(materials, "_flag_deleted", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        materials.material_replace(
            actor=world.citizen, material=old, uploaded_file=f.pdf_file("新.pdf")
        )
    assert list(Material.objects.current().filter(application=app)) == [old]
    assert Material.objects.filter(application=app).count() == 1
    assert app.events.count() == events


def test_replace_after_submission_is_a_conflict():
    world, app, old = _case_with_one_file()
    services.application_submit(actor=world.citizen, application=app)
    with pytest.raises(Conflict):
        materials.material_replace(
            actor=world.citizen, material=old, uploaded_file=f.pdf_file("新.pdf")
        )
    old.refresh_from_db()
    assert not old.deleted


def test_the_timeline_names_the_material_uploaded_and_removed(client):
    # Given a draft with one file, replaced by the applicant
    world, app, old = _case_with_one_file()
    materials.material_replace(actor=world.citizen, material=old, uploaded_file=f.pdf_file())
    # Then both events name the material's requirement (item content, as the catalogue has it)
    uploaded, deleted = app.events.order_by("-pk")[:2][::-1]
    assert (uploaded.action, deleted.action) == ("material_uploaded", "material_deleted")
    assert uploaded.note == deleted.note == old.requirement_name != ""
    # and the case page's timeline shows it next to the line
    from django.urls import reverse

    client.force_login(world.citizen)
    body = client.get(reverse("portal:case_detail", args=[app.number])).content.decode()
    timeline = body[body.index('id="timeline-title"') :]
    assert old.requirement_name in timeline
