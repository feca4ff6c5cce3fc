"""The applications list's rows as plain dicts: the same JSON as
``serializers.ApplicationSummarySerializer`` (which stays the schema's description of them;
``tests/workflow/test_keyset_paging.py`` holds the two equal), built without DRF's field
machinery: a page is 20 cases of about four department rows each, and DRF's per-field calls
were a third of the request's time at a million cases (issue 11, pyinstrument)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from workflow.api.serializers import masked_caller

_AT = serializers.DateTimeField()


def _at(value) -> str | None:
    return None if value is None else _AT.to_representation(value)


def _ref(obj) -> dict[str, str]:
    return {"code": str(obj.code), "name": str(obj.name)}


def _department_row(row) -> dict[str, Any]:
    return {
        "code": str(row.department.code),
        "name": str(row.department.name),
        "role": str(row.role),
        "round": int(row.round),
        "stage": str(row.stage),
        "stages": [str(stage) for stage in row.stages or ()],
        "status": str(row.status),
        "due_at": _at(row.due_at),
        "opinion": str(row.opinion),
        "outcome": row.outcome or None,
        "instructions": str(row.instructions),
        "may_return": bool(row.may_return),
    }


def summary_rows(applications) -> list[dict[str, Any]]:
    """The list's ``results``: one dict per case, in the order given."""
    return [
        {
            "number": str(app.number),
            "item": _ref(app.item),
            "status": str(app.status),
            "status_name": str(app.get_status_display()),
            "channel": str(app.channel),
            "lead_department": _ref(app.lead_department),
            "created_at": _at(app.created_at),
            "submitted_at": _at(app.submitted_at),
            "due_at": _at(app.due_at),
            "legal_due_at": _at(app.legal_due_at),
            "paused": bool(app.paused),
            "departments": [_department_row(row) for row in app.participations.all()],
            "request_kind": str(app.request_kind),
            "urgency": str(app.urgency),
            "caller": masked_caller(app),
        }
        for app in applications
    ]
