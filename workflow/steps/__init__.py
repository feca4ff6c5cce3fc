"""One module per task kind (``acceptance``, ``review``, ``inspection``, ``decision``): its
decisions, one input serializer per decision, what opening the step creates and what completing
it does. ``register`` / ``step_for`` are the registry (``registry.py``); the built-in kinds are
registered by ``WorkflowConfig.ready()`` (docs/architecture.md)."""

from workflow.steps.registry import register, registered, step_for, unregister

__all__ = ["register", "registered", "step_for", "unregister"]

# The modules of the kinds workflow builds itself, registered from WorkflowConfig.ready().
BUILTIN_STEP_MODULES = (
    "workflow.steps.acceptance",
    "workflow.steps.review",
    "workflow.steps.inspection",
    "workflow.steps.decision",
    "workflow.steps.consultation",
    "workflow.steps.triage",
    "workflow.steps.handling",
    "workflow.steps.reply_review",
)
