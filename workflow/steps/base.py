"""What every step module is made of: ``Step`` (a task kind's decisions, opening and
completing), ``Decision`` (its label and its ONE input serializer) and the row helpers the
steps share (a new ``CaseTask``, finishing one, its event, moving the viewflow graph on).

A decision's serializer is the single definition of its input: the API's task-complete
endpoint documents it (OpenAPI), the HTML decision form validates with it, and
``services.task_complete`` validates with it under the case lock, with the case in its context
(``{"application", "spec"}``) for the rules that need the case (a tolerated requirement must be
tolerable, a missing material must be the case's)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from django.db import router
from django.db.models.signals import post_save, pre_save
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from permits.choices import EventAction
from permits.models import Application, ApplicationDepartment, ParticipationRole
from workflow.exceptions import Invalid
from workflow.models import CaseTask, TaskKind, TaskStatus
from workflow.services.common import add_time_limit
from workflow.services.events import event_append
from workflow.services.locking import locked_case, locked_flow_task, share_item
from workflow.spec import VersionSpec, version_spec

# --- Input ------------------------------------------------------------------------------------


class DecisionField(serializers.CharField):
    """The ``decision`` member of one decision's input: a constant. The schema shows it as a
    one-value enum, so a client can tell the decisions of the request body apart."""

    def __init__(self, value: str, **kwargs: Any) -> None:
        self.value = value
        kwargs.setdefault("help_text", _("The decision."))
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if data != self.value:
            raise serializers.ValidationError(_("Choose %(value)s.") % {"value": self.value})
        return self.value


class DecisionFieldSchema(OpenApiSerializerFieldExtension):
    target_class = DecisionField

    def map_serializer_field(self, auto_schema, direction):
        # One enum per kind and decision (``approve`` of acceptance and of review are distinct
        # members), so drf-spectacular names each after its component instead of colliding.
        owner = type(getattr(self.target, "parent", None)).__name__
        enum_id = hashlib.sha256(f"{owner}.{self.target.value}".encode()).hexdigest()
        return {"type": "string", "enum": [self.target.value], "x-spec-enum-id": enum_id[:16]}


class DecisionInput(serializers.Serializer):
    """Base of every decision's input: the opinion. Subclasses add their fields and rules.
    Rules that need the case read ``self.context["spec"]`` / ``["application"]`` when given (the
    service always gives them; the HTML form checks the shape without them)."""

    opinion = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, default="", trim_whitespace=True
    )

    @property
    def spec(self) -> VersionSpec | None:
        """The case's item version, read only by the rules that need it."""
        if "spec" not in self.context and self.application is not None:
            self.context["spec"] = version_spec(self.application.item_version)
        return self.context.get("spec")

    @property
    def application(self) -> Application | None:
        return self.context.get("application")


class OpinionRequiredInput(DecisionInput):
    """A decision whose opinion is required (a denial's reasons reach the applicant)."""

    opinion_required_message: ClassVar[Promise] = _("State the reasons for the denial.")

    def validate_opinion(self, value: str) -> str:
        value = (value or "").strip()
        if not value:
            raise serializers.ValidationError(self.opinion_required_message)
        return value


@dataclass(frozen=True)
class Decision:
    """One decision of a kind: its label (forms, docs) and its input serializer."""

    label: Promise
    serializer: type[DecisionInput]


def flat_errors(errors: Any) -> dict[str, list[str]]:
    """DRF's nested errors as API.md's ``fields``: field → list of messages."""
    out: dict[str, list[str]] = {}
    for name, value in (errors or {}).items():
        key = "decision" if name == "non_field_errors" else name
        out.setdefault(key, []).extend(_messages(value))
    return out


def _messages(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, list | tuple):
        return [m for v in value for m in _messages(v)]
    return [str(value)]


# --- The step -----------------------------------------------------------------------------------


