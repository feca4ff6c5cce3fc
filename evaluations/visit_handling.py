"""The handling of a window visit's 差评 (一次一评 rated 1–2), without a case task: a visit is no
case's flow, so its ``Rectification`` has no ``task`` and its steps are recorded on the row
(who, when) and in the audit log (``audit.records.record``; no case, so no case Event).

Opened when the visit is rated 1–2 (``subject_ratings``), owned by the visit's department (the
centre's), due in ``RECTIFICATION_WORKING_DAYS`` working days (per region, as for a case). A head
of that department records the callback (date, outcome), then the fix (what was fixed, what the
visitor was told) or an appeal (reasons); a supervisor of the region decides the appeal:
``uphold`` (open again, due when it was) or ``overturn`` (the rating is set aside with the
reasons and leaves every figure, as a case's overturned appeal). Access: ``workflow.access``
(``can_handle_visit_rectification``, ``can_decide_visit_appeal``, ``visit_rectification_q``)."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.errors import Conflict, Invalid, NotFound
from workflow import access
from workflow.services.common import add_time_limit

from . import conf
from .choices import AppealStatus, RectificationStatus, SubjectKind
from .models import Rating, Rectification
from .signals import ratings_changed_send

OPEN_STATUSES = (RectificationStatus.OPEN, RectificationStatus.APPEALED)


def _audit(action: str, r: Rectification, *, actor, detail: dict | None = None) -> None:
    from audit.records import record as audit_record

    audit_record(
        "data",
        f"rectification.visit.{action}",
        actor=actor,
        target=r,
        detail={"rating": r.rating_id, "status": r.status, **(detail or {})},
    )


def visit_rectification_open(*, rating: Rating, now: datetime | None = None) -> Rectification:
    """Open the handling of a visit's 差评 (inside the rating's transaction); once per rating."""
    now = now or timezone.now()
    region_code = getattr(rating.region, "code", None)
    due = add_time_limit(start=now, days=conf.rectification_days(region_code), unit="working_day")
    r, created = Rectification.objects.get_or_create(
        rating=rating,
        defaults={"department_id": rating.department_id, "opened_at": now, "due_at": due},
    )
    if created:
        _audit("opened", r, actor=None, detail={"level": rating.level, "due_at": due.isoformat()})
    return r


def visible_rectifications(user):
    """The visit rectifications ``user`` may open (heads: their departments'; supervisors:
    their regions'), open ones first, then by due date."""
    return (
        Rectification.objects.filter(access.visit_rectification_q(user))
        .filter(rating__subject_kind=SubjectKind.VISIT)
        .select_related("rating", "rating__staff", "rating__department", "department")
        .order_by("due_at", "pk")
    )


def _locked(user, rectification_id: int) -> Rectification:
    r = (
        visible_rectifications(user)
        .select_for_update(of=("self",))
        .filter(pk=rectification_id)
        .first()
    )
    if r is None:
        raise NotFound()
    return r


def _text(data: dict, key: str, message) -> str:
    value = (data.get(key) or "").strip()
    if not value:
        raise Invalid(fields={key: [message]})
    return value


def _head(user, r: Rectification) -> None:
    if not access.can_handle_visit_rectification(user, r):
        raise NotFound()
    if r.status != RectificationStatus.OPEN:
        raise Conflict(_("This rectification is not open."))


def callback(*, actor, rectification_id: int, data: dict, now=None) -> Rectification:
    """The head records the callback (回访核实): ``called_on`` (a date), ``revisit`` (outcome)."""
    now = now or timezone.now()
    with transaction.atomic():
        r = _locked(actor, rectification_id)
        _head(actor, r)
        outcome = _text(data, "revisit", _("Say what the visitor said on the callback."))
        called_on = data.get("called_on") or timezone.localdate(now)
        if isinstance(called_on, str):
            try:
                called_on = date.fromisoformat(called_on)
            except ValueError:
                raise Invalid(fields={"called_on": [_("Give the date as YYYY-MM-DD.")]}) from None
        if called_on > timezone.localdate(now):
            raise Invalid(fields={"called_on": [_("The callback cannot be in the future.")]})
        r.revisit = outcome
        r.revisit_by = actor
        r.revisit_at = timezone.make_aware(datetime.combine(called_on, datetime.min.time()))
        r.revisit_person = (data.get("callback_person") or "").strip() or (
            actor.get_full_name() or actor.get_username()
        )
        r.save(update_fields=["revisit", "revisit_by", "revisit_at", "revisit_person"])
        _audit("callback", r, actor=actor, detail={"called_on": called_on.isoformat()})
    return r


def fix(*, actor, rectification_id: int, data: dict, now=None) -> Rectification:
    """The head records the fix (``fix``: what was fixed, ``told``: what the visitor was told),
    after the callback; closes the rectification, on time or late."""
    now = now or timezone.now()
    with transaction.atomic():
        r = _locked(actor, rectification_id)
        _head(actor, r)
        if not r.revisit:
            raise Conflict(_("Record the callback first."))
        r.fix = _text(data, "fix", _("Say what was fixed."))
        r.told = _text(data, "told", _("Say what the visitor was told."))
        r.status = RectificationStatus.DONE
        r.fixed_by = actor
        r.fixed_at = r.closed_at = now
        r.on_time = r.due_at is None or now <= r.due_at
        r.save()
        _audit("fixed", r, actor=actor, detail={"on_time": r.on_time})
        ratings_changed_send([r.rating_id])  # its on-time rectification counts
    return r


def appeal(*, actor, rectification_id: int, data: dict, now=None) -> Rectification:
    """The head appeals (申诉: ``appeal_reasons``), after the callback; a supervisor decides."""
    now = now or timezone.now()
    with transaction.atomic():
        r = _locked(actor, rectification_id)
        _head(actor, r)
        if not r.revisit:
            raise Conflict(_("Record the callback first."))
        r.appeal_reasons = _text(data, "appeal_reasons", _("Give the reasons of the appeal."))
        r.status = RectificationStatus.APPEALED
        r.appeal_status = AppealStatus.PENDING
        r.appealed_by = actor
        r.appealed_at = now
        r.save()
        _audit("appealed", r, actor=actor)
    return r


def appeal_decide(
    *, actor, rectification_id: int, decision: str, opinion: str, now=None
) -> Rectification:
    """A supervisor of the region decides the appeal: ``uphold`` (the rating stands, the
    rectification is open again) or ``overturn`` (the rating is set aside with ``opinion``)."""
    now = now or timezone.now()
    if decision not in ("uphold", "overturn"):
        raise Invalid(fields={"decision": [_("Choose uphold or overturn.")]})
    opinion = (opinion or "").strip()
    if not opinion:
        raise Invalid(fields={"opinion": [_("Give the reasons of the decision.")]})
    with transaction.atomic():
        r = _locked(actor, rectification_id)
        if not access.can_decide_visit_appeal(actor, r):
            raise NotFound()
        if r.status != RectificationStatus.APPEALED:
            raise Conflict(_("There is no appeal to decide."))
        r.appeal_decision = opinion
        r.appeal_decided_by = actor
        r.appeal_decided_at = now
        if decision == "overturn":
            r.appeal_status = AppealStatus.OVERTURNED
            r.status = RectificationStatus.SET_ASIDE
            r.closed_at = now
            Rating.objects.filter(pk=r.rating_id).update(set_aside=True, set_aside_reasons=opinion)
        else:
            r.appeal_status = AppealStatus.UPHELD
            r.status = RectificationStatus.OPEN
        r.save()
        _audit(decision, r, actor=actor)
        if decision == "overturn":
            ratings_changed_send([r.rating_id])  # set aside: it leaves every figure
    return r
