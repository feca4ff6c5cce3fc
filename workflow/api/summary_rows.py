"""The applications list's rows as plain dicts: the same JSON as
``serializers.ApplicationSummarySerializer`` (which stays the schema's description of them;
``tests/workflow/test_keyset_paging.py`` holds the two equal), built without DRF's field
machinery and without model instances: the page is read as dicts of the columns shown
(``selectors.application_summaries_for_user``) and its case-department rows in one more query
(``selectors.application_summary_departments``). A page is 20 cases of about four department
rows each; DRF's per-field calls were a third of the request's time at a million cases, and
then the ~300 model instances a page built (cases, items, departments) another fifth (issue
11, pyinstrument and cProfile)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from permits.models import Application
from workflow.api.serializers import mask_caller

_AT = serializers.DateTimeField()


def _formatter():
    """``DateTimeField().to_representation`` for this request's time zone: ISO 8601 in the
    current zone, ``Z`` for UTC (DRF's own output), without its per-value settings lookups."""
    if str(api_settings.DATETIME_FORMAT).lower() != ISO_8601:
        return lambda value: None if value is None else _AT.to_representation(value)
    zone = timezone.get_current_timezone()

    def at(value: datetime | None) -> str | None:
        if not value:
            return None
        if timezone.is_naive(value):
            return _AT.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return at


def _department_row(row: Mapping[str, Any], at) -> dict[str, Any]:
    return {
        "code": str(row["department__code"]),
        "name": str(row["department__name"]),
        "role": str(row["role"]),
        "round": int(row["round"]),
        "stage": str(row["stage"]),
        "stages": [str(stage) for stage in row["stages"] or ()],
        "status": str(row["status"]),
        "due_at": at(row["due_at"]),
        "opinion": str(row["opinion"]),
        "outcome": row["outcome"] or None,
        "instructions": str(row["instructions"]),
        "may_return": bool(row["may_return"]),
    }


def summary_rows(
    applications: Sequence[Mapping[str, Any]], departments: Mapping[int, list[Mapping[str, Any]]]
) -> list[dict[str, Any]]:
    """The list's ``results``: one dict per case row of
    ``selectors.application_summaries_for_user``, in the order given, with its rows of
    ``departments`` (``selectors.application_summary_departments``)."""
    at = _formatter()
    # The status names in this request's language, once (not a gettext per choice per row).
    names = {
        value: str(label)
        for value, label in Application._meta.get_field("status").flatchoices  # noqa: SLF001
    }
    return [
        {
            "number": str(app["number"]),
            "item": {"code": str(app["item__code"]), "name": str(app["item__name"])},
            "status": str(app["status"]),
            "status_name": names.get(app["status"], str(app["status"])),
            "channel": str(app["channel"]),
            "lead_department": {
                "code": str(app["lead_department__code"]),
                "name": str(app["lead_department__name"]),
            },
            "created_at": at(app["created_at"]),
            "submitted_at": at(app["submitted_at"]),
            "due_at": at(app["due_at"]),
            "legal_due_at": at(app["legal_due_at"]),
            "paused": bool(app["paused"]),
            "departments": [_department_row(row, at) for row in departments.get(app["pk"], ())],
            "request_kind": str(app["request_kind"]),
            "urgency": str(app["urgency"]),
            "caller": mask_caller(app["caller"]),
        }
        for app in applications
    ]
