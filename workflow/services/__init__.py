"""The one service that moves cases (DESIGN.md §2). Portal pages, back-office pages, window
intake and the API all call these functions, so a case behaves the same whichever door it came
in by.

Every function:

* takes the acting user explicitly (keyword-only arguments) and asks ``departments.access``
  whether they may act; a case, task or material they may not see answers ``NotFound``;
* runs in one transaction; a case that already has a process is locked in one order
  everywhere — the viewflow process row first (blocking ``SELECT … FOR UPDATE`` bounded by the
  database's ``lock_timeout``), then the application row — so concurrent writers wait and
  exactly one wins; the loser sees the new state and gets ``Conflict`` (409);
* appends an ``Event`` (actor, department, status before/after) for every change;
* sends side effects only after commit (``transaction.on_commit``): the
  ``workflow.signals.case_changed`` signal, which notifications and other listeners use.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from departments import access
from permits.models import (
    Application,
    ApplicationCounter,
    ApplicationDepartment,
    Certificate,
    Channel,
    Decision,
    Enterprise,
    IdType,
    Material,
    ParticipationRole,
    Person,
    ServiceItem,
    SupplementNotice,
)
from workflow.exceptions import Conflict, Forbidden, Invalid, MissingMaterials, NotFound
from workflow.models import ACTIVE_TASK_STATUSES, CaseProcess, CaseTask, TaskKind, TaskStatus
from workflow.services.common import (  # noqa: F401 - re-exported for callers
    ACCEPTANCE_DAYS,
    REMEDY_NOTICE,
    SUPPORTED_MODELS,
    TASK_DECISIONS,
    P,
    S,
    _applicant_side_or_404,
    _assert_item_accepting,
    _event,
    _form_clean,
    _move,
    _pause_clocks,
    _resume_clocks,
    _spec,
    _visible_or_404,
    add_time_limit,
    item_applies_online,
)
from workflow.services.locking import case_locked, locked_application
from workflow.spec import VersionSpec, version_spec

_case_locked = case_locked
_locked_application = locked_application


# ---------------------------------------------------------------------------------------------
# Applications


def _person_from_dict(data: Mapping[str, Any]) -> Person:
    from permits.validators import validate_resident_id

    errors: dict[str, list[str]] = {}
    real_name = str(data.get("real_name") or "").strip()
    id_type = str(data.get("id_type") or IdType.RESIDENT_ID)
    id_number = str(data.get("id_number") or "").strip().upper()
    phone = str(data.get("phone") or "").strip()
    if not real_name:
        errors["real_name"] = [_("This field is required.")]
    if id_type not in IdType.values:
        errors["id_type"] = [_("Unknown ID type.")]
    if not id_number:
        errors["id_number"] = [_("This field is required.")]
    elif id_type == IdType.RESIDENT_ID:
        try:
            validate_resident_id(id_number)
        except ValidationError as exc:
            errors["id_number"] = list(exc.messages)
    if not phone:
        errors["phone"] = [_("This field is required.")]
    if errors:
        raise Invalid(fields={"applicant": errors})
    person, _created = Person.objects.get_or_create(
        id_type=id_type,
        id_number=id_number,
        defaults={"real_name": real_name, "phone": phone},
    )
    return person


def _enterprise_from_dict(data: Mapping[str, Any]) -> Enterprise | None:
    from permits.validators import is_valid_credit_code

    code = str(data.get("credit_code") or "").strip().upper()
    if not code:
        return None
    if not is_valid_credit_code(code):
        raise Invalid(
            fields={
                "applicant": {
                    "credit_code": [
                        _("This is not a valid unified social credit code (GB 32100 check failed).")
                    ]
                }
            }
        )
    enterprise = Enterprise.objects.filter(credit_code=code).first()
    if enterprise is None:
        name = str(data.get("org_name") or "").strip()
        if not name:
            raise Invalid(fields={"applicant": {"org_name": [_("This field is required.")]}})
        enterprise = Enterprise.objects.create(name=name, credit_code=code)
    return enterprise


def application_create(
    *,
    actor,
    item: ServiceItem | str,
    form: Mapping[str, Any] | None = None,
    on_behalf_of: str | Enterprise | None = None,
    channel: str | None = None,
    applicant: Mapping[str, Any] | None = None,
    caller: Mapping[str, Any] | None = None,
) -> Application:
    """Create a draft case with its number.

    * For the actor themself (their person), or ``on_behalf_of`` an enterprise they currently
      handle within their scope for this item (经办人).
    * Staff entering a case for someone else (a window clerk, a hotline operator) pass
      ``channel`` ``window``/``hotline`` and the ``applicant`` dict; the case belongs to that
      person (and enterprise), ``created_by`` is the clerk, ``centre`` the clerk's centre.

    The item must take applications (published) and run a supported flow. The form is checked
    as a draft (nothing required yet). Appends ``created``.
    """
    if not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    if isinstance(item, str):
        item = (
            ServiceItem.objects.select_related("current_version", "lead_department")
            .filter(code=item.strip().upper())
            .first()
        )
        if item is None:
            raise Invalid(fields={"item": [_("No such service item.")]})
    _assert_item_accepting(item)
    version = item.current_version
    if version is None:
        raise Invalid(fields={"item": [_("This service item has no published version.")]})
    if not item_applies_online(item):
        raise Invalid(
            _("Applications for this kind of service item are not available online yet."),
            fields={"item": [_("This service model is not supported yet.")]},
        )
    spec = version_spec(version)
    if spec.lead is None:
        raise Invalid(fields={"item": [_("The item has no lead department.")]})

    person: Person | None
    enterprise: Enterprise | None = None
    handler: Person | None
    centre_id = None
    caller_data: dict = {}
    if applicant is not None or channel in (Channel.WINDOW, Channel.HOTLINE):
        channel = channel or Channel.WINDOW
        if channel not in (Channel.WINDOW, Channel.HOTLINE):
            raise Invalid(fields={"channel": [_("Staff enter cases as window or hotline.")]})
        if not access.can_enter_cases(actor):
            raise Forbidden()
        if not applicant:
            raise Invalid(fields={"applicant": [_("This field is required.")]})
        person = _person_from_dict(applicant)
        enterprise = _enterprise_from_dict(applicant)
        handler = person
        centre_id = next(iter(sorted(access.user_service_centre_ids(actor))), None)
        if channel == Channel.HOTLINE and caller:
            caller_data = {
                "phone": str(caller.get("phone", "")),
                "called_at": str(caller.get("called_at", "")),
                "urgency": str(caller.get("urgency", "normal")),
            }
    else:
        channel = channel or Channel.ONLINE
        if channel not in (Channel.ONLINE, Channel.API):
            raise Invalid(fields={"channel": [_("Only staff may enter window or hotline cases.")]})
        person = access.user_person(actor)
        if person is None:
            raise Invalid(
                _("Only a registered applicant can apply."),
                fields={"applicant": [_("Your account has no applicant identity.")]},
            )
        handler = person
        if on_behalf_of:
            code = getattr(on_behalf_of, "credit_code", on_behalf_of)
            enterprise = Enterprise.objects.filter(credit_code=str(code).strip().upper()).first()
            if enterprise is None or not access.can_act_for_enterprise(
                actor, enterprise, item.code
            ):
                raise Invalid(
                    fields={
                        "on_behalf_of": [
                            _("You are not an authorised handler of this enterprise for this item.")
                        ]
                    }
                )
    cleaned = _form_clean(spec, form or {}, partial=True)

    with transaction.atomic():
        app = Application.objects.create(
            number=ApplicationCounter.next_number(),
            item=item,
            item_version=version,
            applicant_person=None if enterprise else person,
            applicant_enterprise=enterprise,
            handler=handler,
            created_by=actor,
            channel=channel,
            centre_id=centre_id,
            form_data=cleaned,
            region_id=item.region_id,
            lead_department_id=spec.lead.department_id,
            caller=caller_data,
        )
        _event(app, actor=actor, action="created", after=app.status, data={"channel": channel})
    return app


def application_update_form(*, actor, application: Application, form: Mapping[str, Any]):
    """Replace the form data while the case is a draft or in supplement (checked as a draft:
    nothing required; what is given must be valid). Appends ``form_updated``."""
    _applicant_side_or_404(actor, application)
    with _case_locked(application.pk) as app:
        if not app.is_editable:
            raise Conflict()
        app.form_data = _form_clean(_spec(app), form, partial=True)
        app.save(update_fields=["form_data", "updated_at"])
        _event(app, actor=actor, action="form_updated", before=app.status, after=app.status)
    return app


def material_upload(
    *, actor, application: Application, requirement_id: Any, uploaded_file
) -> Material:
    """Add a file for one of the version's material requirements while the case is a draft or
    in supplement. The upload checks (type sniffed from the bytes, size, safe names, sha256)
    are ``permits.uploads.check_upload``. Appends ``material_uploaded``."""
    from permits.uploads import check_upload

    _applicant_side_or_404(actor, application)
    spec = _spec(application)
    requirement = spec.material(requirement_id)
    if requirement is None:
        raise Invalid(fields={"requirement": [_("No such material requirement for this item.")]})
    checked = check_upload(uploaded_file=uploaded_file, requirement=dict(requirement.raw))
    with _case_locked(application.pk) as app:
        if not app.is_editable:
            raise Conflict()
        material = Material(
            application=app,
            requirement_id=requirement.id,
            requirement_name=requirement.name,
            original_name=checked.display_name,
            stored_name=checked.stored_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor,
        )
        material.file.save(checked.stored_name, checked.file, save=False)
        material.save()
        _event(
            app,
            actor=actor,
            action="material_uploaded",
            before=app.status,
            after=app.status,
            data={"material": material.pk, "requirement": requirement.id, "sha256": checked.sha256},
        )
    return material


def material_delete(*, actor, material: Material) -> None:
    """Remove a file while the case is a draft or in supplement. Nothing is erased: the row is
    flagged deleted, so what reviewers once saw stays on record. Appends ``material_deleted``."""
    application = material.application
    _applicant_side_or_404(actor, application)
    with _case_locked(application.pk) as app:
        if not app.is_editable:
            raise Conflict()
        updated = Material.objects.filter(pk=material.pk, deleted=False).update(
            deleted=True, deleted_at=timezone.now()
        )
        if not updated:
            raise NotFound()
        _event(
            app,
            actor=actor,
            action="material_deleted",
            before=app.status,
            after=app.status,
            data={"material": material.pk, "requirement": material.requirement_id},
        )


def missing_materials(application: Application) -> list[dict]:
    """Key materials (required and not tolerable) without a current file: submission waits
    for them. Tolerable ones may be missing; acceptance decides whether to tolerate them."""
    spec = _spec(application)
    present = set(
        Material.objects.current()
        .filter(application=application)
        .values_list("requirement_id", flat=True)
    )
    return [
        {"requirement": m.id, "name": m.name}
        for m in spec.materials
        if m.is_key and not m.generated_online and m.id not in present
    ]


def _create_participations(app: Application, spec: VersionSpec) -> None:
    if app.participations.exists():
        return
    rows = [
        ApplicationDepartment(
            application=app,
            department_id=d.department_id,
            role=d.role,
            position=d.position,
            stages=list(d.stages),
            duty=d.duty,
            time_limit_days=d.time_limit_days,
            time_limit_unit=d.time_limit_unit,
            timeout_policy=d.timeout_policy,
        )
        for d in spec.departments
        if d.role in (ParticipationRole.LEAD, ParticipationRole.PARALLEL)
    ]
    ApplicationDepartment.objects.bulk_create(rows)


def application_submit(*, actor, application: Application) -> Application:
    """Submit a draft (starts the flow: the lead's acceptance task opens), or answer the open
    supplement notice (the case returns to where it was, the clocks resume and each asking
    department continues at the step it was at).

    Refused with ``Invalid`` (``fields.form.<name>``) while the form does not pass the
    version's spec, with ``MissingMaterials`` while a required, non-tolerable material is
    missing, and with ``Invalid`` when a draft's item no longer takes applications.
    """
    from workflow.flows import ParallelLicensingFlow

    _applicant_side_or_404(actor, application)
    with _case_locked(application.pk) as app:
        if app.status not in (S.DRAFT, S.SUPPLEMENT):
            raise Conflict()
        spec = _spec(app)
        if app.status == S.DRAFT:
            _assert_item_accepting(app.item)
        app.form_data = _form_clean(spec, app.form_data, partial=False)
        missing = missing_materials(app)
        if missing:
            raise MissingMaterials(missing)
        now = timezone.now()
        if app.status == S.DRAFT:
            before = _move(app, S.SUBMITTED)
            app.submitted_at = now
            app.save()
            _create_participations(app, spec)
            _event(app, actor=actor, action="submitted", before=before, after=app.status)
            ParallelLicensingFlow.start.run(application=app)
        else:
            _answer_supplement(app, actor=actor, now=now)
    return app


def _answer_supplement(app: Application, *, actor, now: datetime) -> None:
    notice = app.supplement_notices.filter(answered_at__isnull=True).first()
    target = (notice.resume_status if notice else "") or app.resume_status or S.IN_REVIEW
    before = _move(app, target)
    app.resume_status = ""
    if notice:
        notice.answered_at = now
        notice.save(update_fields=["answered_at"])
    _resume_clocks(app, actor=actor, now=now, note=_("The applicant answered the supplement."))
    app.save()
    CaseTask.objects.filter(application=app, awaiting_applicant=True).update(
        awaiting_applicant=False
    )
    ApplicationDepartment.objects.filter(application=app, status=P.SUPPLEMENT).update(
        status=P.IN_REVIEW
    )
    _event(
        app,
        actor=actor,
        action="supplement_answered",
        before=before,
        after=app.status,
        data={"notice": notice.pk if notice else None},
    )


def application_withdraw(*, actor, application: Application, reason: str = "") -> Application:
    """The applicant withdraws the case until it is decided. Open tasks are cancelled and the
    process is cancelled; nothing is deleted. Appends ``withdrawn``."""
    from workflow.flows import ParallelLicensingFlow

    _applicant_side_or_404(actor, application)
    with _case_locked(application.pk) as app:
        before = _move(app, S.WITHDRAWN)
        now = timezone.now()
        app.closed_at = now
        app.paused = False
        app.save()
        CaseTask.objects.filter(application=app, status__in=ACTIVE_TASK_STATUSES).update(
            status=TaskStatus.CANCELLED, completed_at=now, awaiting_applicant=False
        )
        process = CaseProcess.objects.filter(application=app).first()
        if process is not None and process.finished is None:
            ParallelLicensingFlow.instance.cancel(process)
        _event(app, actor=actor, action="withdrawn", before=before, after=app.status, note=reason)
    return app


HANDOVER_METHODS = ("window", "mail", "electronic")


def application_handover(*, actor, application: Application, method: str, **details) -> Application:
    """Hand the result over (出件) and close the case: staff of the lead department or a clerk
    of the handing-over centre. Appends ``handed_over``."""
    _visible_or_404(actor, application)
    if not access.can_hand_over(actor, application):
        raise Forbidden()
    if method not in HANDOVER_METHODS:
        raise Invalid(fields={"method": [_("Choose window, mail or electronic.")]})
    if method == "mail" and not details.get("address"):
        raise Invalid(fields={"address": [_("This field is required.")]})
    with _case_locked(application.pk) as app:
        before = _move(app, S.CLOSED)
        app.closed_at = timezone.now()
        app.handover = {
            "method": method,
            **{k: str(v) for k, v in details.items() if v not in (None, "")},
        }
        app.save()
        _event(
            app,
            actor=actor,
            action="handed_over",
            department=app.lead_department_id,
            before=before,
            after=app.status,
            data=app.handover,
        )
    return app


# ---------------------------------------------------------------------------------------------
# Opening steps (called by the flow nodes)


def _stage_due(participation: ApplicationDepartment, index: int) -> datetime | None:
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


def _new_task(
    app: Application,
    *,
    kind: str,
    department_id: int,
    stage: str,
    flow_task=None,
    participation: ApplicationDepartment | None = None,
    due_at: datetime | None = None,
) -> CaseTask:
    return CaseTask.objects.create(
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
        # A department's review runs in its own unit; every other step in working days.
        time_limit_unit=(
            (participation.time_limit_unit or "working_day")
            if participation is not None and kind == TaskKind.REVIEW
            else "working_day"
        ),
        due_at=due_at,
        flow_task_id=getattr(flow_task, "pk", flow_task),
    )


def _lead_participation(app: Application) -> ApplicationDepartment | None:
    return (
        ApplicationDepartment.objects.filter(application=app, role=ParticipationRole.LEAD)
        .order_by("-round")
        .first()
    )


def open_step(*, activation, kind: str) -> None:
    """Create the ``CaseTask`` row(s) of a flow step that just opened."""
    app = Application.objects.select_related("item", "item_version").get(
        pk=activation.process.application_id
    )
    vtask = activation.task
    lead = _lead_participation(app)
    lead_stages = (lead.stages if lead else None) or ["undertake"]
    now = timezone.now()
    if kind == TaskKind.ACCEPTANCE:
        _new_task(
            app,
            kind=kind,
            department_id=app.lead_department_id,
            stage="undertake",
            flow_task=vtask,
            participation=lead,
            due_at=add_time_limit(start=app.submitted_at or now, days=_spec(app).acceptance_days),
        )
    elif kind == TaskKind.REVIEW:
        participation = ApplicationDepartment.objects.get(pk=vtask.data["participation"])
        participation.status = P.IN_REVIEW
        participation.stage = (participation.stages or ["undertake"])[0]
        participation.started_at = now
        if participation.time_limit_days:
            participation.due_at = add_time_limit(
                start=now,
                days=participation.time_limit_days,
                unit=participation.time_limit_unit or "working_day",
            )
        participation.save()
        _new_task(
            app,
            kind=kind,
            department_id=participation.department_id,
            stage=participation.stage,
            flow_task=vtask,
            participation=participation,
            due_at=_stage_due(participation, 0),
        )
    elif kind == TaskKind.INSPECTION:
        _new_task(
            app,
            kind=kind,
            department_id=app.lead_department_id,
            stage="undertake",
            flow_task=vtask,
            participation=lead,
            due_at=app.due_at,
        )
        _event(
            app,
            actor=None,
            action="inspection_needed",
            department=app.lead_department_id,
            before=app.status,
            after=app.status,
            note=_("An on-site inspection is needed before the decision."),
        )
    elif kind == TaskKind.DECISION:
        _new_task(
            app,
            kind=kind,
            department_id=app.lead_department_id,
            stage=lead_stages[-1],
            flow_task=vtask,
            participation=lead,
            due_at=app.due_at,
        )
    else:  # pragma: no cover - a node kind without an opener is a wiring error
        raise ValueError(f"no opener for {kind}")


def review_task_data(*, application: Application) -> list[dict]:
    """One review per participating department (the Split's data source)."""
    rows = ApplicationDepartment.objects.filter(
        application=application, role=ParticipationRole.PARALLEL, round=1
    ).order_by("position", "pk")
    return [{"participation": row.pk, "department": row.department_id} for row in rows]


def notify_departments(*, application: Application) -> None:
    """The online notice to every participating department (one event per department)."""
    rows = ApplicationDepartment.objects.filter(
        application=application, role=ParticipationRole.PARALLEL
    ).select_related("department")
    for row in rows:
        _event(
            application,
            actor=None,
            action="department_notified",
            department=row.department_id,
            before=application.status,
            after=application.status,
            note=_("The case was shared with %(department)s for parallel review.")
            % {"department": row.department.name},
        )


# ---------------------------------------------------------------------------------------------
# Tasks


def _locked_task(task_id: int) -> CaseTask:
    """Inside ``_case_locked``: the task as it is now."""
    return CaseTask.objects.select_related("department", "participation").get(pk=task_id)


@contextmanager
def _task_locked(task: CaseTask | int, actor):
    task_id = getattr(task, "pk", task)
    row = CaseTask.objects.filter(pk=task_id).values("application_id").first()
    if row is None:
        raise NotFound()
    if not access.task_visible(actor, task_id):
        raise NotFound()
    with _case_locked(row["application_id"]) as app:
        yield app, _locked_task(task_id)


def _task_event(app, task, *, actor, action, note="", data=None, before="", after=""):
    return _event(
        app,
        actor=actor,
        action=action,
        department=task.department_id,
        before=before or app.status,
        after=after or app.status,
        note=note,
        data={"task": task.pk, "kind": task.kind, "stage": task.stage, **(data or {})},
    )


def task_claim(*, task: CaseTask | int, actor) -> CaseTask:
    """Take an open task of one's own department at one's own stage. Claiming a task one already
    holds is a no-op; a task held by someone else, or no longer open, is a ``Conflict``."""
    with _task_locked(task, actor) as (app, t):
        if not access.can_act_on_task(actor, t):
            raise Forbidden()
        if t.status == TaskStatus.ASSIGNED and t.assignee_id == actor.pk:
            return t
        if t.status != TaskStatus.OPEN:
            raise Conflict()
        t.status = TaskStatus.ASSIGNED
        t.assignee = actor
        t.claimed_at = timezone.now()
        t.save(update_fields=["status", "assignee", "claimed_at"])
        _task_event(app, t, actor=actor, action="task_claimed")
    return t


def task_release(*, task: CaseTask | int, actor) -> CaseTask:
    """Give a task back to the department's queue: the holder, or the department's head."""
    with _task_locked(task, actor) as (app, t):
        if t.status != TaskStatus.ASSIGNED:
            raise Conflict()
        if t.assignee_id != actor.pk and not access.is_head(actor, t.department_id):
            if access.can_act_on_task(actor, t):
                raise Conflict()  # another user holds it
            raise Forbidden()
        t.status = TaskStatus.OPEN
        t.assignee = None
        t.claimed_at = None
        t.save(update_fields=["status", "assignee", "claimed_at"])
        _task_event(app, t, actor=actor, action="task_released")
    return t


def task_reassign(*, task: CaseTask | int, actor, user) -> CaseTask:
    """A department head gives an open or held task to a colleague who may act at its stage."""
    with _task_locked(task, actor) as (app, t):
        if not access.is_head(actor, t.department_id):
            raise Forbidden()
        if t.status not in ACTIVE_TASK_STATUSES:
            raise Conflict()
        if user is None or not access.can_act_on_task(user, t):
            raise Invalid(fields={"user": [_("This user cannot act on the task at its stage.")]})
        previous = t.assignee_id
        t.status = TaskStatus.ASSIGNED
        t.assignee = user
        t.claimed_at = timezone.now()
        t.save(update_fields=["status", "assignee", "claimed_at"])
        _task_event(
            app,
            t,
            actor=actor,
            action="task_reassigned",
            data={"from": previous, "to": user.pk},
        )
    return t


def _require_opinion(opinion: str, message: str) -> str:
    opinion = (opinion or "").strip()
    if not opinion:
        raise Invalid(fields={"opinion": [message]})
    return opinion


def _parse_date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    parsed = parse_date(str(value or "")) if value else None
    if parsed is None:
        raise Invalid(fields={field: [_("Enter a valid date (YYYY-MM-DD).")]})
    return parsed


def _clean_missing(app: Application, spec: VersionSpec, raw: Any) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        raise Invalid(fields={"missing": [_("List what the applicant must add or correct.")]})
    material_ids = set(Material.objects.filter(application=app).values_list("pk", flat=True))
    cleaned, errors = [], []
    for entry in raw:
        if not isinstance(entry, Mapping):
            errors.append(_("Each entry is an object with requirement, material and note."))
            continue
        requirement = entry.get("requirement")
        material = entry.get("material")
        note = str(entry.get("note") or "").strip()
        if requirement is not None and spec.material(requirement) is None:
            errors.append(_("No such material requirement: %(id)s.") % {"id": requirement})
            continue
        if material is not None:
            try:
                material = int(material)
            except (TypeError, ValueError):
                material = -1
            if material not in material_ids:
                errors.append(_("No such material in this case: %(id)s.") % {"id": material})
                continue
        if requirement is None and material is None and not note:
            errors.append(_("Say what is missing: a requirement, a material or a note."))
            continue
        cleaned.append(
            {
                "requirement": int(requirement) if requirement is not None else None,
                "material": material,
                "note": note,
            }
        )
    if errors:
        raise Invalid(fields={"missing": errors})
    return cleaned


def _complete_flow_task(vtask_id: int | None) -> None:
    """Finish the viewflow task of a step and let the graph move on (join, gateways, next
    step). Runs under the case lock already held."""
    if vtask_id is None:
        return
    from viewflow.workflow.models import Task

    vtask = Task.objects.get(pk=vtask_id)
    activation = vtask.flow_task.activation_class(vtask)
    activation.run(None)
    activation.execute()


def task_complete(
    *,
    task: CaseTask | int,
    actor,
    decision: str,
    opinion: str = "",
    **fields: Any,
) -> CaseTask:
    """Complete a task with a decision, validated per kind exactly as API.md's task table says.

    Claims the task implicitly when it is open and the actor may act on it; a task held by
    someone else or no longer open is a ``Conflict``; a task waiting for the applicant's
    supplement is a ``Conflict`` until the applicant answers.
    """
    with _task_locked(task, actor) as (app, t):
        if not access.can_act_on_task(actor, t):
            raise Forbidden()
        if t.status not in ACTIVE_TASK_STATUSES:
            raise Conflict()
        if t.status == TaskStatus.ASSIGNED and t.assignee_id != actor.pk:
            raise Conflict()
        if t.awaiting_applicant:
            raise Conflict(_("This task waits for the applicant's supplement."))
        allowed = TASK_DECISIONS.get(t.kind, frozenset())
        if decision not in allowed:
            raise Invalid(
                fields={
                    "decision": [
                        _("Choose one of: %(choices)s.") % {"choices": ", ".join(sorted(allowed))}
                    ]
                }
            )
        handler = _COMPLETERS.get(t.kind)
        if handler is None:
            raise Invalid(fields={"decision": [_("This kind of task cannot be completed here.")]})
        now = timezone.now()
        if t.status == TaskStatus.OPEN:
            t.assignee = actor
            t.claimed_at = now
            t.status = TaskStatus.ASSIGNED
        handler(app, t, actor=actor, decision=decision, opinion=opinion or "", now=now, **fields)
    return t


def _finish(t: CaseTask, *, actor, decision: str, opinion: str, now: datetime, result=None):
    t.status = TaskStatus.DONE
    t.decision = decision
    t.opinion = opinion
    t.completed_at = now
    t.completed_by = actor
    t.result = dict(result or {})
    t.save()


def _request_supplement(
    app: Application, t: CaseTask, *, actor, missing: list[dict], opinion: str, now: datetime
) -> None:
    """Record a supplement request. The first request moves the case to ``supplement`` with a
    new notice and pauses every clock; requests made while that notice is unanswered are merged
    into it (一次性告知: the applicant gets one complete list)."""
    requests = [
        {**m, "department": t.department.code, "task": t.pk, "stage": t.stage} for m in missing
    ]
    notice = app.supplement_notices.filter(answered_at__isnull=True).first()
    if app.status == S.SUPPLEMENT and notice is not None:
        notice.requests = [*notice.requests, *requests]
        notice.save(update_fields=["requests"])
        merged = True
        before = app.status
    else:
        if app.status not in (S.SUBMITTED, S.IN_REVIEW):
            raise Conflict()
        resume = app.status
        before = _move(app, S.SUPPLEMENT)
        app.resume_status = resume
        notice = SupplementNotice.objects.create(
            application=app, requests=requests, requested_at=now, resume_status=resume
        )
        merged = False
        _pause_clocks(app, actor=actor, now=now, note=_("Waiting for the applicant's supplement."))
        app.save()
    t.awaiting_applicant = True
    t.paused = True
    t.result = {**(t.result or {}), "missing": missing}
    t.opinion = opinion
    t.save(
        update_fields=[
            "awaiting_applicant",
            "paused",
            "result",
            "opinion",
            "status",
            "assignee",
            "claimed_at",
        ]
    )
    if t.participation_id and t.kind == TaskKind.REVIEW:
        ApplicationDepartment.objects.filter(pk=t.participation_id).update(status=P.SUPPLEMENT)
    _task_event(
        app,
        t,
        actor=actor,
        action="supplement_requested",
        before=before,
        after=app.status,
        note=opinion,
        data={"notice": notice.pk, "merged": merged, "missing": missing},
    )


def _complete_acceptance(app, t, *, actor, decision, opinion, now, **fields):
    spec = _spec(app)
    if app.status != S.SUBMITTED:
        raise Conflict()
    lead = t.participation
    if decision == "supplement":
        missing = _clean_missing(app, spec, fields.get("missing"))
        _request_supplement(app, t, actor=actor, missing=missing, opinion=opinion, now=now)
        return
    if decision == "approve":
        tolerated = fields.get("tolerated") or []
        if not isinstance(tolerated, list):
            raise Invalid(fields={"tolerated": [_("A list of requirement ids.")]})
        bad = [r for r in tolerated if (spec.material(r) is None or not spec.material(r).tolerable)]
        if bad:
            raise Invalid(
                fields={"tolerated": [_("Only tolerable materials can be accepted as missing.")]}
            )
        deadline = None
        if tolerated:
            deadline = _parse_date(fields.get("tolerance_deadline"), "tolerance_deadline")
        before = _move(app, S.IN_REVIEW)
        app.accepted_at = now
        app.tolerated = [int(r) for r in tolerated]
        app.tolerance_deadline = deadline
        # The case clock (workflow.clocks): dated back to the submission when no supplement
        # notice was given within the 5 working days of acceptance (第三十二条).
        from workflow import clocks

        clocks.start_case_clock(
            app,
            accepted_at=now,
            promised_days=spec.promised_days,
            legal_days=spec.legal_days,
            actor=actor,
        )
        app.save()
        if lead is not None:
            lead.status = P.IN_REVIEW
            lead.started_at = now
            lead.stage = (lead.stages or ["undertake"])[0]
            lead.due_at = app.due_at
            lead.save()
        _finish(
            t,
            actor=actor,
            decision=decision,
            opinion=opinion,
            now=now,
            result={
                "tolerated": app.tolerated,
                "tolerance_deadline": deadline.isoformat() if deadline else None,
            },
        )
        _task_event(
            app,
            t,
            actor=actor,
            action="accepted",
            before=before,
            after=app.status,
            note=opinion,
            data={"tolerated": app.tolerated},
        )
        _complete_flow_task(t.flow_task_id)
        return
    # deny: 不予受理, with reasons and, where it belongs elsewhere, the competent agency.
    reasons = _require_opinion(opinion, _("State the reasons for not accepting the case."))
    agency = str(fields.get("competent_agency") or "").strip()
    before = _move(app, S.NOT_ACCEPTED)
    app.not_accepted_reasons = reasons
    app.competent_agency = agency
    app.decided_at = now
    app.save()
    if lead is not None:
        lead.status = P.DENIED
        lead.opinion = reasons
        lead.decided_at = now
        lead.save()
    _finish(
        t,
        actor=actor,
        decision=decision,
        opinion=reasons,
        now=now,
        result={"competent_agency": agency},
    )
    _task_event(
        app,
        t,
        actor=actor,
        action="not_accepted",
        before=before,
        after=app.status,
        note=not_accepted_notice(app),
        data={"competent_agency": agency},
    )
    _complete_flow_task(t.flow_task_id)


def _complete_review(app, t, *, actor, decision, opinion, now, **fields):
    if app.status not in (S.IN_REVIEW, S.SUPPLEMENT):
        raise Conflict()
    participation = t.participation
    if decision == "supplement":
        missing = _clean_missing(app, _spec(app), fields.get("missing"))
        _request_supplement(app, t, actor=actor, missing=missing, opinion=opinion, now=now)
        return
    if decision == "deny":
        opinion = _require_opinion(opinion, _("State the reasons for the denial."))
    _finish(t, actor=actor, decision=decision, opinion=opinion, now=now)
    stages = participation.stages or ["undertake"]
    index = stages.index(t.stage) if t.stage in stages else len(stages) - 1
    if decision == "approve" and index + 1 < len(stages):
        participation.stage = stages[index + 1]
        participation.save(update_fields=["stage"])
        _task_event(app, t, actor=actor, action="stage_approved", note=opinion)
        _new_task(
            app,
            kind=TaskKind.REVIEW,
            department_id=t.department_id,
            stage=participation.stage,
            flow_task=t.flow_task_id,
            participation=participation,
            due_at=_stage_due(participation, index + 1),
        )
        return
    participation.status = P.APPROVED if decision == "approve" else P.DENIED
    participation.opinion = opinion
    participation.decided_at = now
    participation.save(update_fields=["status", "opinion", "decided_at"])
    _task_event(
        app,
        t,
        actor=actor,
        action="department_approved" if decision == "approve" else "department_denied",
        note=opinion,
    )
    _complete_flow_task(t.flow_task_id)


def review_deemed_approve(*, task: CaseTask | int, opinion: str) -> bool:
    """逾期视为同意: the system completes an overdue department review with the deemed-approval
    opinion, so the join goes on. Called only by the deadline sweep's follow-up
    (``workflow.deadlines``), after it checked the item department's timeout policy and that
    the item allows it; no person acts, so no access check applies. Takes the case lock like
    every writer (process, then application). Returns False, changing nothing, when the task
    is no longer open, waits for the applicant, or the case's clocks are paused."""
    task_id = getattr(task, "pk", task)
    row = CaseTask.objects.filter(pk=task_id).values("application_id").first()
    if row is None:
        return False
    with _case_locked(row["application_id"]) as app:
        t = _locked_task(task_id)
        if (
            t.status not in ACTIVE_TASK_STATUSES
            or t.kind != TaskKind.REVIEW
            or t.awaiting_applicant
            or t.paused
            or app.paused
            or app.status != S.IN_REVIEW
            or t.participation is None
        ):
            return False
        now = timezone.now()
        participation = t.participation
        _finish(t, actor=None, decision="approve", opinion=opinion, now=now)
        participation.status = P.DEEMED_APPROVED
        participation.opinion = opinion
        participation.decided_at = now
        participation.save(update_fields=["status", "opinion", "decided_at"])
        _task_event(
            app,
            t,
            actor=None,
            action="department_deemed_approved",
            note=opinion,
            data={"deemed": True},
        )
        _complete_flow_task(t.flow_task_id)
    return True


def _complete_inspection(app, t, *, actor, decision, opinion, now, **fields):
    if app.status != S.IN_REVIEW:
        raise Conflict()
    errors: dict[str, list[str]] = {}
    try:
        inspected_on = _parse_date(fields.get("inspected_on"), "inspected_on")
    except Invalid as exc:
        errors.update(exc.fields)
        inspected_on = None
    inspectors = fields.get("inspectors")
    if not isinstance(inspectors, list) or not [i for i in inspectors if str(i).strip()]:
        errors["inspectors"] = [_("Name the inspectors.")]
    findings = str(fields.get("findings") or "").strip()
    if not findings:
        errors["findings"] = [_("Record the findings.")]
    if errors:
        raise Invalid(fields=errors)
    result = {
        "inspected_on": inspected_on.isoformat(),
        "inspectors": [str(i).strip() for i in inspectors if str(i).strip()],
        "findings": findings,
        "passed": decision == "pass",
    }
    _finish(t, actor=actor, decision=decision, opinion=opinion or findings, now=now, result=result)
    _task_event(
        app,
        t,
        actor=actor,
        action="inspection_passed" if decision == "pass" else "inspection_failed",
        note=findings,
        data=result,
    )
    _complete_flow_task(t.flow_task_id)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def _issue_certificate(app: Application, spec: VersionSpec, now: datetime) -> Certificate:
    months = spec.result_validity_months
    valid_until = _add_months(timezone.localdate(now), months) if months else None
    if app.applicant_enterprise_id:
        holder = app.applicant_enterprise.name
        identifier = app.applicant_enterprise.credit_code
    else:
        holder = app.applicant_person.real_name if app.applicant_person_id else ""
        identifier = app.applicant_person.id_number if app.applicant_person_id else ""
    return Certificate.objects.create(
        number="YFZ" + app.number[2:],
        type=spec.result_name or app.item.name,
        application=app,
        holder_name=holder,
        holder_identifier=identifier,
        issuer_id=app.lead_department_id,
        issued_at=now,
        valid_until=valid_until,
    )


def _complete_decision(app, t, *, actor, decision, opinion, now, **fields):
    if app.status != S.IN_REVIEW:
        raise Conflict()
    if decision == "consult":
        raise Invalid(
            fields={"decision": [_("Consulting again is for core-department items only.")]}
        )
    spec = _spec(app)
    lead = t.participation
    if decision == "approve":
        before = _move(app, S.APPROVED)
        app.decision = Decision.APPROVED
        app.decision_opinion = opinion
    else:
        reasons = _require_opinion(opinion, _("State the reasons for the denial."))
        before = _move(app, S.DENIED)
        app.decision = Decision.DENIED
        app.decision_opinion = reasons
    app.decided_at = now
    app.save()
    if lead is not None:
        lead.status = P.APPROVED if decision == "approve" else P.DENIED
        lead.opinion = app.decision_opinion
        lead.decided_at = now
        lead.save()
    result: dict[str, Any] = {}
    if decision == "approve":
        certificate = _issue_certificate(app, spec, now)
        result["certificate_number"] = certificate.number
        note = _("Approved; certificate %(number)s issued.") % {"number": certificate.number}
        action = "approved"
    else:
        note = denial_notice(app)
        action = "denied"
    _finish(t, actor=actor, decision=decision, opinion=app.decision_opinion, now=now, result=result)
    _task_event(
        app, t, actor=actor, action=action, before=before, after=app.status, note=note, data=result
    )
    _complete_flow_task(t.flow_task_id)


_COMPLETERS = {
    TaskKind.ACCEPTANCE: _complete_acceptance,
    TaskKind.REVIEW: _complete_review,
    TaskKind.INSPECTION: _complete_inspection,
    TaskKind.DECISION: _complete_decision,
}


# ---------------------------------------------------------------------------------------------
# Notices


def denial_notice(app: Application) -> str:
    """不予许可 (第三十八条): the reasons, every department's opinion, and the remedy."""
    lines = [
        f"不予许可决定：{app.item.name}（办件编号 {app.number}）。",
        f"理由：{app.decision_opinion}",
    ]
    denied = ApplicationDepartment.objects.filter(
        application=app, status=P.DENIED, role=ParticipationRole.PARALLEL
    ).select_related("department")
    for row in denied:
        lines.append(f"{row.department.name}意见：{row.opinion}")
    lines.append(REMEDY_NOTICE)
    return "\n".join(lines)


def not_accepted_notice(app: Application) -> str:
    """不予受理 (第三十二条): the reasons, the competent agency where it belongs elsewhere, the
    remedy."""
    lines = [
        f"不予受理通知：{app.item.name}（办件编号 {app.number}）。",
        f"理由：{app.not_accepted_reasons}",
    ]
    if app.competent_agency:
        lines.append(f"该事项不属于本机关职权范围，请向{app.competent_agency}申请。")
    lines.append(REMEDY_NOTICE)
    return "\n".join(lines)


def body_hash(payload: bytes) -> str:
    return hashlib.sha256(payload or b"").hexdigest()


def department_reasons(app: Application) -> list[dict]:
    """Every department's status and opinion (what the lead sees at the decision)."""
    return [
        {"department": row.department.name, "status": row.status, "opinion": row.opinion}
        for row in app.participations.select_related("department")
    ]
