"""The parallel-licensing flow. Thin wiring: each human step's work is its step module's
(``workflow.steps``), the other nodes call one service each.

Parallel licensing (网上并联许可, DESIGN.md §4 flow 1), for ``parallel`` and
``single_department`` items::

    start → acceptance → accepted? ─no→ end                      (不予受理)
                          │yes
                          ▼
            notify departments → participants? ─no──────────────┐
                                   │yes                         │
                                   ▼                            ▼
                  split (one review per department) → join → inspection? ─yes→ inspection
                                                                │no               │
                                                                ▼                 ▼
                                                             decision ◀───────────┘ → end

Shape and why:

* Human steps are ``HumanStep`` nodes (a viewflow ``Handle``): viewflow keeps the graph, the
  tokens and the join; the people-facing rows are our own ``CaseTask`` rows, created when the
  node activates (the kind's ``Step.open`` in ``workflow.steps``) and indexed for inboxes and
  the deadline sweep. ``services.task_complete`` completes the viewflow task once the step is
  over.
* One viewflow ``review`` task per participating department, created by ``DepartmentSplit``
  from the item version's data (the free viewflow's ``Split.Next`` has no data source). A
  department's stages (承办 → 审核 → 签发) are successive ``CaseTask`` rows inside that one
  viewflow task, which completes when the last stage completes; the stock ``Join`` waits for
  every department.
* A supplement (补正) does not move the graph: the asking step's task waits for the applicant
  and continues at the same step afterwards.
* Locking: viewflow's select-for-update lock in *blocking* mode (``nowait=False``) bounded by
  PostgreSQL's ``lock_timeout`` (settings). Concurrent writers to one case wait; the services
  take the process row first and the application row second, everywhere.
* viewflow's own permission checks are not used: ``workflow.access`` decides before any
  node is touched.

Further flows (core-department, process-centred) are modules beside this one that reuse
``HumanStep``/``DepartmentSplit`` and ``case_lock``; ``workflow/flows/registry.py`` maps a
service model to its flow (docs/architecture.md, "How to add a flow").
"""

from __future__ import annotations

from functools import cache, partial

from django.db.models import Count, Exists, OuterRef, Value, Window
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.nodes.handle import HandleActivation
from viewflow.workflow.nodes.join import Join, JoinActivation
from viewflow.workflow.nodes.split import SplitActivation
from viewflow.workflow.status import STATUS
from viewflow.workflow.token import Token

from onestop.prepared import PreparedQuery
from permits.models import ApplicationStatus
from workflow.models import CaseProcess, TaskKind
from workflow.services import locking, participations
from workflow.spec import version_spec
from workflow.steps.registry import step_for

# viewflow's select-for-update lock in blocking mode (the database's lock_timeout bounds the
# wait), which knows when the case lock already took the process row (``services.locking``).
case_lock = locking.case_lock


class HumanStepActivation(HandleActivation):
    """Opens the step's ``CaseTask`` rows when viewflow activates the node."""

    @Activation.status.super()
    def activate(self):
        if not getattr(self, "step_opened", False):  # a split may have opened it already
            step_for(self.flow_task.kind).open(activation=self)


class HumanStep(flow.Handle):
    """A step people take, completed by ``services.task_complete``."""

    activation_class = HumanStepActivation
    bpmn_element = "userTask"

    def __init__(self, kind: str, **kwargs):
        super().__init__(**kwargs)
        self.kind = kind


