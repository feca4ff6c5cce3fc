"""容缺受理: the rules and writes of a tolerance.

* At acceptance (``workflow.steps.acceptance``) every required material must be present, or
  tolerable and tolerated under the applicant's signed commitment with a deadline no later than
  the case's promised due; a missing material that may not be tolerated refuses acceptance
  (``acceptance_missing_check``). ``tolerance_record`` writes the record and its event.
* Review starts at once; the lead's decision waits until the tolerated materials are in
  (``tolerance_blocking``, asked by the decision step's guard).
* A tolerated material uploaded after acceptance (``workflow.services.materials``) is taken by
  ``tolerance_material_arrived``: once all are in, the tolerance is fulfilled.
* The deadline sweep (``workflow.tolerance.sweep``) reminds the applicant before the deadline
  and hands a case whose deadline passed to ``tolerance_terminate`` (state ``terminated``).

Callers hold the case lock (``workflow.services.locking``) for every write here except
``tolerance_terminate``, which takes it itself (process, then application, as everywhere)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from permits.choices import EventAction
from permits.event_notes import system_note
from permits.models import Application, ApplicationStatus, Material
from workflow.exceptions import Conflict
from workflow.services.events import event_append
from workflow.spec import MaterialSpec, version_spec
from workflow.tolerance.models import Tolerance

logger = logging.getLogger("workflow.tolerance")

SHANGHAI = "Asia/Shanghai"


def _zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo(SHANGHAI)


def day_end(day: date) -> datetime:
    """23:59:59 Asia/Shanghai of ``day``: a deadline date is met all through that day."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=_zone())


def reminder_days() -> int:
    return int(getattr(settings, "TOLERANCE_REMINDER_DAYS", 3))


def missing_required(application: Application) -> list[MaterialSpec]:
    """Required materials (not generated online) without a current file, in the version's
    order: the acceptance form shows them at the top, and acceptance must account for each."""
    spec = version_spec(application.item_version)
    present = set(
        Material.objects.current()
        .filter(application=application)
        .values_list("requirement_id", flat=True)
    )
    return [
        m for m in spec.materials if m.required and not m.generated_online and m.id not in present
    ]


def acceptance_missing_check(
    application: Application,
    *,
    tolerated: Iterable[int],
    deadline: date | None,
    commitment_signed: bool,
    promised_due: datetime | None,
    today: date,
) -> dict[str, list[str]]:
    """The errors (field → messages) that refuse accepting the case as it is; empty when it may
    be accepted. A required material that is missing must be tolerable and tolerated, with the
    applicant's signed commitment and a deadline from today to the promised due."""
    wanted = {int(r) for r in tolerated}
    missing = missing_required(application)
    errors: dict[str, list[str]] = {}
    key = [m.name for m in missing if not m.tolerable]
    if key:
        errors.setdefault("tolerated", []).append(
            _(
                "Required materials are missing and may not be tolerated: %(names)s. Ask for a "
                "supplement or do not accept the case."
            )
            % {"names": "、".join(key)}
        )
    untreated = [m.name for m in missing if m.tolerable and m.id not in wanted]
    if untreated:
        errors.setdefault("tolerated", []).append(
            _(
                "Required materials are missing: %(names)s. Accept them as tolerated (容缺受理) "
                "with the applicant's signed commitment and a deadline, or ask for a supplement."
            )
            % {"names": "、".join(untreated)}
        )
    really_tolerated = [m for m in missing if m.tolerable and m.id in wanted]
    if really_tolerated and not errors:
        if not commitment_signed:
            errors["commitment_signed"] = [
                _("The applicant must sign the tolerance commitment (容缺受理承诺书).")
            ]
        if deadline is not None and deadline < today:
            errors["tolerance_deadline"] = [_("The deadline cannot be in the past.")]
        elif deadline is not None and promised_due is not None:
            last = timezone.localtime(promised_due, _zone()).date()
            if deadline > last:
                errors["tolerance_deadline"] = [
                    _("The deadline may be no later than the promised due date %(date)s.")
                    % {"date": last.isoformat()}
                ]
    return errors


