"""workflow/steps/inspection.py: the record of an on-site inspection."""

from __future__ import annotations

from datetime import date

import pytest

from permits.exceptions import Invalid
from workflow.models import TaskKind
from workflow.steps import step_for

step = step_for(TaskKind.INSPECTION)


def test_pass_and_fail_take_date_inspectors_and_findings():
    assert set(step.decisions) == {"pass", "fail"}
    with pytest.raises(Invalid) as exc:
        step.validate(decision="fail", data={"inspectors": [" ", ""], "findings": " "})
    assert set(exc.value.fields) == {"inspected_on", "inspectors", "findings"}
    data = step.validate(
        decision="pass",
        data={"inspected_on": "2026-11-03", "inspectors": [" 王五", "赵六 "], "findings": "一致 "},
    )
    assert data == {
        "opinion": "",
        "inspected_on": date(2026, 11, 3),
        "inspectors": ["王五", "赵六"],
        "findings": "一致",
    }
