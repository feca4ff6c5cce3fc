"""Applicants and applications: creating a draft (for oneself, for an enterprise, or entered
by staff for a walk-in applicant), changing its form, submitting it (or answering a supplement),
withdrawing it and handing its result over.

Who may call: portal pages, back-office pages, window intake and the API alike. Each function
takes the acting user explicitly, runs in one transaction (a case that already has a process is
locked through ``workflow.services.locking``) and appends an Event for every change; listeners
hear of it after commit (``workflow.services.events``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.records import record as audit_record
from onestop import limits
from onestop.pii import lookup_hash, seal, unseal
from permits.event_notes import system_note
from permits.models import (
    Application,
    ApplicationCounter,
    ApplicationDepartment,
    Channel,
    Enterprise,
    IdType,
    ParticipationRole,
    Person,
    ServiceItem,
)
from permits.selectors import persons_with_id
from workflow import access
from workflow.exceptions import Conflict, Forbidden, Invalid, MissingMaterials, Throttled
from workflow.flows.registry import flow_for_application
from workflow.intake.phones import normalise_phone
from workflow.models import ACTIVE_TASK_STATUSES, CaseProcess, CaseTask, TaskStatus
from workflow.services.common import (
    P,
    S,
    _applicant_side_or_404,
    _assert_item_accepting,
    _event,
    _form_clean,
    _move,
    _resume_clocks,
    _spec,
    _visible_or_404,
    item_applies_online,
)
from workflow.services.locking import case_locked
from workflow.services.materials import missing_materials
from workflow.spec import VersionSpec, version_spec


def _person_from_dict(
    data: Mapping[str, Any], *, client_address: str = "", lookups: list[dict] | None = None
) -> Person:
    """The walk-in applicant: the person on record with that ID number, or a new record.

    An ID number on record under another name stops the entry (400, ``applicant.real_name``)
    until the clerk, with the ID card in hand, confirms (``confirm_existing``) that this is the
    person on record: a typo or a stranger's number must never file a case into someone
    else's account. Every look-up is throttled by the trusted client address and per ID number
    (``ID_LOOKUP_PER_IP_HOUR`` / ``ID_LOOKUP_PER_ID_HOUR``, 429) and written to the audit log."""
    from permits.validators import mask_id_number, mask_name, validate_resident_id

    errors: dict[str, list[str]] = {}
    real_name = " ".join(str(data.get("real_name") or "").split())
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
    limited = limits.over(
        [
            ("id_lookup:ip", client_address, settings.ID_LOOKUP_PER_IP_HOUR),
            ("id_lookup:id", f"{id_type}:{id_number}", settings.ID_LOOKUP_PER_ID_HOUR),
        ]
    )
    person = None if limited else persons_with_id(id_type, id_number).first()
    if lookups is not None:  # audited by the caller, after its transaction, whatever the end
        lookups.append(
            {
                "action": "applicant.id_lookup.throttled" if limited else "applicant.id_lookup",
                "object_id": person.pk if person is not None else "",
                "detail": {
                    "id_number": mask_id_number(id_number),
                    "client": client_address,
                    "found": person is not None,
                },
            }
        )
    if limited:
        raise Throttled()
    if person is None:
        return Person.objects.create(
            id_type=id_type, id_number=id_number, real_name=real_name, phone=phone
        )
    if " ".join(person.real_name.split()) != real_name and not data.get("confirm_existing"):
        message = _(
            "This ID number is on record under another name (%(name)s). Check the ID card: if "
            "the applicant is that person, confirm to file the case under the record on file; "
            "otherwise correct the ID number or the name."
        ) % {"name": mask_name(person.real_name)}
        raise Invalid(
            message,
            fields={"applicant": {"real_name": [message], "confirm_existing": [message]}},
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
    request_kind: str | None = None,
    client_address: str = "",
) -> Application:
    """Create a draft case with its number.

    * For the actor themself (their person), or ``on_behalf_of`` an enterprise they currently
      handle within their scope for this item (经办人).
    * Staff entering a case for someone else (a window clerk, a hotline operator) pass
      ``channel`` ``window``/``hotline`` and the ``applicant`` dict; the case belongs to that
      person (and enterprise), ``created_by`` is the clerk, ``centre`` the clerk's centre.
      A hotline operator may enter a call without an applicant: the caller's ``phone`` is enough
      (``caller`` ``{"phone", "called_at", "urgency"}``; the urgency is the case's).
    * ``request_kind`` (咨询/求助/建议/投诉/举报/信访) with the urgency picks a process-centred
      case's limit (``workflow.deadlines.requestlimits``).
    * A walk-in applicant whose ID number is on record under another name is refused (400 on
      ``applicant.real_name``) unless ``applicant["confirm_existing"]`` is true; the look-up
      is throttled by ``client_address`` (the trusted client address: pass
      ``onestop.clientip.client_ip(request)``) and per ID number (429 ``throttled``).

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

    # One transaction for everything: a walk-in applicant's Person and Enterprise rows are
    # made here too, so a form or number that fails leaves no orphan behind. The ID-number
    # look-ups are audited after it, so a refused entry is on the record too.
    lookups: list[dict] = []
    try:
        with transaction.atomic():
            app = _create(
                actor=actor,
                item=item,
                version=version,
                spec=spec,
                form=form,
                on_behalf_of=on_behalf_of,
                channel=channel,
                applicant=applicant,
                caller=caller,
                request_kind=request_kind,
                client_address=client_address,
                lookups=lookups,
            )
    finally:
        for row in lookups:
            audit_record(
                "data",
                row["action"],
                actor=actor,
                object_type="permits.Person" if row["object_id"] else "",
                object_id=row["object_id"],
                detail=row["detail"],
            )
    return app


def _create(
    *, actor, item, version, spec, form, on_behalf_of, channel, applicant, caller, request_kind,
    client_address, lookups,
) -> Application:  # fmt: skip
    """``application_create``'s work inside its transaction."""
    parties = _parties(
        actor=actor,
        item=item,
        on_behalf_of=on_behalf_of,
        channel=channel,
        applicant=applicant,
        caller=caller,
        client_address=client_address,
        lookups=lookups,
    )
    cleaned = _form_clean(spec, form or {}, partial=True)
    parties.update(_request_columns(request_kind, parties["caller"]))
    app = Application.objects.create(
        number=ApplicationCounter.next_number(),
        item=item,
        item_version=version,
        form_data=cleaned,
        region_id=item.region_id,
        lead_department_id=spec.lead.department_id,
        created_by=actor,
        **parties,
    )
    _event(app, actor=actor, action="created", after=app.status, data={"channel": app.channel})
    return app


def _request_columns(request_kind: str | None, caller: Mapping[str, Any]) -> dict[str, str]:
    from permits.choices import RequestKind, Urgency

    kind = str(request_kind or "").strip()
    if kind and kind not in RequestKind.values:
        raise Invalid(fields={"request_kind": [_("Unknown request kind.")]})
    urgency = str(caller.get("urgency") or Urgency.NORMAL)
    if urgency not in Urgency.values:
        raise Invalid(fields={"caller": {"urgency": [_("Unknown urgency.")]}})
    return {"request_kind": kind, "urgency": urgency}


def _parties(
    *,
    actor,
    item: ServiceItem,
    on_behalf_of: str | Enterprise | None,
    channel: str | None,
    applicant: Mapping[str, Any] | None,
    caller: Mapping[str, Any] | None,
    client_address: str = "",
    lookups: list[dict] | None = None,
) -> dict[str, Any]:
    """Whose case it is and through which door: the Application's applicant, handler, channel,
    centre and caller columns. Inside ``application_create``'s transaction (it may create the
    walk-in applicant's Person and Enterprise)."""
    enterprise: Enterprise | None = None
    centre_id = None
    caller_data: dict = {}
    if applicant is not None or channel in (Channel.WINDOW, Channel.HOTLINE):
        channel = channel or Channel.WINDOW
        if channel not in (Channel.WINDOW, Channel.HOTLINE):
            raise Invalid(fields={"channel": [_("Staff enter cases as window or hotline.")]})
        if not access.can_enter_cases(actor):
            raise Forbidden()
        caller_only = channel == Channel.HOTLINE and not applicant and caller
        if caller_only and not str(caller.get("phone") or "").strip():
            raise Invalid(fields={"caller": {"phone": [_("This field is required.")]}})
        if not applicant and not caller_only:
            raise Invalid(fields={"applicant": [_("This field is required.")]})
        person = (
            _person_from_dict(applicant, client_address=client_address, lookups=lookups)
            if applicant
            else None
        )
        enterprise = _enterprise_from_dict(applicant) if applicant else None
        centre_id = next(iter(sorted(access.user_service_centre_ids(actor))), None)
        if channel == Channel.HOTLINE and caller:
            caller_data = {
                "phone": seal(normalise_phone(caller.get("phone"))),
                "called_at": str(caller.get("called_at") or timezone.now().isoformat()),
                "urgency": str(caller.get("urgency") or "normal"),
                **({"note": str(caller["note"])} if caller.get("note") else {}),
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
    return {
        "applicant_person": None if enterprise else person,
        "applicant_enterprise": enterprise,
        "handler": person,
        "channel": channel,
        "centre_id": centre_id,
        "caller": caller_data,
        "caller_phone_hash": lookup_hash(unseal(caller_data.get("phone"))) or "",
    }


def application_update_form(*, actor, application: Application, form: Mapping[str, Any]):
    """Replace the form data while the case is a draft or in supplement (checked as a draft:
    nothing required; what is given must be valid). Appends ``form_updated``."""
    _applicant_side_or_404(actor, application)
    with case_locked(application.pk) as app:
        if not app.is_editable:
            raise Conflict()
        app.form_data = _form_clean(_spec(app), form, partial=True)
        app.save(update_fields=["form_data", "updated_at"])
        _event(app, actor=actor, action="form_updated", before=app.status, after=app.status)
    return app


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
    _applicant_side_or_404(actor, application)
    with case_locked(application.pk) as app:
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
            flow_for_application(app).start.run(application=app)
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
    _resume_clocks(
        app,
        actor=actor,
        now=now,
        note=system_note(gettext_noop("The applicant answered the supplement.")),
    )
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
    _applicant_side_or_404(actor, application)
    with case_locked(application.pk) as app:
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
            process.flow_class.instance.cancel(process)
        _event(app, actor=actor, action="withdrawn", before=before, after=app.status, note=reason)
    return app


HANDOVER_METHODS = ("window", "mail", "electronic")


def application_handover(*, actor, application: Application, method: str, **details) -> Application:
    """Hand the result over (出件) and close the case: staff of the lead department or a clerk
    of the handing-over centre, once the case is decided (approved or denied).

    * ``window`` (pick-up): ``collected_by`` (who collected it) and ``id_checked`` (the clerk
      checked their ID) are required; ``collector_id_number`` is kept masked only;
    * ``mail``: ``address``, ``courier`` and ``tracking_number`` are required;
    * ``electronic``: nothing more.

    Records when and by whom it was handed over; a clerk of a service centre hands it over at
    that centre, so a case without a centre (an online one) gets theirs: the centre of the
    case's region (``access.handover_centre_id``; DESIGN.md §5: clerks see the cases handed
    over at their centre). Appends ``handed_over``."""
    from permits.validators import mask_id_number

    if not access.can_hand_over(actor, application):
        _visible_or_404(actor, application)
        raise Forbidden()
    if method not in HANDOVER_METHODS:
        raise Invalid(fields={"method": [_("Choose window, mail or electronic.")]})
    details = {k: v for k, v in details.items() if v not in (None, "")}
    required = {
        "window": ("collected_by", "id_checked"),
        "mail": ("address", "courier", "tracking_number"),
        "electronic": (),
    }[method]
    missing = {name: [_("This field is required.")] for name in required if not details.get(name)}
    if missing:
        raise Invalid(fields=missing)
    if details.get("collector_id_number"):
        details["collector_id_number"] = mask_id_number(str(details["collector_id_number"]))
    with case_locked(application.pk) as app:
        # Read before the move: an online case is handed over at the centre of its region.
        centre_id = app.centre_id or access.handover_centre_id(actor, app)
        before = _move(app, S.CLOSED)
        now = timezone.now()
        app.closed_at = now
        app.centre_id = centre_id
        app.handover = {
            "method": method,
            **{k: (v if isinstance(v, bool) else str(v)) for k, v in details.items()},
            "handed_over_at": now.isoformat(),
            "handed_over_by": actor.get_username(),
            **({"collected_at": now.isoformat()} if method == "window" else {}),
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
