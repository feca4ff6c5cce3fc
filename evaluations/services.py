"""Writes of the ratings app: a rating by the applicant, once per answer (API.md Ratings)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.errors import Conflict, Invalid, NotFound
from permits.choices import EventAction
from permits.models import ApplicationStatus
from workflow import access
from workflow.services.events import event_append
from workflow.services.locking import case_locked

from .choices import ALL_TAGS, BAD_REASONS, CommentStatus, Level, Source, SubjectKind
from .models import Rating

# API.md: a rating is allowed in these states, once per answer.
RATABLE_STATUSES = frozenset(
    {
        ApplicationStatus.APPROVED,
        ApplicationStatus.DENIED,
        ApplicationStatus.NOT_ACCEPTED,
        ApplicationStatus.TERMINATED,
        ApplicationStatus.ANSWERED,
        ApplicationStatus.CLOSED,
    }
)


def _validate(level, tags, comment) -> tuple[int, list[str], list[str], str]:
    errors: dict[str, list[str]] = {}
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        errors["level"] = [_("Choose a level from 1 to 5.")]
    tags = list(tags or [])
    unknown = [t for t in tags if not isinstance(t, str) or t not in ALL_TAGS]
    if unknown:
        errors["tags"] = [_("Unknown criteria or reasons.")]
    comment = (comment or "").strip()
    if len(comment) > 2000:
        errors["comment"] = [_("Keep the comment under 2000 characters.")]
    if errors:
        raise Invalid(fields=errors)
    reasons = [t for t in tags if t in BAD_REASONS]
    criteria = [t for t in tags if t not in BAD_REASONS]
    return level, criteria, reasons, comment


def rating_submit(*, actor, application, level, tags=(), comment: str = "") -> Rating:
    """The applicant rates their case's current answer. ``NotFound`` for anyone else (a
    foreign case is indistinguishable from a missing one), ``Conflict`` when the case is in no
    state to be rated or this answer is rated already. Appends ``rated``."""
    level, criteria, reasons, comment = _validate(level, tags, comment)
    with case_locked(application.pk) as app:
        if not access.can_rate(actor, app):
            raise NotFound()
        if app.status not in RATABLE_STATUSES:
            raise Conflict(_("This case cannot be rated now."))
        answer = 1
        if Rating.objects.filter(
            subject_kind=SubjectKind.CASE, subject_id=app.pk, round=answer
        ).exists():
            raise Conflict(_("This answer has been rated already."))
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    subject_kind=SubjectKind.CASE,
                    subject_id=app.pk,
                    round=answer,
                    application=app,
                    item_id=app.item_id,
                    item_version_id=app.item_version_id,
                    department_id=app.lead_department_id,
                    department_ids=[app.lead_department_id],
                    region_id=app.region_id,
                    channel=app.channel,
                    level=level,
                    tags=criteria,
                    reasons=reasons,
                    comment=comment,
                    comment_status=CommentStatus.PENDING if comment else CommentStatus.NONE,
                    source=Source.SITE,
                    rated_by=actor,
                    answered_at=app.decided_at,
                    rated_at=timezone.now(),
                )
        except IntegrityError:
            raise Conflict(_("This answer has been rated already.")) from None
        event_append(
            application=app,
            actor=actor,
            action=EventAction.RATED,
            department=app.lead_department_id,
            data={"rating": rating.pk, "level": level, "round": answer},
        )
    return rating
