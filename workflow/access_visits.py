"""Who may handle the ratings that belong to no case task: a window visit's 差评 (its
rectification by the centre's department and its appeal) and the ratings phoned in to the
12345 hotline. Part of the access rules (``workflow.access`` re-exports these, and callers ask
that module); kept apart so that module stays one job's size. Only the roles' reads of
``departments.roles`` are used here, so nothing imports back.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from departments.models import Role
from departments.roles import (
    hotline_office_ids,
    hotline_region_ids,
    is_user,
    user_department_ids,
    user_supervised_region_ids,
)

# --- A window visit's 差评 (evaluations.visit_handling: no case, no task) ------------------------


def can_handle_visit_rectification(user: Any, rectification: Any) -> bool:
    """A head of the visit's department (the centre's) records the callback, fix or appeal."""
    return is_user(user) and rectification.department_id in user_department_ids(
        user, roles=[Role.HEAD]
    )


def can_decide_visit_appeal(user: Any, rectification: Any) -> bool:
    """A supervisor of the visit's region (or above) reads it and decides its appeal."""
    return is_user(user) and rectification.rating.region_id in user_supervised_region_ids(user)


def can_see_visit_rectifications(user: Any) -> bool:
    """Heads (their departments' visits) and supervisors (their regions') open the page."""
    return is_user(user) and bool(
        user_department_ids(user, roles=[Role.HEAD]) or user_supervised_region_ids(user)
    )


def visit_rectification_q(user: Any) -> Q:
    """The filter over ``evaluations.Rectification`` (of visits) the user may open."""
    if not is_user(user):
        return Q(pk__in=[])
    q = Q(pk__in=[])
    heads = user_department_ids(user, roles=[Role.HEAD])
    if heads:
        q |= Q(department_id__in=sorted(heads))
    regions = user_supervised_region_ids(user)
    if regions:
        q |= Q(rating__region_id__in=sorted(regions))
    return q


# --- Ratings phoned in to the 12345 hotline (evaluations.hotline) -------------------------------


def can_record_phoned_ratings(user: Any) -> bool:
    """A 12345 operator: a clerk or the head of a coordinating office (the hotline centre)."""
    return bool(hotline_office_ids(user))


def can_record_phoned_rating(user: Any, application: Any) -> bool:
    """A 12345 operator records a phoned-in rating for a case of their office's region (or a
    region below it); the caller is identified by the phone on the case (the service)."""
    return application.region_id in hotline_region_ids(user)
