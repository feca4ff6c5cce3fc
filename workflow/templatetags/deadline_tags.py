"""Template tags for the clocks (time used and left in working days).

    {% load deadline_tags %}
    {% clock task %}               a badge: paused / N working days left / overdue by N
    {{ task|working_days_left }}   an int (negative once overdue), "" without a due
    {{ app|working_days_used }}    whole working days spent since the clock started

Tasks take their colour from the ``warning`` column the sweep sets (so the inbox, the board
and the API agree); cases from their clock.
"""

from __future__ import annotations

from django import template

from workflow.clocks import clock_state

register = template.Library()


@register.inclusion_tag("workflow/includes/clock.html")
def clock(obj, small: bool = False) -> dict:
    state = clock_state(obj)
    warning = getattr(obj, "warning", None)
    order = ["green", "yellow", "red"]
    if state["status"] in order and warning in order:
        # The sweep's mark counts too: the badge agrees with the API's ``warning``.
        state["status"] = max(state["status"], warning, key=order.index)
    left = state["left"]
    return {
        "state": state,
        "overdue_days": -left if isinstance(left, int) and left < 0 else 0,
        "small": small,
    }


@register.filter
def working_days_left(obj):
    left = clock_state(obj)["left"]
    return "" if left is None else left


@register.filter
def working_days_used(obj):
    used = clock_state(obj)["used"]
    return "" if used is None else used
