"""The back office's home (工作台) at ``/office/``: who I am in which department.

Only government staff (``workflow.access.is_staff_member``) open it; anonymous visitors are
sent to the login page, other signed-in users get 403 (the page exists, but not for them).
"""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from departments.selectors import staff_roles_for_user
from workflow import access


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if not access.is_staff_member(request.user):
        raise PermissionDenied
    roles = staff_roles_for_user(user=request.user)
    departments = [
        {"department": department, "roles": list(group)}
        for department, group in groupby(roles, key=lambda r: r.department)
    ]
    return render(
        request,
        "workflow/home.html",
        {
            "departments": departments,
            "is_admin": access.is_admin(request.user),
            "counts": _counts(request.user) if access.can_act_on_some_task(request.user) else None,
        },
    )


def _counts(user) -> dict[str, int]:
    """The workbench's counts (issue 14 item 12): my open tasks, my departments' queue, and of
    those the yellow and the red ones (two queries, the inbox's own selectors)."""
    from django.db.models import Count, Q

    from workflow.models import Warning
    from workflow.selectors import task_list_for_user

    counts: dict[str, int] = {}
    for scope in ("mine", "queue"):
        row = (
            task_list_for_user(user=user, scope=scope)
            .order_by()
            .aggregate(
                total=Count("pk"),
                yellow=Count("pk", filter=Q(warning=Warning.YELLOW, paused=False)),
                red=Count("pk", filter=Q(warning=Warning.RED, paused=False)),
            )
        )
        counts[scope] = row["total"]
        counts["yellow"] = counts.get("yellow", 0) + row["yellow"]
        counts["red"] = counts.get("red", 0) + row["red"]
    return counts
