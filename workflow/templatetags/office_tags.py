from django import template

from workflow.labels import (
    event_label,
    participation_label,
    participation_opinion,
    stage_label,
)

register = template.Library()

register.filter("event_label", event_label)
register.filter("stage_label", stage_label)
register.filter("participation_label", participation_label)
register.filter("participation_opinion", participation_opinion)


@register.simple_tag
def decision_label(task) -> str:
    """A task's recorded decision by its step's label ("受理", not "approve")."""
    from workflow.steps.registry import decision_label as label

    return label(task.kind, task.decision or "")
