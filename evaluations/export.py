"""The reporting feed (好差评数据上报): each rating and its handling as one record in the field
set provincial 好差评 systems receive, for a period; JSON lines from ``manage.py export_ratings``
and ``GET /api/v1/ratings/export/`` (a service client with the ``ratings.export`` scope).
The record's shape is ``docs/ratings-export.schema.json`` (documented in
``docs/ratings-export.md``). Personal data is masked: the applicant's name, ID number.

Reads in batches (``iterator``) with everything a record needs joined, so the query count does
not grow with the records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from permits.validators import mask_id_number, mask_name

from .choices import SubjectKind
from .models import Rating

SCHEMA_VERSION = "1"


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = ZoneInfo(settings.TIME_ZONE)
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end, time.max, tzinfo=tz),
    )


def _applicant(app) -> dict[str, Any]:
    if app is None:
        return {"applicant_type": None, "id_type": None, "applicant": None, "id_number": None}
    if app.applicant_enterprise_id:
        ent = app.applicant_enterprise
        return {
            "applicant_type": "enterprise",
            "id_type": "credit_code",
            "applicant": ent.name,  # an enterprise's name is public (工商登记)
            "id_number": mask_id_number(ent.credit_code),
        }
    person = app.applicant_person
    if person is None:
        return {"applicant_type": "person", "id_type": None, "applicant": None, "id_number": None}
    return {
        "applicant_type": "person",
        "id_type": person.id_type,
        "applicant": mask_name(person.real_name),
        "id_number": mask_id_number(person.id_number),
    }


def _visit(r: Rating) -> dict[str, Any] | None:
    """A window visit's own fields (一次一评), as the rating recorded them; None for a case."""
    if r.subject_kind == SubjectKind.CASE:
        return None
    data = r.subject_data or {}
    return {
        "centre_code": data.get("centre_code"),
        "centre_name": data.get("centre_name"),
        "window": data.get("window"),
        "ticket": data.get("ticket"),
        "day": data.get("day"),
    }


def record(r: Rating) -> dict[str, Any]:
    """One rating as a record of the feed."""
    app = r.application
    rect = getattr(r, "rectification", None)
    staff = r.staff
    return {
        "schema_version": SCHEMA_VERSION,
        "rating_id": r.pk,
        "subject_kind": r.subject_kind,
        "round": r.round,
        "case_number": app.number if app else None,
        "item_code": r.item.code if r.item_id else None,
        "item_version": r.item_version.number if r.item_version_id else None,
        "department_code": r.department.code,
        "department_name": r.department.name,
        **_applicant(app),
        "applied_at": _iso(app.submitted_at) if app else None,
        "handled_at": _iso(r.answered_at),
        "case_state": app.status if app else None,
        "region_code": r.region.code,
        "channel": r.channel or None,
        "case_channel": app.channel if app else None,
        "visit": _visit(r),
        "staff": (staff.get_full_name() or staff.get_username()) if staff else None,
        "level": r.level,
        "tags": list(r.tags or []),
        "reasons": list(r.reasons or []),
        "text": r.comment_published or None,  # only a reviewed, masked comment leaves the site
        "source": r.source,
        "is_default": r.is_default,
        "rated_at": _iso(r.rated_at),
        "set_aside": r.set_aside,
        "set_aside_reasons": r.set_aside_reasons or None,
        "rectification": (
            {
                "status": rect.status,
                "due_at": _iso(rect.due_at),
                "called_back_at": _iso(rect.revisit_at),
                "callback": rect.revisit or None,
                "fix": rect.fix or None,
                "citizen_on_fix": rect.fix_answer or None,
                "closed_at": _iso(rect.closed_at),
                "on_time": rect.on_time,
                "appeal_status": rect.appeal_status,
                "appeal_decision": rect.appeal_decision or None,
            }
            if rect
            else None
        ),
    }


def ratings_in(start: date, end: date, *, department_ids=None):
    low, high = _bounds(start, end)
    qs = Rating.objects.filter(rated_at__gte=low, rated_at__lte=high)
    if department_ids is not None:  # a head's or supervisor's download: what they supervise
        qs = qs.filter(department_id__in=sorted(department_ids))
    return qs.select_related(
        "application",
        "application__applicant_person",
        "application__applicant_enterprise",
        "item",
        "item_version",
        "department",
        "region",
        "staff",
        "rectification",
    ).order_by("rated_at", "pk")


def records(start: date, end: date, *, department_ids=None) -> Iterator[dict[str, Any]]:
    for r in ratings_in(start, end, department_ids=department_ids).iterator(chunk_size=500):
        yield record(r)


def json_lines(start: date, end: date) -> Iterator[str]:
    for rec in records(start, end):
        yield json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n"


# --- CSV and xlsx (for people opening the feed in a spreadsheet) ------------------------------

# The flat columns of a record: nested objects as ``parent.field``, lists joined with "|".
FLAT_HEADERS = [
    "rating_id",
    "subject_kind",
    "round",
    "case_number",
    "item_code",
    "item_version",
    "department_code",
    "department_name",
    "applicant_type",
    "id_type",
    "applicant",
    "id_number",
    "applied_at",
    "handled_at",
    "case_state",
    "region_code",
    "channel",
    "case_channel",
    "visit.centre_code",
    "visit.window",
    "visit.ticket",
    "visit.day",
    "staff",
    "level",
    "tags",
    "reasons",
    "text",
    "source",
    "is_default",
    "rated_at",
    "set_aside",
    "set_aside_reasons",
    "rectification.status",
    "rectification.due_at",
    "rectification.called_back_at",
    "rectification.fix",
    "rectification.citizen_on_fix",
    "rectification.closed_at",
    "rectification.on_time",
    "rectification.appeal_status",
]


def flat(rec: dict[str, Any]) -> list[Any]:
    """One record as a row of ``FLAT_HEADERS`` (cells are neutralised by ``onestop.tabular``)."""
    row = []
    for name in FLAT_HEADERS:
        parent, _dot, child = name.partition(".")
        value = rec.get(parent)
        if child:
            value = (value or {}).get(child)
        if isinstance(value, list):
            value = "|".join(str(v) for v in value)
        row.append(value)
    return row


def flat_rows(start: date, end: date, *, department_ids=None) -> Iterator[list[Any]]:
    for rec in records(start, end, department_ids=department_ids):
        yield flat(rec)


def spreadsheet(start: date, end: date, *, fmt: str, department_ids=None) -> bytes:
    """The records of the period as a CSV or xlsx file (``onestop.tabular``: every cell
    starting with ``=``, ``+``, ``-`` or ``@`` neutralised)."""
    from onestop.tabular import write_csv, write_xlsx

    rows = flat_rows(start, end, department_ids=department_ids)
    if fmt == "xlsx":
        return write_xlsx(rows, FLAT_HEADERS, title="ratings")
    return write_csv(rows, FLAT_HEADERS)
