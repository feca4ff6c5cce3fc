"""Ratings of rated objects other than a case (一次一评: a window visit), plugged in by their
owner through ``evaluations.subjects``: the invitation the owner opens when the visit ends, the
link printed before it (``links.subject_token_for``: usable once the invitation is open), and
the rating itself — by the link's holder (``services.rating_submit_by_link``) or at the
window's rating pad (``subject_rating_submit``), once per visit."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onestop.errors import Invalid
from permits.choices import EventAction
from permits.event_notes import system_note
from workflow.services.events import event_append

from .choices import Channel, CommentStatus, Level, Source, SubjectKind
from .exceptions import LinkInvalid, LinkUsed, RatingNotYet
from .models import Invitation, Rating
from .signals import ratings_changed_send
from .subjects import subject_for
from .validation import validate as _validate
from .visit_handling import visit_rectification_open


def _subject_invitation(kind: str, subject_id: int) -> Invitation:
    """The invitation of a rated object's link (a visit's slip, printed before the visit
    ends): ``RatingNotYet`` while the owner has not opened it, ``LinkInvalid`` for an object
    that does not exist or a kind nobody registered."""
    subject = subject_for(kind)
    if kind == SubjectKind.CASE or subject is None:
        raise LinkInvalid()
    invitation = (
        Invitation.objects.select_related("application", "application__item")
        .filter(subject_kind=kind, subject_id=subject_id, round=1)
        .first()
    )
    if invitation is None:
        facts = subject.facts(subject_id)
        if not facts:
            raise LinkInvalid()
        if facts.get("void"):  # ended without being served (a skipped ticket): nothing to rate
            raise LinkInvalid(_("This visit was not served, so there is nothing to rate."))
        raise RatingNotYet()
    return invitation


def subject_invitation_open(*, kind: str, subject_id: int, at: datetime | None = None):
    """The invitation to rate a visit (the owner calls it when the visit ends); idempotent."""
    if kind == SubjectKind.CASE or subject_for(kind) is None:
        raise Invalid(fields={"subject_kind": [_("Unknown rated object.")]})
    invitation, _created = Invitation.objects.get_or_create(
        subject_kind=kind,
        subject_id=subject_id,
        round=1,
        defaults={"answered_at": at or timezone.now()},
    )
    return invitation


def _rate_subject(
    invitation: Invitation,
    *,
    level,
    tags,
    comment,
    source: str,
    channel: str,
    recorded_by=None,
    now: datetime | None = None,
) -> Rating:
    """Rate a visit (or another registered object) once: the facts come from its owner. A
    visit's 差评 opens a rectification without a task (``visit_handling``: a task belongs to a
    case's flow). Appends ``rated`` on the case entered at the visit, if any, and writes an
    audit record."""
    from audit.records import record as audit_record

    level, criteria, reasons, comment = _validate(level, tags, comment)
    facts = subject_for(invitation.subject_kind).facts(invitation.subject_id)
    if not facts:
        raise LinkInvalid()
    now = now or timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.closed_at is not None:
            raise LinkUsed()
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    subject_kind=invitation.subject_kind,
                    subject_id=invitation.subject_id,
                    round=invitation.round,
                    invitation=invitation,
                    application_id=facts.get("application_id"),
                    item_id=facts.get("item_id"),
                    department_id=facts["department_id"],
                    department_ids=[facts["department_id"]],
                    region_id=facts["region_id"],
                    channel=channel,
                    subject_data=dict(facts.get("data") or {}),
                    staff_id=facts.get("staff_id"),
                    level=level,
                    tags=criteria,
                    reasons=reasons,
                    comment=comment,
                    comment_status=CommentStatus.PENDING if comment else CommentStatus.NONE,
                    source=source,
                    recorded_by=recorded_by,
                    answered_at=invitation.answered_at,
                    rated_at=now,
                )
        except IntegrityError:
            raise LinkUsed() from None
        invitation.closed_at = now
        invitation.save(update_fields=["closed_at"])
        data = {
            "rating": rating.pk,
            "level": level,
            "subject": invitation.subject_kind,
            "source": source,
            "channel": channel,
        }
        if rating.application_id:
            event_append(
                application=rating.application_id,
                actor=None,
                action=EventAction.RATED,
                department=rating.department_id,
                note=system_note(
                    gettext_noop("The window visit was rated: %(level)s"), level=Level(level).label
                ),
                data=data,
            )
        audit_record(
            "data",
            "rating.visit",
            actor=recorded_by,
            target=rating,
            detail={**data, "subject_id": invitation.subject_id},
        )
        if rating.is_bad:
            visit_rectification_open(rating=rating, now=now)
        ratings_changed_send([rating.pk])  # the read models above (stats.ratings)
    return rating


def subject_rating_submit(
    *,
    kind: str,
    subject_id: int,
    level,
    tags=(),
    comment: str = "",
    source: str = Source.PAD,
    channel: str = Channel.WINDOW,
    recorded_by=None,
) -> Rating:
    """The visitor rates a visit at the window's rating pad (评价器) without logging in; the
    owner's page has checked that the pad may rate this visit. ``RatingNotYet`` before the
    visit's invitation is open, ``LinkUsed`` once rated (by the pad or the slip's link)."""
    invitation = _subject_invitation(kind, subject_id)
    if invitation.closed_at is not None:
        raise LinkUsed()
    return _rate_subject(
        invitation,
        level=level,
        tags=tags,
        comment=comment,
        source=source,
        channel=channel,
        recorded_by=recorded_by,
    )


def subject_summary(invitation: Invitation) -> dict | None:
    """What the rating page shows of a rated object other than a case (a visit: centre,
    window, ticket, day); None for a case."""
    if invitation.subject_kind == SubjectKind.CASE:
        return None
    subject = subject_for(invitation.subject_kind)
    facts = subject.facts(invitation.subject_id) if subject else None
    return dict((facts or {}).get("data") or {})
