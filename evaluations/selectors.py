"""Reads of the ratings app: a case's ratings as the case detail's ``ratings[]`` part."""

from __future__ import annotations

from .choices import SubjectKind
from .models import Rating


def case_ratings(application) -> list[dict]:
    """API.md's ``ratings [{level, at, rectification_status, appeal_status}]`` of a case."""
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
