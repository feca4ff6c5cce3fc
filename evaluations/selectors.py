"""Reads of the ratings app: a case's ratings as the case detail's ``ratings[]`` part."""

from __future__ import annotations

from permits.choices import EventAction

from .choices import SubjectKind
from .models import Rating

_RATING_ACTIONS = frozenset({EventAction.RATED, EventAction.RATING_DEFAULTED})


def case_ratings(application) -> list[dict]:
    """API.md's ``ratings [{level, at, rectification_status, appeal_status}]`` of a case.

    Every rating of a case is recorded with its Event (``rated`` / ``rating_defaulted``,
    ``services``): when the case detail has read the case's events already
    (``application.event_rows``) and none is a rating, there is none to read."""
    events = getattr(application, "event_rows", None)
    if events is not None and not any(e.action in _RATING_ACTIONS for e in events):
        return []
    rows = (
        Rating.objects.filter(subject_kind=SubjectKind.CASE, subject_id=application.pk)
        .select_related("rectification")
        .order_by("round")
    )
    out = []
    for r in rows:
        rect = getattr(r, "rectification", None)
        out.append(
            {
                "level": r.level,
                "at": r.rated_at.isoformat(),
                "default": r.is_default,
                "round": r.round,
                # Set aside on the department's appeal: the reasons are shown to the citizen.
                "set_aside": r.set_aside,
                "set_aside_reasons": r.set_aside_reasons or None,
                "rectification_status": rect.status if rect else None,
                "appeal_status": rect.appeal_status if rect else None,
            }
        )
    return out
