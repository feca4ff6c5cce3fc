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

from workflow.deadlines import dues
from workflow.deadlines.clocks import clock_state

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


@register.simple_tag
def clock_text(obj, used: bool = False) -> str:
    """The clock in words: "3 working days left", "overdue by 2 working days", "clock paused";
    with ``used=True`` the working days spent come first ("2 working days used, 8 left")."""
    from django.utils.translation import gettext, ngettext

    state = clock_state(obj)
    left = state["left"]
    if state["status"] == "none" or left is None:
        return ""
    if state["status"] == "paused":
        return gettext("Clock paused")
    if left < 0:
        text = ngettext(
            "Overdue by %(days)s working day", "Overdue by %(days)s working days", -left
        ) % {"days": -left}
    else:
        text = ngettext("%(days)s working day left", "%(days)s working days left", left) % {
            "days": left
        }
    if used and state["used"] is not None:
        spent = ngettext(
            "%(days)s working day used", "%(days)s working days used", state["used"]
        ) % {"days": state["used"]}
        text = f"{spent} · {text}"
    return text


# The case's dues as pages show them: the same functions the notices read
# (workflow.deadlines.dues), never a column picked by the template.
register.filter("promised_due", dues.promised_due)
register.filter("legal_due", dues.legal_due)
