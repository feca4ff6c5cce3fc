"""Writes of the ratings app (API.md Ratings): the invitation made with each answer, a rating by
the applicant in the site or by the holder of the signed SMS link, once per answer, the
reminder and the system default rating, and what a rating does to the case:

* an answered (process-centred) case rated 3–5, rated again after its reopening, or given the
  default rating is ``closed`` (and its flow ends);
* a 差评 (1–2) on a process-centred case's first answer reopens it (``case_reopen``), once;
* any other 差评 opens a ``rectification`` task (``evaluations.handling``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onestop.errors import Conflict, Invalid, NotFound
from permits.choices import EventAction
from permits.event_notes import system_note
from permits.models import Application, ApplicationDepartment, ApplicationStatus, ServiceModel
from workflow import access
from workflow.models import CaseTask, TaskKind, TaskStatus
from workflow.services.common import _move
from workflow.services.events import event_append
from workflow.services.locking import case_locked
from workflow.services.reopen import case_answer_settle, case_reopen

from . import conf, links
from .choices import Channel, CommentStatus, Level, Source, SubjectKind
from .exceptions import LinkInvalid, LinkUsed
from .models import Invitation, Rating
from .signals import ratings_changed_send
from .subject_ratings import (  # the visit's services are there; re-exported for callers
    _rate_subject,
    _subject_invitation,
    subject_invitation_open,
    subject_rating_submit,
    subject_summary,
)
from .subjects import subject_for
from .validation import validate as _validate

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
# The events that give the answer to be rated (the result notice carries the link).
RESULT_ACTIONS = frozenset(
    {
        EventAction.APPROVED,
        EventAction.DENIED,
        EventAction.NOT_ACCEPTED,
        EventAction.ANSWERED,
    }
)
# The steps whose handler a rating rates (the one who gave the answer), latest first.
_RATED_KINDS = (
    TaskKind.DECISION,
    TaskKind.REPLY_REVIEW,
    TaskKind.TRIAGE,
    TaskKind.ACCEPTANCE,
)


def current_round(app: Application) -> int:
    """The answer being rated: 1, or 2 once a process-centred case was reopened."""
    return 2 if app.reopened_at is not None else 1


def is_rateable(app: Application) -> bool:
    """Whether the case's current answer waits for a rating (the case page's link)."""
    return (
        app.status in RATABLE_STATUSES
        and not Rating.objects.filter(
            subject_kind=SubjectKind.CASE, subject_id=app.pk, round=current_round(app)
        ).exists()
    )


# --- The invitation ------------------------------------------------------------------------------


def invitation_open(*, application: Application | int, at: datetime | None = None) -> Invitation:
    """The invitation to rate the case's current answer (made when the answer is given;
    idempotent: the same answer keeps its invitation)."""
    app = (
        application
        if isinstance(application, Application)
        else Application.objects.only("pk", "reopened_at").get(pk=application)
    )
    invitation, _created = Invitation.objects.get_or_create(
        subject_kind=SubjectKind.CASE,
        subject_id=app.pk,
        round=current_round(app),
        defaults={"application_id": app.pk, "answered_at": at or timezone.now()},
    )
    return invitation


def invitation_ensure(*, application: Application, at: datetime | None = None) -> None:
    """:func:`invitation_open` for a writer that needs no row back (the answer's Event hook):
    one ``INSERT … ON CONFLICT DO NOTHING`` on the invitation's unique (subject, round)."""
    Invitation.objects.bulk_create(
        [
            Invitation(
                subject_kind=SubjectKind.CASE,
                subject_id=application.pk,
                round=current_round(application),
                application_id=application.pk,
                answered_at=at or timezone.now(),
            )
        ],
        ignore_conflicts=True,
    )


def open_invitation_for(application_id: int) -> Invitation | None:
    return (
        Invitation.objects.filter(
            subject_kind=SubjectKind.CASE, subject_id=application_id, closed_at__isnull=True
        )
        .order_by("-round")
        .first()
    )


# --- Rating --------------------------------------------------------------------------------------


def _rated_staff_id(app: Application) -> int | None:
    row = (
        CaseTask.objects.filter(application=app, kind__in=_RATED_KINDS, status=TaskStatus.DONE)
        .exclude(completed_by=None)
        .order_by("-completed_at", "-pk")
        .values_list("completed_by_id", flat=True)
        .first()
    )
    return row


def _record(
    app: Application,
    *,
    level: int,
    criteria: list[str],
    reasons: list[str],
    comment: str,
    source: str,
    actor,
    channel: str = "",
    invitation: Invitation | None = None,
    is_default: bool = False,
    now: datetime | None = None,
    recorded_by=None,
) -> Rating:
    """Write the rating of the case's current answer (the caller holds the case lock and has
    checked who rates) and do what it does to the case."""
    if app.status not in RATABLE_STATUSES:
        raise Conflict(_("This case cannot be rated now."))
    answer = current_round(app)
    if invitation is not None and invitation.round != answer:
        raise LinkUsed()
    if Rating.objects.filter(
        subject_kind=SubjectKind.CASE, subject_id=app.pk, round=answer
    ).exists():
        raise Conflict(_("This answer has been rated already."))
    now = now or timezone.now()
    if invitation is None:
        invitation = Invitation.objects.filter(
            subject_kind=SubjectKind.CASE, subject_id=app.pk, round=answer
        ).first()
    department_ids = sorted(
        set(
            ApplicationDepartment.objects.filter(application=app).values_list(
                "department_id", flat=True
            )
        )
        | {app.lead_department_id}
    )
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                subject_kind=SubjectKind.CASE,
                subject_id=app.pk,
                round=answer,
                invitation=invitation,
                application=app,
                item_id=app.item_id,
                item_version_id=app.item_version_id,
                department_id=app.lead_department_id,
                department_ids=department_ids,
                region_id=app.region_id,
                channel=channel,
                staff_id=_rated_staff_id(app),
                level=level,
                tags=criteria,
                reasons=reasons,
                comment=comment,
                comment_status=CommentStatus.PENDING if comment else CommentStatus.NONE,
                source=source,
                # A rating recorded for the citizen (the hotline) was not given by the recorder.
                rated_by=actor
                if getattr(actor, "is_authenticated", False) and recorded_by is None
                else None,
                recorded_by=recorded_by,
                answered_at=app.answered_at or app.decided_at,
                rated_at=now,
                is_default=is_default,
            )
    except IntegrityError:
        raise Conflict(_("This answer has been rated already.")) from None
    if invitation is not None:
        Invitation.objects.filter(pk=invitation.pk).update(closed_at=now)
    event_append(
        application=app,
        actor=actor,
        action=EventAction.RATING_DEFAULTED if is_default else EventAction.RATED,
        department=app.lead_department_id,
        before=app.status,
        after=app.status,
        note=system_note(gettext_noop("System default rating: %(level)s"), level=Level(level).label)
        if is_default
        else "",
        data={
            "rating": rating.pk,
            "level": level,
            "round": answer,
            "source": source,
            "channel": channel,
        },
    )
    _after_rating(app, rating, actor=actor)
    ratings_changed_send([rating.pk])  # the read models above (stats.ratings)
    return rating


