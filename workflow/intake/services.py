"""Writes of process-centred intake: an anonymous complaint filed with its query code, a
repeated call linked to its open case (重复件合并), a petition's one extension and its 复查 /
复核 requests and decisions.

Each function takes the acting user, runs in one transaction (an existing case is locked through
``workflow.services.locking``), asks ``workflow.access`` and appends an Event for every change.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.pii import seal
from permits.choices import EventAction, RequestKind, ServiceModel
from permits.models import Application, ApplicationCounter, Channel, ServiceItem
from workflow import access
from workflow.deadlines import calendar as cal
from workflow.deadlines import requestlimits as limits
from workflow.exceptions import Conflict, Forbidden, Invalid, NotFound
from workflow.flows.registry import flow_for_application
from workflow.intake.models import PetitionExtension, PetitionReview, ReviewLevel, ReviewOutcome
from workflow.intake.phones import normalise_phone
from workflow.models import ACTIVE_TASK_STATUSES, CaseTask
from workflow.services.applications import _create_participations
from workflow.services.common import (
    S,
    _assert_item_accepting,
    _event,
    _form_clean,
    _move,
    _visible_or_404,
)
from workflow.services.locking import case_locked
from workflow.spec import version_spec

# Unambiguous upper-case letters and digits (read aloud on the phone, typed on a kiosk).
QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
QUERY_CODE_LENGTH = 12
OPEN_STATUSES = frozenset({S.SUBMITTED, S.IN_REVIEW, S.SUPPLEMENT})


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def query_code_hash(code: str) -> str:
    """What is kept of a query code: its SHA-256 (``permits.selectors.application_track``
    compares it in constant time). A 12-character code of 32 symbols has 60 bits, and the
    tracking endpoint is throttled, so an unsalted digest is enough to keep it unreadable."""
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def _item(item: ServiceItem | str) -> ServiceItem:
    if isinstance(item, ServiceItem):
        return item
    found = (
        ServiceItem.objects.select_related("current_version", "lead_department")
        .filter(code=str(item or "").strip().upper())
        .first()
    )
    if found is None:
        raise Invalid(fields={"item": [_("No such service item.")]})
    return found


def anonymous_file(
    *,
    item: ServiceItem | str,
    form: Mapping[str, Any] | None,
    request_kind: str | None = None,
    channel: str = Channel.ONLINE,
) -> tuple[Application, str]:
    """File an anonymous case (匿名投诉) of a process-centred item that allows it, and submit it
    at once: no account, no applicant; the form is checked in full (anonymous cases carry no
    materials). Returns the case and its query code — shown to the filer once, only its hash
    is kept; the case is then followed through the public tracking query (number + code) and is
    visible to nobody but the departments handling it. Appends ``created`` and ``submitted``,
    and starts the item's flow."""
    item = _item(item)
    _assert_item_accepting(item)
    version = item.current_version
    if version is None:
        raise Invalid(fields={"item": [_("This service item has no published version.")]})
    spec = version_spec(version)
    if item.service_model != ServiceModel.PROCESS_CENTRED or not spec.item.get(
        "allows_anonymous", item.allows_anonymous
    ):
        raise Invalid(fields={"item": [_("This service item takes no anonymous requests.")]})
    if spec.lead is None:
        raise Invalid(fields={"item": [_("The item has no lead department.")]})
    kind = str(request_kind or "").strip() or limits.KIND_BY_CATEGORY.get(item.category, "")
    if kind and kind not in RequestKind.values:
        raise Invalid(fields={"request_kind": [_("Unknown request kind.")]})
    cleaned = _form_clean(spec, form or {}, partial=False)
    code = new_query_code()
    with transaction.atomic():
        now = timezone.now()
        app = Application.objects.create(
            number=ApplicationCounter.next_number(),
            item=item,
            item_version=version,
            form_data=cleaned,
            region_id=item.region_id,
            lead_department_id=spec.lead.department_id,
            channel=channel if channel in (Channel.ONLINE, Channel.API) else Channel.ONLINE,
            anonymous=True,
            query_code_hash=query_code_hash(code),
            request_kind=kind,
        )
        _event(
            app, actor=None, action=EventAction.CREATED, after=app.status, data={"anonymous": True}
        )
        before = _move(app, S.SUBMITTED)
        app.submitted_at = now
        app.save()
        _create_participations(app, spec)
        _event(app, actor=None, action=EventAction.SUBMITTED, before=before, after=app.status)
        flow_for_application(app).start.run(application=app)
    return app, code


