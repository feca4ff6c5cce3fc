"""The process-centred flow (以流程为中心, DESIGN.md §4 flow 3) for ``process_centred`` items:
enquiries, complaints, suggestions, petitions, 12345 hotline cases, joint annual inspections and
online declarations. Thin wiring: each human step's work is its step module's
(``workflow.steps.triage``, ``handling``, ``reply_review``)::

    start → triage ─answer─▶ answered ──────────────────────────┐
              │ ─deny──▶ end (不予受理)                           ▼
              │ dispatch                                   (rating) reopened? ─yes→ triage
              ▼                                                   │no
           handling (one task per dispatched department) ──┐      ▼
              ▲                                             │    end
              │                              returned? ─yes─┘→ triage (改派, or answer itself)
              │                                 │no
              └──────── back to departments ── reply_review ─approve─▶ answered

Shape and why:

* One viewflow ``handling`` task per dispatch holds one ``CaseTask`` per department (as a
  review's stages live in one viewflow task): it completes when every department replied or
  returned, so the loops (returns, sending back, the reopening) need no split and join.
* The coordinating office stays responsible (首接负责): triage and reply review are its tasks,
  and a return brings the case back to its triage.
* ``answered`` waits at ``await_rating``: a 差评 on the first answer reopens the case once
  (``services.case_reopen``, the ratings app calls it) for a second handling from triage;
  ``services.case_answer_settle`` ends the process once the case is closed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from permits.models import ApplicationStatus
from workflow.flows.parallel import HumanStep, case_lock
from workflow.models import CaseProcess, TaskKind
from workflow.steps.dispatching import returned_since_triage


class ProcessCentredFlow(flow.Flow):
    """Process-centred cases

    Triage by the coordinating office, handling by each dispatched department, one consolidated
    answer.
    """

    process_class = CaseProcess
    lock_impl = case_lock

    start = flow.StartHandle(this.start_case).Next(this.triage)
    triage = HumanStep(TaskKind.TRIAGE).Annotation(title=_("Triage")).Next(this.triaged)
    triaged = flow.If(this.is_dispatched).Then(this.handling).Else(this.is_answered)
    handling = HumanStep(TaskKind.HANDLING).Annotation(title=_("Handling")).Next(this.handled)
    handled = flow.If(this.was_returned).Then(this.triage).Else(this.reply_review)
    reply_review = (
        HumanStep(TaskKind.REPLY_REVIEW).Annotation(title=_("Reply review")).Next(this.reviewed)
    )
    reviewed = flow.If(this.is_answered_case).Then(this.await_rating).Else(this.handling)
    is_answered = flow.If(this.is_answered_case).Then(this.await_rating).Else(this.end)
    await_rating = (
        flow.Handle().Annotation(title=_("Answered: waiting for the rating")).Next(this.reopened)
    )
    reopened = flow.If(this.is_dispatched).Then(this.triage).Else(this.end)
    end = flow.End()

    # The node callbacks read the case (flows stay thin).

    def start_case(self, activation, application):
        activation.process.application = application
        activation.process.artifact = application
        return activation.process

    def is_dispatched(self, activation) -> bool:
        return activation.process.application.status == ApplicationStatus.IN_REVIEW

    def is_answered_case(self, activation) -> bool:
        return activation.process.application.status == ApplicationStatus.ANSWERED

    def was_returned(self, activation) -> bool:
        return returned_since_triage(activation.process.application)