def _after_rating(app: Application, rating: Rating, *, actor) -> None:
    from .handling import rectification_open

    process_centred = app.item.service_model == ServiceModel.PROCESS_CENTRED
    if rating.is_bad and not rating.is_default:
        if process_centred and app.status == ApplicationStatus.ANSWERED and rating.round == 1:
            case_reopen(
                application=app.pk,
                actor=actor,
                reason=_("The applicant rated the answer %(level)s: a second handling.")
                % {"level": Level(rating.level).label},
            )
            return
        rectification_open(rating=rating, application=app)
    if app.status == ApplicationStatus.ANSWERED:
        _close_answered(app, actor=actor)


def _close_answered(app: Application, *, actor) -> None:
    """API.md: an answered case rated 3–5, rated again after its reopening, or given the default
    rating is closed; its flow (waiting at ``await_rating``) then ends."""
    before = _move(app, ApplicationStatus.CLOSED)
    app.closed_at = timezone.now()
    app.save(update_fields=["status", "closed_at"])
    event_append(
        application=app,
        actor=actor,
        action=EventAction.CASE_CLOSED,
        department=app.lead_department_id,
        before=before,
        after=app.status,
    )
    case_answer_settle(application=app.pk)


def rating_submit(
    *, actor, application, level, tags=(), comment: str = "", channel: str = Channel.ONLINE
) -> Rating:
    """The applicant rates their case's current answer, in the site (``online``) or through the
    API (``api``: an app). ``NotFound`` for anyone else (a foreign case is indistinguishable
    from a missing one), ``Conflict`` when the case is in no state to be rated or this answer
    is rated already. Appends ``rated``."""
    if channel not in (Channel.ONLINE, Channel.API):
        raise Invalid(fields={"channel": [_("Unknown channel.")]})
    level, criteria, reasons, comment = _validate(level, tags, comment)
    with case_locked(application.pk) as app:
        if not access.can_rate(actor, app):
            raise NotFound()
        return _record(
            app,
            level=level,
            criteria=criteria,
            reasons=reasons,
            comment=comment,
            source=Source.SITE,
            actor=actor,
            channel=channel,
        )


def link_invitation(token: str) -> Invitation:
    """The invitation a link names (``LinkInvalid``/``LinkExpired``/``LinkUsed`` otherwise;
    ``RatingNotYet`` for a visit's link before the visit is finished)."""
    kind, pk = links.decode(token)
    if kind is not None:
        invitation = _subject_invitation(kind, pk)
    else:
        invitation = (
            Invitation.objects.select_related("application", "application__item")
            .filter(pk=pk)
            .first()
        )
    if invitation is None:
        raise LinkInvalid()
    if invitation.subject_kind == SubjectKind.CASE and invitation.application_id is None:
        raise LinkInvalid()
    if invitation.subject_kind != SubjectKind.CASE and subject_for(invitation.subject_kind) is None:
        raise LinkInvalid()
    if invitation.closed_at is not None:
        raise LinkUsed()
    return invitation