class Step:
    """A task kind. Subclasses set ``kind`` and ``decisions`` and implement ``open`` and
    ``complete``; ``guard`` refuses (``Conflict``) when the case is in no state for the kind.

    ``open`` and ``complete`` run under the case lock the caller holds (the flow's activation,
    ``services.task_complete``); they change rows, append Events through ``event_append`` and,
    when the step is over, call ``complete_flow_task`` so the graph moves on."""

    kind: ClassVar[str]
    decisions: ClassVar[Mapping[str, Decision]]

    def choices(self) -> list[tuple[str, Promise]]:
        return [(value, d.label) for value, d in self.decisions.items()]

    def decision(self, value: str) -> Decision:
        """The decision ``value``; ``Invalid`` on ``decision`` when the kind has no such one."""
        try:
            return self.decisions[value]
        except KeyError:
            raise Invalid(
                fields={
                    "decision": [
                        _("Choose one of: %(choices)s.")
                        % {"choices": ", ".join(sorted(self.decisions))}
                    ]
                }
            ) from None

    def validate(
        self, *, decision: str, data: Mapping[str, Any], application: Application | None = None
    ) -> dict[str, Any]:
        """The decision's input, validated by its serializer (``Invalid`` with ``fields``)."""
        context: dict[str, Any] = {}
        if application is not None:
            context = {"application": application}
        serializer = self.decision(decision).serializer(
            data={**data, "decision": decision}, context=context
        )
        if not serializer.is_valid():
            raise Invalid(fields=flat_errors(serializer.errors))
        validated = dict(serializer.validated_data)
        validated.pop("decision", None)
        return validated

    def guard(self, *, application: Application, task: CaseTask) -> None:
        """Raise ``Conflict`` when the case's state does not allow completing this kind."""

    def reassign_department(self, *, task: CaseTask, actor, department: str) -> None:
        """Hand the task to another department (``reassign {"department"}``): only kinds that
        allow it override this (a rectification, registered by the ratings app)."""
        raise Invalid(
            fields={"department": [_("This kind of task does not go to another department.")]}
        )

    def open(self, *, activation) -> None:  # pragma: no cover - every step overrides it
        raise NotImplementedError

    # A step that can open several of its nodes' tasks at once (a split's branches) in fewer
    # queries defines ``open_many(*, activations)``; the split then calls it instead of
    # ``open`` per branch (``workflow.flows.parallel.DepartmentSplitActivation``).
    open_many = None

    def complete(
        self,
        *,
        application: Application,
        task: CaseTask,
        actor,
        decision: str,
        data: dict[str, Any],
        now: datetime,
    ) -> None:  # pragma: no cover - every step overrides it
        raise NotImplementedError


def decision_serializers(kind: str, decisions: Mapping[str, tuple[Promise, type]]) -> dict:
    """``decisions`` with a ``decision`` constant added to each serializer (one class per kind and
    decision, named ``<Kind><Decision>Input`` so the schema has one component each)."""
    out = {}
    for value, (label, base) in decisions.items():
        name = "".join(p.capitalize() for p in f"{kind}_{value}".split("_")) + "Input"
        cls = type(name, (base,), {"decision": DecisionField(value), "__module__": base.__module__})
        out[value] = Decision(label=label, serializer=cls)
    return out


# --- Rows the steps share ------------------------------------------------------------------------


def case_of(activation) -> Application:
    """The case of a flow activation, with what opening a step reads: the row the caller holds
    locked (no second read), or read afresh when the flow runs outside a case lock."""
    application_id = activation.process.application_id
    return locked_case(application_id) or share_item(
        Application.objects.select_related("item", "item_version").get(pk=application_id)
    )


def stage_due(participation: ApplicationDepartment, index: int) -> datetime | None:
    """Each stage of a department gets its share of the department's limit; the last stage is
    due when the department is."""
    days = participation.time_limit_days
    if not days or participation.started_at is None:
        return None
    stages = participation.stages or ["undertake"]
    share = max(1, math.ceil(days * (index + 1) / len(stages)))
    return add_time_limit(
        start=participation.started_at,
        days=min(share, days),
        unit=participation.time_limit_unit or "working_day",
    )


def new_task(
    app: Application,
    *,
    kind: str,
    department_id: int,
    stage: str,
    flow_task=None,
    participation: ApplicationDepartment | None = None,
    due_at: datetime | None = None,
) -> CaseTask:
    """A new open ``CaseTask`` of the case (denormalised for the inbox and the sweep)."""
    task = task_row(
        app,
        kind=kind,
        department_id=department_id,
        stage=stage,
        flow_task=flow_task,
        participation=participation,
        due_at=due_at,
    )
    task.save(force_insert=True)
    return task


