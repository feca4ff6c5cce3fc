"""Celery tasks of the deadlines: thin, idempotent, by id (STYLE.md point 7). Due state lives
in database columns swept by beat; nothing here waits on a long ETA or countdown."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from .deadlines import followup
from .deadlines import sweep as deadlines
from .grants import services as grants

COMMON = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": 120,
    "time_limit": 150,
}
# The follow-ups: idempotent, so a database error (a deadlock, a restart) is retried with backoff.
RETRIED = {
    **COMMON,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 10,
}


@shared_task(name="workflow.sweep_deadlines", max_retries=0, **COMMON)
def sweep_deadlines(now: str | None = None) -> dict:
    """The beat's sweep (every ``DEADLINE_SWEEP_SECONDS``); ``now`` (ISO 8601) for tests."""
    from django.utils.dateparse import parse_datetime

    at = parse_datetime(now) if now else None
    result = deadlines.sweep(now=at)
    caught = deadlines.catch_up_followups(now=at)
    grants.end_expired(now=at)  # shares and delegations past their last day (workflow.grants)
    return {"marked": result.marked, "caught_up": caught}


@shared_task(
    name="workflow.deadline_followup",
    **RETRIED,
)
def deadline_followup(mark_id: int) -> str:
    return deadlines.process_mark(mark_id=mark_id)


@shared_task(
    name="workflow.deadline_marking",
    **RETRIED,
)
def deadline_marking(batch_id: int) -> dict:
    """A marking batch of the sweep: its marks written, then followed up (``followup``)."""
    return dict(followup.process_batch(batch_id=batch_id))


@shared_task(
    name="workflow.deadline_followups",
    **RETRIED,
)
def deadline_followups(mark_ids: list[int]) -> dict:
    """The bulk follow-up of a batch of marks (``workflow.deadlines.followup``)."""
    return dict(followup.process_marks(mark_ids=mark_ids))


@shared_task(
    name="workflow.tolerance_terminate",
    **RETRIED,
)
def tolerance_terminate(tolerance_id: int) -> str:
    """A 容缺 deadline passed (the sweep claimed the row): terminate the case."""
    from .tolerance.services import tolerance_terminate as terminate

    return terminate(tolerance_id=tolerance_id)