def commitment_text(*, applicant: str, names: list[str], deadline: date, item: str) -> str:
    """The wording of the 容缺受理承诺书 the applicant signs (stored with the record)."""
    return _(
        "I, %(applicant)s, applying for %(item)s, commit to deliver the following materials "
        "by %(deadline)s: %(names)s. I guarantee that what I have stated and provided is true. "
        "If the materials are not delivered by then, I agree that the case is terminated and "
        "I bear the consequences."
    ) % {
        "applicant": applicant,
        "item": item,
        "deadline": deadline.isoformat(),
        "names": "、".join(names),
    }


def tolerance_record(
    app: Application,
    *,
    actor,
    requirement_ids: Iterable[int],
    deadline: date,
    signed_by: str,
    now: datetime,
) -> Tolerance | None:
    """Record the tolerance of an accepted case (inside the acceptance's case lock): the
    requirements actually missing among ``requirement_ids``, the commitment and the deadline.
    Appends ``tolerance_recorded``. ``None`` when none of them is missing after all."""
    wanted = {int(r) for r in requirement_ids}
    missing = [m for m in missing_required(app) if m.id in wanted]
    if not missing:
        return None
    names = [m.name for m in missing]
    ends_at = day_end(deadline)
    remind_at = max(now, ends_at - timedelta(days=reminder_days()))
    signer = (signed_by or "").strip() or app.applicant_name
    record = Tolerance.objects.create(
        application=app,
        missing=[{"requirement": m.id, "name": m.name} for m in missing],
        deadline=deadline,
        ends_at=ends_at,
        remind_at=remind_at,
        commitment=commitment_text(
            applicant=signer, names=names, deadline=deadline, item=app.item.name
        ),
        signed_by=signer,
        signed_at=now,
        accepted_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now,
    )
    event_append(
        application=app,
        actor=actor,
        action=EventAction.TOLERANCE_RECORDED,
        department=app.lead_department_id,
        before=app.status,
        after=app.status,
        note=system_note(
            gettext_noop("Accepted with tolerated materials missing: %(names)s; due by %(date)s."),
            names="、".join(names),
            date=deadline.isoformat(),
        ),
        data={"tolerated": [m.id for m in missing], "deadline": deadline.isoformat()},
        at=now,
    )
    return record


def open_tolerance(application: Application) -> Tolerance | None:
    """The case's open tolerance record. A record is made only at acceptance, for the
    requirements the case lists as tolerated (``Application.tolerated``, saved first): a case
    loaded with an empty list has none, and is not asked about it."""
    if "tolerated" not in application.get_deferred_fields() and not application.tolerated:
        return None
    return (
        Tolerance.objects.filter(
            application_id=application.pk, fulfilled_at__isnull=True, terminated_at__isnull=True
        )
        .order_by("pk")
        .first()
    )


def tolerance_outstanding(application: Application) -> list[dict]:
    """The tolerated requirements still without a current file (``[{"requirement", "name"}]``);
    empty when there is no open tolerance."""
    record = open_tolerance(application)
    if record is None:
        return []
    present = set(
        Material.objects.current()
        .filter(application_id=application.pk, requirement_id__in=record.requirement_ids)
        .values_list("requirement_id", flat=True)
    )
    return [m for m in record.missing if int(m["requirement"]) not in present]


def accepts_tolerated_upload(application: Application, requirement_id: int) -> bool:
    """A case in review takes uploads only for its outstanding tolerated requirements."""
    if application.status != ApplicationStatus.IN_REVIEW:
        return False
    return any(
        int(m["requirement"]) == int(requirement_id) for m in tolerance_outstanding(application)
    )


def tolerance_blocking(application: Application) -> None:
    """The decision waits until the tolerated materials are in: ``Conflict`` with the list."""
    outstanding = tolerance_outstanding(application)
    if outstanding:
        raise Conflict(
            _(
                "The tolerated materials have not all arrived (%(names)s): the decision waits "
                "for them."
            )
            % {"names": "、".join(str(m["name"]) for m in outstanding)}
        )


