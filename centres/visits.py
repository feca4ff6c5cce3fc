"""A window visit rated 一次一评: the centres app plugs the queue ticket into the ratings app as
the rated object kind ``visit`` (``evaluations.subjects``, registered from
``CentresConfig.ready()``; evaluations never imports centres).

- What a visit's rating records (``ticket_facts``): the clerk who served it (rated staff), the
  department running the centre (the window's department: windows belong to the centre, whose
  clerks are that department's), the centre's region, the item, and the case entered at the
  visit, if any.
- When the clerk finishes a ticket, its invitation opens in the same transaction
  (``visit_finished``, called by ``queue.ticket_finish``).
- The ticket slip carries the visit's signed link from the start (``rating_url``): it names the
  ticket, answers "办理结束后可评价" until the visit is finished, then rates once.
- The window's rating pad (``centres.rating_views``) rates the visit the clerk just finished.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from centres.models import Ticket, TicketStatus
from evaluations import links
from evaluations.choices import SubjectKind
from evaluations.models import Invitation, Rating
from evaluations.services import subject_invitation_open
from evaluations.subjects import Subject, register_subject

KIND = SubjectKind.VISIT
# How long after "finish" the window's rating pad may rate the visit.
PAD_MINUTES = 30


def pad_minutes() -> int:
    return int(getattr(settings, "CENTRES_RATING_PAD_MINUTES", PAD_MINUTES))


def ticket_facts(ticket_id: int) -> dict[str, Any] | None:
    """What a rating of the visit records; None for a ticket that does not exist."""
    ticket = (
        Ticket.objects.select_related("centre", "centre__region", "window")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        return None
    return {
        "department_id": ticket.centre.department_id,
        "region_id": ticket.centre.region_id,
        "staff_id": ticket.served_by_id,
        "application_id": ticket.application_id,
        "item_id": ticket.item_id,
        "finished": ticket.status == TicketStatus.DONE,
        # A skipped ticket (no show) ends without a visit: its slip's link has nothing to rate.
        "void": ticket.status == TicketStatus.SKIPPED,
        # What the export shows of the visit (no personal data: a ticket is anonymous).
        "data": {
            "centre_code": ticket.centre.region.code,
            "centre_name": ticket.centre.name,
            "window": ticket.window.number if ticket.window_id else None,
            "ticket": ticket.code,
            "day": ticket.day.isoformat(),
        },
    }


def register() -> None:
    register_subject(Subject(kind=KIND, facts=ticket_facts))


def visit_finished(ticket: Ticket, *, at: datetime) -> Invitation:
    """Open the visit's invitation (the caller's transaction: the finish)."""
    return subject_invitation_open(kind=KIND, subject_id=ticket.pk, at=at)


def rating_path(ticket: Ticket | int) -> str:
    """The path of the visit's signed link (the slip's QR code): usable once it is finished."""
    return links.subject_link_path(KIND, getattr(ticket, "pk", ticket))


def rating_url(ticket: Ticket | int) -> str:
    """The same with the site's address (``RATING_LINK_BASE_URL``, or the path alone)."""
    return links.subject_link_url(KIND, getattr(ticket, "pk", ticket))


def visit_rating(ticket: Ticket | int) -> Rating | None:
    return Rating.objects.filter(
        subject_kind=KIND, subject_id=getattr(ticket, "pk", ticket)
    ).first()


def open_invitation(ticket: Ticket | int) -> Invitation | None:
    """The visit's invitation while it waits for a rating."""
    return Invitation.objects.filter(
        subject_kind=KIND, subject_id=getattr(ticket, "pk", ticket), closed_at__isnull=True
    ).first()
