"""``{% case_rating application %}``: the case page's rating panel (the link to rate once the
answer waits for a rating; the ratings given, their rectification and appeal outcome)."""

from __future__ import annotations

from django import template

from evaluations import services
from evaluations.choices import FixAnswer, SubjectKind
from evaluations.models import Rating

register = template.Library()


@register.inclusion_tag("portal/ratings/_case_rating.html", takes_context=True)
def case_rating(context, application):
    ratings = list(
        Rating.objects.filter(subject_kind=SubjectKind.CASE, subject_id=application.pk)
        .select_related("rectification")
        .order_by("round")
    )
    for r in ratings:
        r.rectification_or_none = getattr(r, "rectification", None)
    answer = services.current_round(application)
    rateable = application.status in services.RATABLE_STATUSES and not any(
        r.round == answer for r in ratings
    )
    return {
        "application": application,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "fix_answers": FixAnswer.choices,
        "panel": {"show": bool(ratings) or rateable, "rateable": rateable, "ratings": ratings},
    }
