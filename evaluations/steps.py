"""The two task kinds of 差评 handling, registered with workflow from ``EvaluationsConfig.ready()``
(docs/architecture.md): ``rectification`` (the responsible department) and ``appeal_review``
(a supervisor of the region). Neither runs in a viewflow graph: their tasks are plain
``CaseTask`` rows, opened by the ratings services, due under the deadline sweep.

Decisions (API.md's task table, plus ``callback``):

* ``rectification``: ``callback`` (the call recorded: ``revisit`` = outcome, ``called_on``,
  ``callback_person``; the task stays open) · ``done`` (``opinion`` = what was fixed, ``told`` =
  what the citizen was told, ``revisit`` when the callback was not recorded before) ·
  ``appeal`` (``opinion`` = reasons, ``evidence`` = [descriptions]; a callback first);
* ``appeal_review``: ``uphold`` (the rating stands; the rectification goes on) · ``overturn``
  (``opinion`` = the reasons shown to the citizen; the rating is set aside).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from workflow.exceptions import Conflict, Invalid
from workflow.models import TaskKind
from workflow.steps.base import (
    DecisionInput,
    OpinionRequiredInput,
    Step,
    decision_serializers,
)

from . import handling
from .choices import RectificationStatus


class _CallbackFields(DecisionInput):
    revisit = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        default="",
        help_text=gettext_lazy("The outcome of the call to the citizen (回访核实)."),
    )
    called_on = serializers.DateField(required=False, allow_null=True, default=None)
    callback_person = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=60,
        default="",
        help_text=gettext_lazy("Who called (default: you)."),
    )


class CallbackInput(_CallbackFields):
    def validate_revisit(self, value: str) -> str:
        value = (value or "").strip()
        if not value:
            raise serializers.ValidationError(gettext_lazy("Say what the call found."))
        return value


class RectifiedInput(_CallbackFields, OpinionRequiredInput):
    opinion_required_message = gettext_lazy("Say what was fixed.")
    told = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class AppealInput(_CallbackFields, OpinionRequiredInput):
    opinion_required_message = gettext_lazy("State the reasons of the appeal.")
    evidence = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, default=list
    )


class UpholdInput(DecisionInput):
    """``uphold``: the rating stands (``opinion`` optional)."""


class OverturnInput(OpinionRequiredInput):
    opinion_required_message = gettext_lazy("State the reasons: the citizen is shown them.")


def _needs_callback():
    return Invalid(
        fields={"revisit": [gettext_lazy("Call the citizen back first (回访核实) and record it.")]}
    )


class RectificationStep(Step):
    kind = TaskKind.RECTIFICATION
    decisions = decision_serializers(
        TaskKind.RECTIFICATION,
        {
            "callback": (gettext_lazy("Record the callback"), CallbackInput),
            "done": (gettext_lazy("Rectified"), RectifiedInput),
            "appeal": (gettext_lazy("Appeal the rating"), AppealInput),
        },
    )

    def open(self, *, activation) -> None:  # pragma: no cover - opened by the ratings services
        raise Conflict()

    def guard(self, *, application, task) -> None:
        r = handling.rectification_of(task)
        if r.status != RectificationStatus.OPEN:
            raise Conflict()

    def reassign_department(self, *, task, actor, department: str) -> None:
        handling.rectification_reassign_department(task=task, actor=actor, department=department)

    def complete(self, *, application, task, actor, decision, data, now) -> None:
        r = handling.rectification_of(task)
        had_callback = bool(r.revisit)
        called = handling.record_callback(r, actor=actor, data=data, now=now)
        if called and (data.get("revisit") or "").strip():
            handling.callback_event(application, task, r, actor=actor)
        if decision == "callback":
            task.save(update_fields=["status", "assignee", "claimed_at"])
            return
        if not (called or had_callback):
            raise _needs_callback()
        if decision == "done":
            handling.rectify(application, task, r, actor=actor, data=data, now=now)
        else:
            handling.appeal(application, task, r, actor=actor, data=data, now=now)


class AppealReviewStep(Step):
    kind = TaskKind.APPEAL_REVIEW
    decisions = decision_serializers(
        TaskKind.APPEAL_REVIEW,
        {
            "uphold": (gettext_lazy("Reject the appeal: the rating stands"), UpholdInput),
            "overturn": (gettext_lazy("Grant the appeal: set the rating aside"), OverturnInput),
        },
    )

    def open(self, *, activation) -> None:  # pragma: no cover - opened by the ratings services
        raise Conflict()

    def guard(self, *, application, task) -> None:
        r = handling.rectification_of(task)
        if r.status != RectificationStatus.APPEALED:
            raise Conflict()

    def complete(self, *, application, task, actor, decision, data, now) -> None:
        r = handling.rectification_of(task)
        handling.appeal_decide(
            application, task, r, actor=actor, decision=decision, opinion=data["opinion"], now=now
        )
