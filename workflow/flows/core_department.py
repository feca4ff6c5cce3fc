"""The core-department flow (核心部门模式, DESIGN.md §4 flow 2), for ``core_department`` items::

    start → acceptance → accepted? ─no→ end                             (不予受理)
                          │yes
                          ▼
         consultation (one round, sequential or parallel) → decision → again? ─no→ end
                          ▲                                                 │yes
                          └─────────────────────────────────────────────────┘

* The core (lead) department accepts with the acceptance step of parallel licensing (supplement
  and not-accepted notices as there) and decides with its decision step (records, certificate,
  notices, clocks as there).
* The consulted departments give their opinions in one ``consultation`` viewflow task per
  round (``workflow.steps.consultation``): one at a time in ``position`` order when the item's
  ``consult_mode`` is ``sequential``, all at once when ``parallel``. A denial reaches the
  decision; it does not end the case.
* The decision's ``consult`` asks named departments again: the round's plan waits on the
  process, the graph goes back to ``consultation`` (a new viewflow task, new department rows in
  a new round; earlier opinions kept), then to the decision again.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from permits.models import ApplicationStatus
from workflow.flows.parallel import HumanStep, case_lock
from workflow.models import CaseProcess, TaskKind
from workflow.services import consultations
from workflow.steps.consultation import PLAN_KEY


class CoreDepartmentFlow(flow.Flow):
    """Core-department handling

    The core department accepts, consults the other departments (in sequence or all at once,
    again where it asks), and decides.
    """

    process_class = CaseProcess
    lock_impl = case_lock

    start = flow.StartHandle(this.start_case).Next(this.acceptance)
    acceptance = (
        HumanStep(TaskKind.ACCEPTANCE).Annotation(title=_("Acceptance")).Next(this.accepted)
    )
    accepted = flow.If(this.is_accepted).Then(this.has_consulted).Else(this.end)
    has_consulted = flow.If(this.with_consulted).Then(this.consultation).Else(this.decision)
    consultation = (
        HumanStep(TaskKind.CONSULTATION).Annotation(title=_("Consultation")).Next(this.decision)
    )
    decision = HumanStep(TaskKind.DECISION).Annotation(title=_("Decision")).Next(this.again)
    again = flow.If(this.consult_again).Then(this.consultation).Else(this.end)
    end = flow.End()

    # The node callbacks read the case; the steps do the work (flows stay thin).

    def start_case(self, activation, application):
        activation.process.application = application
        activation.process.artifact = application
        return activation.process

    def is_accepted(self, activation) -> bool:
        return activation.process.application.status == ApplicationStatus.IN_REVIEW

    def with_consulted(self, activation) -> bool:
        plan = consultations.first_round_plan(activation.process.application)
        return bool(plan["departments"])

    def consult_again(self, activation) -> bool:
        """The decision asked for another round (its plan waits on the process)."""
        process = activation.process
        return process.application.status == ApplicationStatus.IN_REVIEW and PLAN_KEY in (
            process.data or {}
        )
