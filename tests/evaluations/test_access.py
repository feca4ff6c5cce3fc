"""An appeal review (申诉复核) is the region supervisor's one task kind (workflow/access.py)."""

from types import SimpleNamespace

import pytest

from departments.models import Role
from tests.workflow import factories as f
from workflow import access

pytestmark = pytest.mark.django_db


def test_only_the_regions_supervisor_acts_on_an_appeal_review():
    reg = f.region()
    dept = f.department(reg=reg)
    supervisor = f.supervisor(reg, dept)
    head = f.staff(dept, Role.HEAD)
    reviewer = f.staff(dept, Role.REVIEWER, "undertake")
    appeal = SimpleNamespace(
        kind="appeal_review", region_id=reg.pk, department_id=dept.pk, stage=""
    )
    rectification = SimpleNamespace(
        kind="rectification", region_id=reg.pk, department_id=dept.pk, stage="undertake"
    )
    assert access.can_act_on_task(supervisor, appeal)
    assert not access.can_act_on_task(head, appeal)
    assert not access.can_act_on_task(reviewer, appeal)
    assert access.can_act_on_task(reviewer, rectification)
    assert not access.can_act_on_task(supervisor, rectification)