def rating_submit_by_link(*, token: str, level, tags=(), comment: str = "") -> Rating:
    """The holder of a valid signed link rates the answer it names, without logging in: 404 for
    a forged link, 410 for an expired one, 409 for one used already (or an answer rated in the
    site meanwhile). Appends ``rated``."""
    invitation = link_invitation(token)
    if invitation.subject_kind != SubjectKind.CASE:
        # A visit's link is the ticket slip's QR code, read in the hall: an on-site rating.
        return _rate_subject(
            invitation,
            level=level,
            tags=tags,
            comment=comment,
            source=Source.LINK,
            channel=Channel.WINDOW,
        )
    level, criteria, reasons, comment = _validate(level, tags, comment)
    with case_locked(invitation.application_id) as app:
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.closed_at is not None:
            raise LinkUsed()
        return _record(
            app,
            level=level,
            criteria=criteria,
            reasons=reasons,
            comment=comment,
            source=Source.LINK,
            actor=None,
            channel=Channel.SMS,
            invitation=invitation,
        )


# --- The sweep: reminder and default rating ------------------------------------------------


def invitation_remind(*, invitation_id: int, now: datetime | None = None) -> bool:
    """The one reminder to rate (``rating_reminded``: the applicant's notice carries the link)."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(skip_locked=True)
            .filter(pk=invitation_id, closed_at__isnull=True, reminded_at__isnull=True)
            .first()
        )
        if invitation is None or invitation.application_id is None:
            return False
        invitation.reminded_at = now
        invitation.save(update_fields=["reminded_at"])
        event_append(
            application=invitation.application_id,
            actor=None,
            action=EventAction.RATING_REMINDED,
            note=system_note(gettext_noop("Please rate how your case was handled.")),
            data={"invitation": invitation.pk, "round": invitation.round},
        )
    return True


def rating_default(*, invitation_id: int, now: datetime | None = None) -> Rating | None:
    """The system default rating of an answer left unrated for ``RATING_DEFAULT_DAYS``: level
    ``RATING_DEFAULT_LEVEL`` (see ``evaluations.conf`` for the rule), flagged ``is_default``,
    excluded from every figure; it never opens a rectification or reopens a case, and closes
    an answered case. None when the answer was rated meanwhile."""
    now = now or timezone.now()
    invitation = Invitation.objects.filter(pk=invitation_id, closed_at__isnull=True).first()
    if invitation is None or invitation.application_id is None:
        return None
    with case_locked(invitation.application_id) as app:
        invitation = (
            Invitation.objects.select_for_update().filter(pk=invitation.pk, closed_at=None).first()
        )
        if invitation is None:
            return None
        if invitation.round != current_round(app) or app.status not in RATABLE_STATUSES:
            # An answer that can no longer be rated: the invitation ends, so the sweep stops
            # handing it on.
            Invitation.objects.filter(pk=invitation.pk).update(closed_at=now)
            return None
        try:
            return _record(
                app,
                level=int(conf.get("RATING_DEFAULT_LEVEL")),
                criteria=[],
                reasons=[],
                comment="",
                source=Source.SYSTEM,
                actor=None,
                invitation=invitation,
                is_default=True,
                now=now,
            )
        except Conflict:
            Invitation.objects.filter(pk=invitation.pk).update(closed_at=now)
            return None


def invitations_sweep(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Find the invitations due for a reminder or the default rating (the partial index on open
    invitations by answer time) and hand each to the worker through the outbox."""
    from onestop.dispatch import enqueue_many

    now = now or timezone.now()
    # Cases only: a visit's owner invites in the hall; it gets no reminder or default here.
    open_rows = Invitation.objects.filter(closed_at__isnull=True, subject_kind=SubjectKind.CASE)
    default_before = now - timedelta(days=int(conf.get("RATING_DEFAULT_DAYS")))
    remind_before = now - timedelta(days=int(conf.get("RATING_REMINDER_DAYS")))
    defaults = list(
        open_rows.filter(answered_at__lte=default_before)
        .order_by("answered_at")
        .values_list("pk", flat=True)[:limit]
    )
    reminders = list(
        open_rows.filter(
            answered_at__lte=remind_before, answered_at__gt=default_before, reminded_at=None
        )
        .order_by("answered_at")
        .values_list("pk", flat=True)[:limit]
    )
    with transaction.atomic():
        enqueue_many("evaluations.invitation_remind", [(pk,) for pk in reminders])
        enqueue_many("evaluations.rating_default", [(pk,) for pk in defaults])
    return {"reminded": len(reminders), "defaulted": len(defaults)}


__all__ = ["subject_invitation_open", "subject_rating_submit", "subject_summary"]