class DepartmentSplitActivation(SplitActivation):
    """Creates one outgoing task per data item (one review per participating department)."""

    @Activation.status.super()
    def activate(self):
        for node, _cond, _unused in self.flow_task._branches:
            for data in self.flow_task._data_source(self):
                self.next_tasks.append((node, data))
        if not self.next_tasks:
            raise FlowRuntimeError(f"No department to review in {self.flow_task.name}")

    @Activation.status.super()
    def create_next(self):
        """viewflow's ``SplitActivation.create_next`` (one task per branch, each with its own
        token), then the branches' human steps opened together where their step can
        (``Step.open_many``: one write for all departments instead of two per department)."""
        token_source = Token.split_token_source(self.task.token, self.task.pk)
        ordered = [(t, d) for t, d in self.next_tasks if not isinstance(t, Join)] + [
            (t, d) for t, d in self.next_tasks if isinstance(t, Join)
        ]
        planned = [(node, data, next(token_source)) for node, data in ordered]
        together = [p for p in planned if _created_plainly(p[0])]
        created = self._create_together(together) + [
            node._create(prev_activation=self, token=token, data=data)
            for node, data, token in planned
            if not _created_plainly(node)
        ]
        by_kind: dict[str, list] = {}
        for activation in created:
            if isinstance(activation, HumanStepActivation):
                by_kind.setdefault(activation.flow_task.kind, []).append(activation)
        for kind, activations in by_kind.items():
            step = step_for(kind)
            if step.open_many is not None:
                step.open_many(activations=activations)
                for activation in activations:
                    activation.step_opened = True
        yield from created

    def _create_together(self, planned: list) -> list:
        """viewflow's ``Activation.create`` for several branches at once: their tasks in one
        INSERT and their links to the split's task (``previous``) in another, instead of two
        queries per branch; each then armed as ``Node._create`` does."""
        if not planned:
            return []
        task_class = self.flow_class.task_class
        tasks = []
        for node, data, token in planned:
            task = task_class(process=self.process, flow_task=node, token=token)
            task.flow_task_type = node.task_type  # what viewflow's Task.save() fills in
            task.data = data if data is not None else {}
            task.seed = None
            tasks.append(task)
        task_class._default_manager.bulk_create(tasks)
        link = task_class.previous.through
        link.objects.bulk_create(
            [link(from_task_id=task.pk, to_task_id=self.task.pk) for task in tasks],
            ignore_conflicts=True,
        )
        activations = []
        for (node, _data, _token), task in zip(planned, tasks, strict=True):
            activation = node.activation_class(task)
            for boundary_event in node._boundary_events:
                boundary_event._arm(activation)
            activations.append(activation)
        return activations


def _created_plainly(node) -> bool:
    """Whether a node's tasks are created by viewflow's plain ``Activation.create`` (a task
    row and its ``previous`` link, nothing else), so a split may create several together."""
    return getattr(node.activation_class.create, "__func__", None) is Activation.create.__func__


class DepartmentSplit(flow.Split):
    """``Split`` whose branches are multiplied by ``data_source(activation) -> [task data]``."""

    activation_class = DepartmentSplitActivation

    def __init__(self, data_source, **kwargs):
        super().__init__(**kwargs)
        self._data_source = data_source

    def _resolve(self, instance):
        super()._resolve(instance)
        self._data_source = this.resolve(instance, self._data_source)


def _running(task_class, process_id: int, prefix: str):
    """viewflow's ``_active_join_tasks``: the split's branches still running."""
    return (
        task_class._default_manager.filter(process_id=process_id, token__startswith=Value(prefix))
        .exclude(status__in=[STATUS.DONE, STATUS.CANCELED, STATUS.REVIVED])
        .values("pk")
    )


def _waiting_join(task_class, *, flow_task: str, process_id: int, prefix: str):
    """The join's waiting task of the process (``instances``: how many there are), whether a
    branch that arrived earlier carries another split's token (``other_split``) and whether a
    branch of this split is still running (``branches_running``). The prefix is a ``Value`` so
    that it is one parameter as given (``startswith`` of a plain string escapes it into a
    pattern: a value the ORM derives, which a kept query cannot take)."""
    others = task_class.previous.through.objects.filter(from_task_id=OuterRef("pk")).exclude(
        to_task__status__in=[STATUS.CANCELED, STATUS.REVIVED]
    )
    return (
        task_class._default_manager.filter(
            flow_task=flow_task, process_id=process_id, status__in=[STATUS.NEW, STATUS.STARTED]
        )
        .annotate(
            other_split=Exists(others.exclude(to_task__token__startswith=Value(prefix))),
            branches_running=Exists(_running(task_class, process_id, prefix)),
            instances=Window(Count("pk")),
        )
        .order_by("pk")
    )


@cache
def _waiting_join_query(task_class) -> PreparedQuery:
    """:func:`_waiting_join` built and compiled once per connection (it was built and planned
    on every branch's arrival, ~10 ms of a six-department case, issue 11)."""
    return PreparedQuery(
        task_class,
        partial(_waiting_join, task_class),
        stand_ins=(
            {"flow_task": "~join/a~", "process_id": 2_000_000_001, "prefix": "~prefix-a~"},
            {"flow_task": "~join/b~", "process_id": 2_000_000_002, "prefix": "~prefix-b~"},
        ),
    )


