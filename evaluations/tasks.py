"""Celery tasks of the ratings app: thin, idempotent, by id (STYLE.md point 7)."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from . import services

COMMON = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": 120,
    "time_limit": 150,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 5,
    "max_retries": 5,
}


@shared_task(name="evaluations.sweep_invitations", **COMMON)
def sweep_invitations(now: str | None = None) -> dict:
    """The beat's sweep (every ``RATING_SWEEP_SECONDS``): reminders and default ratings due."""
    from django.utils.dateparse import parse_datetime

    return services.invitations_sweep(now=parse_datetime(now) if now else None)


@shared_task(name="evaluations.invitation_remind", **COMMON)
def invitation_remind(invitation_id: int) -> bool:
    return services.invitation_remind(invitation_id=invitation_id)


@shared_task(name="evaluations.rating_default", **COMMON)
def rating_default(invitation_id: int) -> bool:
    return services.rating_default(invitation_id=invitation_id) is not None
