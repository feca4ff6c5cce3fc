"""workflow/steps/decision.py: approve issues the certificate, deny states the reasons."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from permits.exceptions import Invalid
from permits.models import Certificate
from tests.workflow.journey import accept, approve_department, build_world, decide, submitted_case
from workflow.models import TaskKind
from workflow.steps import step_for
from workflow.steps.decision import add_months

step = step_for(TaskKind.DECISION)


def test_decisions():
    assert set(step.decisions) == {"approve", "deny", "consult"}
    with pytest.raises(Invalid) as exc:
        step.validate(decision="consult", data={})  # the core-department flow's
    assert set(exc.value.fields) == {"departments", "opinion"}
    with pytest.raises(Invalid) as exc:
        step.validate(decision="deny", data={"opinion": ""})
    assert set(exc.value.fields) == {"opinion"}


def test_add_months_keeps_the_day_or_the_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)


@pytest.mark.django_db
def test_approve_issues_the_certificate():
    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=True):
        world = build_world(1)
        app = submitted_case(world)
        accept(world, app)
        approve_department(world, app, world.departments[0])
        decide(world, app)
    app.refresh_from_db()
    certificate = Certificate.objects.get(application=app)
    assert app.status == "approved" and certificate.number == "YFZ" + app.number[2:]