class CaseJoinActivation(JoinActivation):
    """viewflow's join, minus its re-reads: the waiting join task is looked up in one query
    (the stock one evaluates its queryset twice) that also says whether a branch that arrived
    earlier carries another split's token (the stock join reads every arrived branch for that,
    twice when it completes), and given the process the arriving branch already holds (the
    stock one reads the process and its ``CaseProcess`` row again), and whether a branch is still
    running (``is_done``). A join task created by the first branch is started as it is created
    (the stock one saves it a second time)."""

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        task_class = flow_task.flow_class.task_class
        arriving = prev_activation.task
        base = token.get_base_split_token() if token.is_split_token() else token
        prefix = str(Token(str(arriving.token)).get_common_split_prefix(base, arriving.pk))
        process = prev_activation.process
        task = _waiting_join_query(task_class).first(
            flow_task=get_task_ref(flow_task), process_id=process.pk, prefix=prefix
        )
        if task is not None and task.instances > 1:
            raise FlowRuntimeError("More than one join instance for process found")
        if task is not None:
            task.process = process
            mixed, branches_running = task.other_split, task.branches_running
        else:  # the first branch to arrive creates the join task (as viewflow's does)
            task = task_class(process=process, flow_task=flow_task, token=base)
            task.data = data if data is not None else {}
            task.seed = seed
            task.status, task.started = STATUS.STARTED, now()  # what its activate() saves
            task.save()
            mixed, branches_running = False, _running(task_class, process.pk, prefix).exists()
        task.previous.add(arriving)
        activation = cls(task)
        activation.branches_running = branches_running
        # The arrived branches' split prefixes, as ``_join_token_prefixes`` would read them
        # (a second, distinct one is reported by viewflow's own check in ``complete``).
        activation.arrived_prefixes = None if mixed else {prefix}
        return activation

    def _join_token_prefixes(self):
        known = getattr(self, "arrived_prefixes", None)
        return set(known) if known is not None else super()._join_token_prefixes()

    def is_done(self):
        """viewflow's ``is_done`` (no branch of the split still running) as the query that
        found the join task answered it (``branches_running``), not asked again each time
        viewflow checks the condition. The branches are human steps of this case, which move
        only under the case lock this request holds, and every branch that finishes arrives
        through a join activation of its own, created after it finished: the last one to
        arrive sees that none is running."""
        known = getattr(self, "branches_running", None)
        if known is None or self.flow_task._continue_on_condition:
            return super().is_done()
        prefixes = self._join_token_prefixes()
        if len(prefixes) != 1:
            return len(prefixes) > 1
        return not known


class CaseJoin(flow.Join):
    """``Join`` with :class:`CaseJoinActivation`."""

    activation_class = CaseJoinActivation


class ParallelLicensingFlow(flow.Flow):
    """Parallel licensing

    Lead acceptance, all participating departments reviewing at once, inspection where the item
    requires it, and the lead's decision.
    """

    process_class = CaseProcess
    lock_impl = case_lock

    start = flow.StartHandle(this.start_case).Next(this.acceptance)
    acceptance = (
        HumanStep(TaskKind.ACCEPTANCE).Annotation(title=_("Acceptance")).Next(this.accepted)
    )
    accepted = flow.If(this.is_accepted).Then(this.notify_departments).Else(this.end)
    notify_departments = (
        flow.Function(this.notify)
        .Annotation(title=_("Notify the departments"))
        .Next(this.has_participants)
    )
    has_participants = (
        flow.If(this.with_participants).Then(this.split_reviews).Else(this.needs_inspection)
    )
    split_reviews = DepartmentSplit(this.review_data).Next(this.review)
    review = HumanStep(TaskKind.REVIEW).Annotation(title=_("Review")).Next(this.join_reviews)
    join_reviews = CaseJoin().Next(this.needs_inspection)
    needs_inspection = flow.If(this.requires_inspection).Then(this.inspection).Else(this.decision)
    inspection = (
        HumanStep(TaskKind.INSPECTION).Annotation(title=_("On-site inspection")).Next(this.decision)
    )
    decision = HumanStep(TaskKind.DECISION).Annotation(title=_("Decision")).Next(this.end)
    end = flow.End()

    # The node callbacks delegate to the services (flows stay thin).

    def start_case(self, activation, application):
        activation.process.application = application
        activation.process.artifact = application
        return activation.process

    def is_accepted(self, activation) -> bool:
        return activation.process.application.status == ApplicationStatus.IN_REVIEW

    def notify(self, activation) -> None:
        participations.notify_departments(application=activation.process.application)

    def with_participants(self, activation) -> bool:
        return bool(participations.review_task_data(application=activation.process.application))

    def review_data(self, activation) -> list[dict]:
        return participations.review_task_data(application=activation.process.application)

    def requires_inspection(self, activation) -> bool:
        return version_spec(activation.process.application.item_version).onsite_inspection
