"""The step registry: task kind → its ``Step`` (docs/architecture.md).

Workflow registers its own kinds from ``WorkflowConfig.ready()``; an app above workflow
registers its kinds from its own ``AppConfig.ready()`` (``register(RectificationStep())``), so
workflow never imports it. This module imports nothing of the engine, so flows and services can
ask it without cycles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from workflow.exceptions import Invalid

if TYPE_CHECKING:  # pragma: no cover
    from workflow.steps.base import Step

_STEPS: dict[str, Step] = {}


def register(step: Step) -> Step:
    """Make ``step`` the one that opens and completes tasks of ``step.kind``. Registering another
    class for a kind already taken is a wiring error; the same class again is a no-op (app
    registries can be populated twice in tests and autoreload)."""
    current = _STEPS.get(step.kind)
    if current is not None and type(current) is not type(step):
        raise ImproperlyConfigured(
            f"Task kind {step.kind!r} is already registered by {type(current).__qualname__}."
        )
    if current is None:
        _STEPS[step.kind] = step
    return _STEPS[step.kind]


def unregister(kind: str) -> None:
    """Forget a kind (tests that register a throw-away step clean up with this)."""
    _STEPS.pop(kind, None)


def step_for(kind: str) -> Step:
    """The registered step of ``kind``; ``Invalid`` (400, on ``decision``) for a kind no flow has
    built yet."""
    try:
        return _STEPS[kind]
    except KeyError:
        raise Invalid(
            fields={"decision": [_("This kind of task cannot be completed here.")]}
        ) from None


def registered() -> dict[str, Step]:
    """Every registered step by kind (the schema, the forms and tests read the decisions here)."""
    return dict(_STEPS)


def decision_label(kind: str, decision: str) -> str:
    """How a page names a recorded decision of a task of ``kind`` (the step's own label, in
    the active language); a decision no registered step knows shows as recorded."""
    step = _STEPS.get(kind)
    entry = (getattr(step, "decisions", None) or {}).get(decision) if step else None
    return str(entry.label) if entry is not None else decision
