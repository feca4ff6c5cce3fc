"""Helpers for the deadline tests: a case in review at a known moment of the 2026 calendar."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.db import transaction

from permits.models import ApplicationDepartment, ItemVersion
from tests.workflow.journey import accept, build_world, submitted_case
from workflow.deadlines import marking
from workflow.models import CaseTask, DeadlineMark

SH = ZoneInfo("Asia/Shanghai")


def sh(y, m, d, hh=10, mm=0, ss=0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=SH)


def eod(y, m, d) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=SH)


# Monday 2 March 2026, 10:00: submitted and accepted at once. With the factories' limits
# (departments 5 working days, promised 10, legal 20): the reviews are due Mon 9 March
# 23:59:59 (yellow from Fri 6 March 23:59:59); the case is due Mon 16 March; legally Mon 30.
ACCEPTED_AT = sh(2026, 3, 2)


def travel(moment: datetime):
    return time_machine.travel(moment, tick=False)


def case_in_review(n: int = 2, *, deemed: bool = False, at: datetime = ACCEPTED_AT, **world_kw):
    with travel(at):
        world = build_world(n, **world_kw)
        if deemed:
            allow_deemed_approval(world.item)
        app = submitted_case(world)
        accept(world, app)
        app.refresh_from_db()
    return world, app


def allow_deemed_approval(item) -> None:
    """The item's rules allow deemed approval and its participating departments use it: a new
    frozen version, as publishing the changed item would make."""
    item.deemed_approval_allowed = True
    item.save(update_fields=["deemed_approval_allowed"])
    version = item.current_version
    snapshot = dict(version.snapshot)
    snapshot["item"] = {**snapshot["item"], "deemed_approval_allowed": True}
    snapshot["departments"] = [
        {
            **d,
            "timeout_policy": "deemed_approval" if d["role"] == "parallel" else d["timeout_policy"],
        }
        for d in snapshot["departments"]
    ]
    item.current_version = ItemVersion.objects.create(
        item=item, number=version.number + 1, snapshot=snapshot
    )
    item.save(update_fields=["current_version"])


def review_tasks(app) -> list[CaseTask]:
    # In the order of the departments (the split may open their tasks in any order).
    return list(
        CaseTask.objects.filter(application=app, kind="review").order_by(
            "participation__position", "pk"
        )
    )


def marks(app, threshold: str | None = None) -> list[DeadlineMark]:
    qs = DeadlineMark.objects.filter(application=app)
    if threshold:
        qs = qs.filter(threshold=threshold)
    return list(qs.order_by("pk"))


def participations(app) -> list[ApplicationDepartment]:
    return list(ApplicationDepartment.objects.filter(application=app, role="parallel"))


def recorded(result) -> list[int]:
    """The marks of a sweep's marking batches, written as their follow-up writes them first
    (``marking.record_batch``), without following them up: their ids."""
    ids: list[int] = []
    with transaction.atomic():
        for batch_id in result.batch_ids:
            ids += marking.record_batch(batch_id) or []
    return ids