def tolerance_material_arrived(app: Application, *, actor, now: datetime | None = None) -> bool:
    """After a tolerated material was stored (inside the upload's case lock): when none is
    outstanding any more, the tolerance is fulfilled (``tolerance_fulfilled``). Returns whether
    it was."""
    record = open_tolerance(app)
    if record is None or tolerance_outstanding(app):
        return False
    now = now or timezone.now()
    Tolerance.objects.filter(pk=record.pk, fulfilled_at__isnull=True).update(fulfilled_at=now)
    event_append(
        application=app,
        actor=actor,
        action=EventAction.TOLERANCE_FULFILLED,
        department=app.lead_department_id,
        before=app.status,
        after=app.status,
        note=system_note(
            gettext_noop("The tolerated materials were delivered: %(names)s."),
            names="、".join(record.names),
        ),
        data={"tolerance": record.pk},
        at=now,
    )
    return True


def reminder_note(record: Tolerance) -> str:
    return system_note(
        gettext_noop(
            "Case %(number)s: deliver the tolerated materials (%(names)s) by %(date)s, or the "
            "case will be terminated."
        ),
        number=record.application.number,
        names="、".join(record.names),
        date=record.deadline.isoformat(),
    )


def termination_notice(record: Tolerance) -> str:
    return system_note(
        gettext_noop(
            "Case %(number)s is terminated: the tolerated materials (%(names)s) were not "
            "delivered by %(date)s as the applicant committed. You may apply again; you have the "
            "right to apply for administrative reconsideration or to bring an administrative "
            "lawsuit."
        ),
        number=record.application.number,
        names="、".join(record.names),
        date=record.deadline.isoformat(),
    )


def tolerance_terminate(*, tolerance_id: int, now: datetime | None = None) -> str:
    """The follow-up of a passed deadline (the sweep claimed the row): terminate the case under
    its lock unless the materials arrived meanwhile. Idempotent: ``terminated_at`` set, the
    case final, or the tolerance fulfilled → nothing more. Cancels the open tasks and the
    process; appends ``terminated`` with the notice (the applicant is told through the
    notifications' outbox)."""
    from workflow.models import ACTIVE_TASK_STATUSES, CaseProcess, CaseTask, TaskStatus
    from workflow.services.locking import case_locked

    record = Tolerance.objects.filter(pk=tolerance_id).select_related("application").first()
    if record is None or record.terminated_at is not None:
        return "gone"
    now = now or timezone.now()
    with case_locked(record.application_id) as app:
        record.refresh_from_db()
        if record.terminated_at is not None or record.fulfilled_at is not None:
            return "done"
        if tolerance_outstanding(app) == [] and open_tolerance(app) is not None:
            # Delivered just before the deadline passed but not yet marked: fulfil instead.
            tolerance_material_arrived(app, actor=None, now=now)
            return "fulfilled"
        if not app.can_transition_to(ApplicationStatus.TERMINATED):
            return "final"
        before = app.transition_to(ApplicationStatus.TERMINATED)
        app.closed_at = now
        app.paused = False
        app.save()
        CaseTask.objects.filter(application=app, status__in=ACTIVE_TASK_STATUSES).update(
            status=TaskStatus.CANCELLED, completed_at=now, awaiting_applicant=False
        )
        process = CaseProcess.objects.filter(application=app).first()
        if process is not None and process.finished is None:
            process.flow_class.instance.cancel(process)
        Tolerance.objects.filter(pk=record.pk).update(terminated_at=now)
        event_append(
            application=app,
            actor=None,
            action=EventAction.TERMINATED,
            department=app.lead_department_id,
            before=before,
            after=app.status,
            note=termination_notice(record),
            data={"tolerance": record.pk, "deadline": record.deadline.isoformat()},
            at=now,
        )
    logger.info("case %s terminated: tolerated materials not delivered", app.number)
    return "terminated"