def call_link(
    *, actor, application: Application, caller: Mapping[str, Any], note: str = ""
) -> Application:
    """Link a repeated call (重复件) to an open case instead of opening a second one: a
    ``call_linked`` event carrying the caller (phone, time, urgency) and what was said; the
    count of linked calls shows on the case. Hotline operators and other staff who enter cases,
    on a case they may see that is still open (submitted, in review, in supplement)."""
    _visible_or_404(actor, application)
    if not access.can_enter_cases(actor):
        raise Forbidden()
    phone = normalise_phone((caller or {}).get("phone"))
    if not phone:
        raise Invalid(fields={"caller": {"phone": [_("This field is required.")]}})
    urgency = str((caller or {}).get("urgency") or "normal")
    with case_locked(application.pk) as app:
        if app.status not in OPEN_STATUSES:
            raise Conflict(_("Only an open case takes a repeated call; open a new case instead."))
        called_at = str((caller or {}).get("called_at") or timezone.now().isoformat())
        _event(
            app,
            actor=actor,
            action=EventAction.CALL_LINKED,
            department=app.lead_department_id,
            before=app.status,
            after=app.status,
            note=note,
            # The phone sealed (onestop.pii): the event log is no place for it in clear.
            data={"caller": {"phone": seal(phone), "called_at": called_at, "urgency": urgency}},
        )
    return app


def repeated_calls(application: Application) -> int:
    """How many repeated calls are linked to the case (from its loaded events when present)."""
    rows = getattr(application, "event_rows", None)
    if rows is not None:
        return sum(1 for e in rows if e.action == EventAction.CALL_LINKED)
    return application.events.filter(action=EventAction.CALL_LINKED).count()


# --- Petitions (信访工作条例 2022) -------------------------------------------------------------


def _petition(app: Application) -> None:
    if limits.kind_of(app) != RequestKind.PETITION:
        raise Invalid(fields={"request_kind": [_("This is not a petition.")]})


def petition_extend(*, actor, application: Application, days: int, reasons: str) -> Application:
    """Extend a petition's handling once by up to 30 calendar days (第三十五条), by the head of
    the handling unit (the lead office or a department taking part) with reasons: the case's
    due and the open tasks' dues move on by ``days``. Appends ``clock_extended``."""
    _visible_or_404(actor, application)
    _petition(application)
    if not access.can_extend_petition(actor, application):
        raise Forbidden()
    if not reasons or not str(reasons).strip():
        raise Invalid(fields={"reasons": [_("State the reasons for the extension.")]})
    if not isinstance(days, int) or not 1 <= days <= limits.PETITION_EXTENSION_MAX:
        raise Invalid(
            fields={"days": [_("A petition may be extended by 1 to 30 days.")]},
        )
    with case_locked(application.pk) as app:
        if app.status not in OPEN_STATUSES:
            raise Conflict()
        if PetitionExtension.objects.filter(application=app).exists():
            raise Conflict(_("A petition's handling may be extended only once."))
        now = timezone.now()
        before_due = app.due_at
        if app.due_at:
            app.due_at = app.due_at + timedelta(days=days)
            app.save(update_fields=["due_at", "yellow_at", "updated_at"])
        for task in CaseTask.objects.filter(
            application=app, status__in=ACTIVE_TASK_STATUSES, due_at__isnull=False
        ):
            task.due_at = task.due_at + timedelta(days=days)
            task.save(update_fields=["due_at", "yellow_at"])
        PetitionExtension.objects.create(
            application=app,
            days=days,
            reasons=str(reasons).strip(),
            approved_by=actor,
            at=now,
            due_before=before_due,
            due_after=app.due_at,
        )
        _event(
            app,
            actor=actor,
            action=EventAction.CLOCK_EXTENDED,
            before=app.status,
            after=app.status,
            note=str(reasons).strip(),
            data={"kind": "petition", "days": days},
        )
    return app


def _opinion_at(app: Application) -> datetime | None:
    """When the petitioner got the handling opinion: the case's answer (or decision)."""
    answered = (
        app.events.filter(status_after=S.ANSWERED).order_by("-at").values_list("at", flat=True)
    ).first()
    return answered or app.decided_at or app.closed_at


def _authority(department):
    """The next higher authority: the parent department, else the department itself (an office
    at the top of its region reviews its own cases through its head)."""
    return department.parent if department.parent_id else department


