"""Issue 14 item 15: seed_demo leaves cases in flight in every state and flow, dated relative
to today, made through the real services: the supervision board shows green, yellow and red
on first look, one case escalated, one department deemed to approve, a supplement waiting;
seeding again adds none."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from permits.models import Application, ApplicationDepartment, Event
from workflow.demo_inflight import MARKER, SCENARIOS
from workflow.models import ACTIVE_TASK_STATUSES, CaseTask

pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed() -> str:
    out = io.StringIO()
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def demo_cases():
    # The hotline's demo calls (seed_demo_hotline) are cases too, but not these scenarios.
    return (
        Application.objects.filter(number__isnull=False)
        .exclude(status="draft")
        .exclude(channel="hotline")
    )


def test_seed_demo_leaves_cases_in_flight_in_every_colour(client):
    output = seed()
    assert "Not seeded" not in output, output
    cases = list(demo_cases())
    assert len(cases) == len(SCENARIOS)
    statuses = {c.status for c in cases}
    assert {"submitted", "supplement", "in_review", "approved", "denied", "not_accepted"} <= (
        statuses
    )
    models = {c.item.service_model for c in cases}
    assert {"parallel", "single_department", "core_department", "process_centred"} <= models
    open_tasks = CaseTask.objects.filter(status__in=ACTIVE_TASK_STATUSES)
    warnings = set(open_tasks.values_list("warning", flat=True))
    assert {"none", "yellow", "red"} <= warnings
    assert ApplicationDepartment.objects.filter(status="deemed_approved").exists()
    assert Event.objects.filter(action="task_escalated").exists()
    # Dated relative to today: the red ones were submitted working days ago.
    red = open_tasks.filter(warning="red").select_related("application")
    assert all(t.application.submitted_at < t.due_at for t in red)

    # The supervision board shows them, in each colour.
    client.force_login(get_user_model().objects.get(username="admin"))
    page = client.get("/office/supervision/")
    assert page.status_code == 200
    counts = page.context["counts"]
    assert sum(r["green"] for r in counts) > 0
    assert sum(r["yellow"] for r in counts) > 0
    assert sum(r["red"] for r in counts) > 0
    red_page = client.get("/office/supervision/", {"warning": "red"})
    assert red_page.context["tasks"]
    yellow_page = client.get("/office/supervision/", {"warning": "yellow"})
    assert yellow_page.context["tasks"]

    # The applicants see them in 我的办件 (the marker names each).
    client.force_login(get_user_model().objects.get(username="citizen"))
    mine = client.get(reverse("portal:my_cases")).content.decode()
    assert MARKER in mine or "演示有限公司" in mine

    # Idempotent: a second run adds no case.
    again = seed()
    assert demo_cases().count() == len(SCENARIOS)
    assert "Not seeded" not in again
