"""Reopening an answered process-centred case once (API.md's case states): a 差评 (1–2) on
the first answer brings the case back to ``in_review`` for a second handling, from the
coordinating office's triage. The ratings app (``evaluations``) calls :func:`case_reopen`;
workflow never imports it. :func:`case_answer_settle` lets the flow end once the answered case
is closed (rated 3–5, rated again after its reopening, or the default rating)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from permits.choices import EventAction
from permits.event_notes import system_note
from permits.models import Application, ApplicationStatus, ServiceModel
from workflow.deadlines import process_limits
from workflow.deadlines.clocks import yellow_for
from workflow.exceptions import Conflict
from workflow.services.common import _move
from workflow.services.events import event_append
from workflow.services.locking import case_locked


def _waiting_for_rating(app: Application):
    """The viewflow task where the answered case waits (``await_rating``), if it still waits."""
    from viewflow.workflow.status import STATUS

    process = getattr(app, "process", None)
    if process is None:
        return None
    flow_class = process.flow_class
    node = getattr(flow_class, "await_rating", None)
    if node is None:
        return None
    return process.task_set.filter(flow_task=node, status=STATUS.NEW).first()


def case_reopen(*, application: Application | int, actor=None, reason: str = "") -> Application:
    """Reopen an answered process-centred case for a second handling: ``answered`` →
    ``in_review``, a new answer limit from now, and the office's triage opens again.

    Who: the system on behalf of the applicant's rating (the ratings service decides that the
    rating allows it; no access check here). Refused with ``Conflict`` when the case is not an
    answered process-centred case, or was reopened before (once only). Appends ``reopened``."""
    from workflow.steps.base import complete_flow_task

    pk = getattr(application, "pk", application)
    with case_locked(pk) as app:
        if app.item.service_model != ServiceModel.PROCESS_CENTRED:
            raise Conflict()
        if app.reopened_at is not None:
            raise Conflict(_("A case is reopened only once."))
        waiting = _waiting_for_rating(app)
        if app.status != ApplicationStatus.ANSWERED or waiting is None:
            raise Conflict()
        now = timezone.now()
        before = _move(app, ApplicationStatus.IN_REVIEW)
        app.reopened_at = now
        app.due_at = process_limits.answer_limit(app).due(now)
        app.yellow_at = yellow_for(app)
        app.warning = "none"
        app.save()
        event_append(
            application=app,
            actor=actor,
            action=EventAction.REOPENED,
            department=app.lead_department_id,
            before=before,
            after=app.status,
            note=reason
            or system_note(gettext_noop("The applicant was not satisfied with the answer.")),
        )
        complete_flow_task(waiting.pk)
    return app


def case_answer_settle(*, application: Application | int) -> bool:
    """End the flow of an answered case that is now closed (the answer stands). Call it after
    closing the case, in the same transaction; False when the flow no longer waits."""
    from workflow.steps.base import complete_flow_task

    pk = getattr(application, "pk", application)
    with case_locked(pk) as app:
        waiting = _waiting_for_rating(app)
        if waiting is None or app.status == ApplicationStatus.ANSWERED:
            return False
        complete_flow_task(waiting.pk)
    return True