def petition_review_request(
    *, actor, application: Application, level: str, reasons: str, now: datetime | None = None
) -> PetitionReview:
    """The petitioner asks for 复查 within 30 days of the handling opinion, or for 复核 within
    30 days of the 复查 decision (第三十六、三十七条); the next higher authority decides within 30
    days. The applicant's side of the case, or staff who enter cases recording it for them.
    Appends ``petition_review_requested``."""
    _visible_or_404(actor, application)
    _petition(application)
    if not (access.can_act_as_applicant(actor, application) or access.can_enter_cases(actor)):
        raise Forbidden()
    if level not in ReviewLevel.values:
        raise Invalid(fields={"level": [_("Choose review or recheck.")]})
    if not reasons or not str(reasons).strip():
        raise Invalid(fields={"reasons": [_("This field is required.")]})
    now = now or timezone.now()
    with case_locked(application.pk) as app:
        if app.status not in (S.ANSWERED, S.CLOSED, S.DENIED, S.APPROVED):
            raise Conflict(_("A review can be asked for once the petition has been answered."))
        reviews = {r.level: r for r in app.petition_reviews.select_related("authority")}
        if level in reviews:
            raise Conflict(_("This review has already been asked for."))
        if level == ReviewLevel.REVIEW:
            since = _opinion_at(app)
            authority = _authority(app.lead_department)
        else:
            first = reviews.get(ReviewLevel.REVIEW)
            if first is None or first.decided_at is None:
                raise Conflict(_("A review (复核) follows a decided re-examination (复查)."))
            since = first.decided_at
            authority = _authority(first.authority)
        if since is not None and now > limits.petition_review_due(start=since):
            raise Invalid(
                fields={"level": [_("The 30 days to ask for this review have passed.")]},
            )
        review = PetitionReview.objects.create(
            application=app,
            level=level,
            authority=authority,
            requested_at=now,
            requested_by=actor,
            reasons=str(reasons).strip(),
            due_at=limits.petition_review_due(start=now),
        )
        _event(
            app,
            actor=actor,
            action=EventAction.PETITION_REVIEW_REQUESTED,
            department=authority.pk,
            before=app.status,
            after=app.status,
            note=review.reasons,
            data={"review": review.pk, "level": level, "due_at": review.due_at.isoformat()},
        )
    return review


def _review_for_authority(actor, review: PetitionReview | int) -> PetitionReview:
    pk = review.pk if isinstance(review, PetitionReview) else review
    found = PetitionReview.objects.select_related("application", "authority").filter(pk=pk).first()
    if found is None or not access.can_view_application(actor, found.application):
        raise NotFound()
    if not access.can_decide_petition_review(actor, found):
        raise Forbidden()
    return found


def petition_hearing(
    *, actor, review: PetitionReview | int, start: bool, now: datetime | None = None
) -> PetitionReview:
    """Start or end a hearing (听证) of a 复核: its calendar days are not counted, so the due moves
    on by them when it ends. Staff of the reviewing authority. Appends ``petition_hearing``."""
    review = _review_for_authority(actor, review)
    if review.level != ReviewLevel.RECHECK:
        raise Invalid(fields={"level": [_("Only a review (复核) holds a hearing.")]})
    now = now or timezone.now()
    with case_locked(review.application_id) as app:
        review = PetitionReview.objects.select_for_update().get(pk=review.pk)
        if review.decided_at is not None or bool(review.hearing_since) == start:
            raise Conflict()
        if start:
            review.hearing_since = now
        else:
            days = max(0, cal.calendar_days_between(review.hearing_since, now))
            review.hearing_days += days
            review.due_at = review.due_at + timedelta(days=days)
            review.hearing_since = None
        review.save()
        _event(
            app,
            actor=actor,
            action=EventAction.PETITION_HEARING,
            department=review.authority_id,
            before=app.status,
            after=app.status,
            data={"review": review.pk, "started": start, "due_at": review.due_at.isoformat()},
        )
    return review


def petition_review_decide(
    *, actor, review: PetitionReview | int, outcome: str, opinion: str
) -> PetitionReview:
    """The reviewing authority's decision on a 复查 or 复核 (staff of that department). Appends
    ``petition_review_decided``."""
    review = _review_for_authority(actor, review)
    if outcome not in ReviewOutcome.values:
        raise Invalid(fields={"outcome": [_("Choose upheld, changed or revoked.")]})
    if not opinion or not str(opinion).strip():
        raise Invalid(fields={"opinion": [_("This field is required.")]})
    with case_locked(review.application_id) as app:
        review = PetitionReview.objects.select_for_update().get(pk=review.pk)
        if review.decided_at is not None or review.hearing_since is not None:
            raise Conflict()
        review.decided_at = timezone.now()
        review.decided_by = actor
        review.outcome = outcome
        review.opinion = str(opinion).strip()
        review.save()
        _event(
            app,
            actor=actor,
            action=EventAction.PETITION_REVIEW_DECIDED,
            department=review.authority_id,
            before=app.status,
            after=app.status,
            note=review.opinion,
            data={"review": review.pk, "level": review.level, "outcome": outcome},
        )
    return review
