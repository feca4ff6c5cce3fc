"""The personal-data access log (issue 12 item 5): who saw whose full data, when, for which case.

:func:`record_access` is the only writer: it writes a :class:`~audit.models.DataAccess` row (which
the citizen reads, :func:`accesses_of_person`) and an audit record of category ``data`` in the
same transaction. It fails loudly: a view of personal data that cannot be logged is not served
(the caller's request answers 500 rather than showing the data unrecorded).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from onestop.clientip import client_ip

from .models import AuditCategory, DataAccess, DataAccessKind
from .records import record, scrub


def _name_of(user: Any) -> str:
    full = ""
    if hasattr(user, "get_full_name"):
        full = (user.get_full_name() or "").strip()
    return (full or str(user.get_username()))[:150]


def record_access(
    *,
    kind: str,
    actor: Any,
    request: Any = None,
    person_ids: Iterable[int | None] = (),
    application_number: str = "",
    what: str = "",
    organisation: str = "",
) -> list[DataAccess]:
    """Log one access by ``actor`` (an authenticated user) to the data of ``person_ids`` (one row
    each; one row with no person for an export about nobody in particular). ``what`` names what
    was seen (field labels, a material's name, an export's name), never the values."""
    if kind not in DataAccessKind.values:
        raise ValueError(f"unknown data access kind {kind!r}")
    people = sorted({pk for pk in person_ids if pk is not None}) or [None]
    address = client_ip(request)[:45] if request is not None else ""
    what = str(scrub(what))[:300]
    common = {
        "kind": kind,
        "actor_id": getattr(actor, "pk", None),
        "actor_label": str(actor.get_username())[:150] if actor is not None else "",
        "actor_name": _name_of(actor) if actor is not None else "",
        "organisation": organisation[:300],
        "application_number": application_number[:20],
        "what": what,
        "client_ip": address,
    }
    with transaction.atomic():
        rows = [DataAccess.objects.create(person_id=pk, **common) for pk in people]
        record(
            AuditCategory.DATA,
            f"data.{kind}",
            actor=actor,
            request=request,
            object_type="permits.Application" if application_number else "",
            object_id=application_number,
            detail={"persons": [pk for pk in people if pk is not None], "what": what},
        )
    return rows


def accesses_of_person(person_id: int, *, exclude_actor_id: int | None = None) -> QuerySet:
    """The log rows about one person, newest first (for their account page); ``exclude_actor_id``
    leaves out the person's own looks at their own data."""
    qs = DataAccess.objects.filter(person_id=person_id)
    if exclude_actor_id is not None:
        qs = qs.exclude(actor_id=exclude_actor_id)
    return qs.order_by("-at", "-id")
