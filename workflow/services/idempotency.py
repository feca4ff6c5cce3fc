"""``Idempotency-Key`` (API.md, Conventions): a POST that creates or moves something, sent twice
with one key, acts once.

The key's row is INSERTED FIRST, under a unique (user, key), in its own short transaction: of
two concurrent requests with one key exactly one inserts it and acts; the other finds the row
and gets the stored answer, or 409 ``conflict`` while the first is still running, or 422
``idempotency_mismatch`` when its body differs. Bodies are compared as parsed data (JSON, or
the fields of a multipart form with each file by its sha256), never by raw bytes: a multipart
boundary changes with every retry. The first request stores its answer in the same transaction
as its act (``idempotent_run``), so an answer is never kept for an act that rolled back, and a
failed act frees the key for a retry.

Who may call: the API's views (``workflow.api``), for authenticated callers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, connections, router, transaction
from django.db.models.sql import UpdateQuery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow.exceptions import Conflict, WorkflowError
from workflow.models import IdempotentRequest

# A row still running after this long belongs to a request that died (no request holds a case
# lock that long: lock_timeout is seconds); a retry may take the key over.
STALE_AFTER = timedelta(minutes=10)
MAX_KEY_LENGTH = 200


class IdempotencyMismatch(WorkflowError):
    """The key was already used with another request (422 ``idempotency_mismatch``)."""

    code = "idempotency_mismatch"
    default_message = _("This Idempotency-Key was already used with another request.")

    def __init__(self) -> None:
        super().__init__(
            self.default_message,
            fields={"Idempotency-Key": [_("Use a new key for a new request.")]},
        )


class StillRunning(Conflict):
    """The first request with this key has not answered yet (409 ``conflict``)."""

    def __init__(self) -> None:
        super().__init__(_("A request with this Idempotency-Key is still being processed."))


def body_hash(payload: bytes) -> str:
    """The sha256 hex digest of some bytes."""
    return hashlib.sha256(payload or b"").hexdigest()


def _file_digest(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return "sha256:" + digest.hexdigest()


def _plain(value: Any) -> Any:
    if hasattr(value, "chunks") and hasattr(value, "seek"):  # an uploaded file
        return _file_digest(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def request_fingerprint(*, method: str, path: str, data: Any) -> str:
    """The hash a request is compared by: its method, path and PARSED body (a multipart form's
    fields with every file as its sha256), canonically ordered."""
    if hasattr(data, "lists"):  # a QueryDict (form or multipart): every value of every field
        data = {key: list(values) for key, values in data.lists()}
    canonical = json.dumps(
        {"method": method.upper(), "path": path, "data": _plain(data)},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return body_hash(canonical.encode())


@dataclass(frozen=True)
class Replay:
    """The stored first answer."""

    status_code: int
    data: Any


def _claim(*, user, key: str, fingerprint: str, method: str, path: str):
    """Insert the key's row (this request acts: the row) or read the one there (a ``Replay``);
    ``StillRunning`` / ``IdempotencyMismatch`` otherwise."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return IdempotentRequest.objects.create(
                    user=user, key=key, body_hash=fingerprint, method=method, path=path[:300]
                )
        except IntegrityError:
            pass
        row = IdempotentRequest.objects.filter(user=user, key=key).first()
        if row is None:  # the first request failed and freed the key meanwhile: try again
            continue
        if row.body_hash != fingerprint:
            raise IdempotencyMismatch()
        if row.status_code is not None:
            return Replay(status_code=row.status_code, data=row.response)
        # A request that died while running left its row: take the key over, exactly once.
        taken = IdempotentRequest.objects.filter(
            pk=row.pk, status_code__isnull=True, created_at__lt=timezone.now() - STALE_AFTER
        ).update(created_at=timezone.now())
        if taken:
            row.refresh_from_db()
            return row
        raise StillRunning()
    raise StillRunning()


def idempotent_run(
    *,
    user,
    key: str,
    method: str,
    path: str,
    data: Any,
    act: Callable[[], tuple[int, Any]],
    also: Callable[[int], tuple[str, list] | None] | None = None,
) -> tuple[int, Any, bool]:
    """Run ``act`` (which returns the answer's status code and JSON-able data) at most once
    for ``user`` and ``key``; answer ``(status_code, data, replayed)``.

    ``act`` runs in one transaction with the storing of its answer (a 5xx answer is not
    stored). When it raises, or answers 5xx, the key's row is deleted so a retry acts again.
    ``also(status_code)`` may give one more INSERT (SQL and parameters: the request's audit
    record, ``audit.records.insert_statement``) that is sent in the same statement as the
    storing of the answer. Raises ``StillRunning`` (409) and ``IdempotencyMismatch`` (422)."""
    fingerprint = request_fingerprint(method=method, path=path, data=data)
    claimed = _claim(user=user, key=key, fingerprint=fingerprint, method=method, path=path)
    if isinstance(claimed, Replay):
        return claimed.status_code, claimed.data, True
    try:
        with transaction.atomic():
            status_code, answer = act()
            if status_code >= 500:
                raise _ServerError(status_code, answer)
            _answer_stored(
                claimed.pk,
                {"status_code": status_code, "response": answer, "finished_at": timezone.now()},
                also(status_code) if also is not None else None,
            )
    except _ServerError as exc:
        IdempotentRequest.objects.filter(pk=claimed.pk).delete()
        return exc.status_code, exc.answer, False
    except BaseException:
        IdempotentRequest.objects.filter(pk=claimed.pk, status_code__isnull=True).delete()
        raise
    return status_code, answer, False


class _ServerError(Exception):
    def __init__(self, status_code: int, answer: Any) -> None:
        self.status_code = status_code
        self.answer = answer


def _answer_stored(pk: int, values: dict, insert: tuple[str, list] | None) -> None:
    """``UPDATE`` the key's row with its answer; with ``insert``, in one statement with it
    (``WITH answered AS (UPDATE …) INSERT …``: PostgreSQL runs both, atomically). SQLite (the
    demo's) has no data-modifying ``WITH``: there the two statements follow each other in the
    caller's transaction, just as atomic."""
    rows = IdempotentRequest.objects.filter(pk=pk)
    using = router.db_for_write(IdempotentRequest)
    if insert is None or connections[using].vendor != "postgresql":
        rows.update(**values)
        if insert is not None:
            with connections[using].cursor() as cursor:
                cursor.execute(*insert)
        return
    query = rows.query.chain(UpdateQuery)
    query.add_update_values(values)
    update_sql, update_params = query.get_compiler(using=using).as_sql()
    insert_sql, insert_params = insert
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"WITH answered AS ({update_sql}) {insert_sql}",
            [*update_params, *insert_params],
        )
