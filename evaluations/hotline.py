"""A rating phoned in to the 12345 hotline (评价渠道 ``hotline``): the operator records, for the
caller, the rating of a case's current answer — once per answer, like every rating.

Who: a 12345 operator (a clerk or the head of a coordinating office, ``workflow.access``), for
a case of their office's region. The caller is identified by the phone on the case: the
applicant's own phone, the hotline caller's, or the enterprise handler's must match the number
the operator enters (their lookup hashes: the phones are encrypted at rest). Anything else —
an unknown number, a phone that does not match, a case outside the region — answers the same
``NotFound``, so the page reveals nothing about cases. The rating records ``source`` and
``channel`` ``hotline``, the operator as ``recorded_by`` (never as the one who rated), and the
``rated`` event names the operator."""

from __future__ import annotations

from django.db.models import Q

from onestop.errors import NotFound
from onestop.pii import lookup_hashes
from permits.models import Application
from workflow import access
from workflow.intake.phones import normalise_phone
from workflow.services.locking import case_locked

from . import services
from .choices import Channel, Source
from .models import Rating
from .validation import validate


def _case_of_caller(number: str, phone: str) -> Application | None:
    phone = normalise_phone(phone)
    if not phone or not number:
        return None
    hashes = lookup_hashes(phone)
    return (
        Application.objects.filter(number=str(number).strip())
        .filter(
            Q(applicant_person__phone_hash__in=hashes)
            | Q(caller_phone_hash__in=hashes)
            | Q(handler__phone_hash__in=hashes)
        )
        .first()
    )


def rating_record_by_hotline(
    *, actor, number: str, caller_phone: str, level, tags=(), comment: str = ""
) -> Rating:
    """Record the rating a caller phoned in for case ``number`` (see the module)."""
    if not access.can_record_phoned_ratings(actor):
        raise NotFound()
    level, criteria, reasons, comment = validate(level, tags, comment)
    app = _case_of_caller(number, caller_phone)
    if app is None or not access.can_record_phoned_rating(actor, app):
        raise NotFound()
    with case_locked(app.pk) as app:
        return services._record(
            app,
            level=level,
            criteria=criteria,
            reasons=reasons,
            comment=comment,
            source=Source.HOTLINE,
            channel=Channel.HOTLINE,
            actor=actor,
            recorded_by=actor,
        )