def rows_saved_together(model, rows: list, *, fields: list[str] | None = None) -> None:
    """Insert ``rows`` (``fields`` None) or update their ``fields`` in one query each, with the
    ``pre_save`` / ``post_save`` signals ``save()`` would send for each (the clocks set a task's
    yellow threshold in ``pre_save``): several rows written as one, nothing else changed."""
    if not rows:
        return
    using = router.db_for_write(model)
    creating = fields is None
    for row in rows:
        pre_save.send(sender=model, instance=row, raw=False, using=using, update_fields=None)
    if creating:
        model.objects.bulk_create(rows)
    else:
        model.objects.bulk_update(rows, fields)
    for row in rows:
        row._state.adding = False
        row._state.db = using
        post_save.send(
            sender=model,
            instance=row,
            created=creating,
            update_fields=None,
            raw=False,
            using=using,
        )


def task_row(
    app: Application,
    *,
    kind: str,
    department_id: int,
    stage: str,
    flow_task=None,
    participation: ApplicationDepartment | None = None,
    due_at: datetime | None = None,
) -> CaseTask:
    """:func:`new_task`'s row, not yet saved (for a ``bulk_create`` of several)."""
    return CaseTask(
        kind=kind,
        stage=stage,
        application=app,
        department_id=department_id,
        participation=participation,
        item_id=app.item_id,
        region_id=app.region_id,
        round=participation.round if participation else 1,
        paused=app.paused,
        paused_since=app.paused_since if app.paused else None,
        # A department's review or consultation runs in its own unit; every other step in
        # working days.
        time_limit_unit=(
            (participation.time_limit_unit or "working_day")
            if participation is not None and kind in (TaskKind.REVIEW, TaskKind.CONSULTATION)
            else "working_day"
        ),
        due_at=due_at,
        flow_task_id=getattr(flow_task, "pk", flow_task),
    )


def lead_participation(app: Application) -> ApplicationDepartment | None:
    """The lead department's row of the case's latest round."""
    return (
        ApplicationDepartment.objects.filter(application=app, role=ParticipationRole.LEAD)
        .order_by("-round")
        .first()
    )


def finish(t: CaseTask, *, actor, decision: str, opinion: str, now: datetime, result=None) -> None:
    """Mark the task done with its decision, opinion and result."""
    t.status = TaskStatus.DONE
    t.decision = decision
    t.opinion = opinion
    t.completed_at = now
    t.completed_by = actor
    t.result = dict(result or {})
    t.save()


def task_event(app, task, *, actor, action: EventAction, note="", data=None, before="", after=""):
    """The Event of something done on a task (its department, kind and stage in the data)."""
    return event_append(
        application=app,
        actor=actor,
        action=action,
        department=task.department_id,
        before=before or app.status,
        after=after or app.status,
        note=note,
        data={"task": task.pk, "kind": task.kind, "stage": task.stage, **(data or {})},
    )


def advance_stage(app, t: CaseTask, *, actor, decision: str, opinion: str) -> bool:
    """An approval at a stage before the department's last (承办 → 审核 → 签发) opens the same
    kind of task at the next stage, due by that stage's limit; True when it did, so the caller
    stops there. The department's row keeps its status until its last stage decides."""
    participation = t.participation
    stages = participation.stages or ["undertake"]
    index = stages.index(t.stage) if t.stage in stages else len(stages) - 1
    if decision != "approve" or index + 1 >= len(stages):
        return False
    participation.stage = stages[index + 1]
    participation.save(update_fields=["stage"])
    task_event(app, t, actor=actor, action=EventAction.STAGE_APPROVED, note=opinion)
    new_task(
        app,
        kind=t.kind,
        department_id=t.department_id,
        stage=participation.stage,
        flow_task=t.flow_task_id,
        participation=participation,
        due_at=stage_due(participation, index + 1),
    )
    return True


def complete_flow_task(vtask_id: int | None) -> None:
    """Finish the viewflow task of a step and let the graph move on (join, gateways, next
    step). Runs under the case lock already held."""
    if vtask_id is None:
        return
    from viewflow.workflow.models import Task

    # The locked task read carried it, with its process and CaseProcess row (viewflow coerces
    # to it); else they are read in one query.
    vtask = locked_flow_task(vtask_id) or (
        Task.objects.select_related("process", "process__caseprocess").get(pk=vtask_id)
    )
    activation = vtask.flow_task.activation_class(vtask)
    # The nodes' callbacks read the case through the process: give them the row the caller
    # holds locked (with its item and version, and what it has cached), not a second read.
    process = activation.process
    locked = locked_case(getattr(process, "application_id", None))
    if locked is not None:
        process.application = locked
    activation.run(None)
    activation.execute()
