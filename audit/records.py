"""Writing to the audit log: :func:`record` is the only writer.

A row is inserted in the caller's transaction (a role change that rolls back was not made, so
its record goes with it); the request middleware writes after the response, outside any
transaction. Writers never read or lock the chain: the sealer orders and chains the rows later
(``audit.chain``), so a busy site does not queue every write behind one lock.

Personal data does not belong in the log: callers pass masked values, and as a safety net
every string in ``detail`` is scrubbed of what looks like a resident ID or mobile number.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.db import DatabaseError, transaction

from onestop.clientip import client_ip

from .models import AuditCategory, AuditRecord

logger = logging.getLogger("onestop.audit")

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_MAX_TEXT = 500


def scrub(value: Any) -> Any:
    """``value`` with ID and mobile numbers masked in every string it holds, strings cut short."""
    if isinstance(value, str):
        value = _ID_NUMBER.sub(r"\1********\2", value)
        return _PHONE.sub(r"\1****\2", value)[:_MAX_TEXT]
    if isinstance(value, dict):
        return {str(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return scrub(str(value))


def _actor(actor: Any) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, ""
    return actor.pk, str(actor.get_username())[:150]


def record(
    category: str,
    action: str,
    *,
    actor: Any = None,
    request: Any = None,
    target: Any = None,
    object_type: str = "",
    object_id: Any = "",
    status_code: int | None = None,
    detail: dict | None = None,
) -> AuditRecord:
    """Append one record. ``target`` is a model instance (its label and pk are stored);
    ``request`` gives the trusted client address and, without ``actor``, the user."""
    row = _row(
        category,
        action,
        actor=actor,
        request=request,
        target=target,
        object_type=object_type,
        object_id=object_id,
        status_code=status_code,
        detail=detail,
    )
    row.save(force_insert=True)
    return row


def insert_statement(category: str, action: str, **kwargs) -> tuple[str, list]:
    """The SQL and parameters that insert the record :func:`record` would (same arguments),
    for a writer that sends it in one statement with its own write (``WITH … INSERT``): the
    Idempotency-Key's answer and the request's record in one query (``workflow.api``)."""
    from django.db import connections, router
    from django.db.models.sql import InsertQuery

    row = _row(category, action, **kwargs)
    using = router.db_for_write(AuditRecord)
    fields = [f for f in AuditRecord._meta.concrete_fields if not f.primary_key]
    query = InsertQuery(AuditRecord)
    query.insert_values(fields, [row])
    ((sql, params),) = query.get_compiler(using=using, connection=connections[using]).as_sql()
    return sql, list(params)


def _row(
    category: str,
    action: str,
    *,
    actor: Any = None,
    request: Any = None,
    target: Any = None,
    object_type: str = "",
    object_id: Any = "",
    status_code: int | None = None,
    detail: dict | None = None,
) -> AuditRecord:
    if category not in AuditCategory.values:
        raise ValueError(f"unknown audit category {category!r}")
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    actor_id, actor_label = _actor(actor)
    if target is not None:
        object_type = object_type or target._meta.label
        object_id = object_id or target.pk
    return AuditRecord(
        category=category,
        action=action[:100],
        actor_id=actor_id,
        actor_label=actor_label,
        client_ip=client_ip(request)[:45] if request is not None else "",
        method=(getattr(request, "method", "") or "")[:10] if request is not None else "",
        path=(getattr(request, "path", "") or "")[:300] if request is not None else "",
        status_code=status_code,
        object_type=str(object_type)[:100],
        object_id=str(object_id or "")[:64],
        detail=scrub(detail or {}),
    )


def record_safely(category: str, action: str, **kwargs) -> AuditRecord | None:
    """:func:`record` for callers that must not fail because the log could not be written (the
    request middleware, signal receivers of a login): the failure is logged at ERROR instead.
    A savepoint keeps a caller's transaction usable when the insert fails."""
    try:
        with transaction.atomic():
            return record(category, action, **kwargs)
    except DatabaseError:
        logger.exception("audit record %s/%s could not be written", category, action)
        return None
