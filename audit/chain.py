"""The hash chain over the audit log: the sealer and the verifier.

Writers insert rows without any lock (``records.record``). The sealer, one at a time (a
PostgreSQL advisory lock; elsewhere the row locks of the batch), takes the unsealed rows in id
order once they are ``AUDIT_SEAL_SETTLE_SECONDS`` old, and gives each the next ``chain_index``,
the hash of the row sealed before it (``prev_hash``) and its own hash::

    row_hash = HMAC-SHA256(AUDIT_CHAIN_KEY, prev_hash | canonical JSON of the row's content)

A keyed hash: someone who can edit the table but does not hold the key cannot re-chain the rows
after an edit. The chain follows the order of sealing, so a row whose transaction committed
late is chained when it appears, not lost behind a higher id.

:func:`verify` walks the chain and finds an edited row (its hash no longer matches), a deleted
row (a gap in ``chain_index``, or a ``prev_hash`` that is not the hash before it), an inserted
row (forged chain values do not hash right; unforged ones stay unsealed and are reported once
older than ``AUDIT_UNSEALED_ALARM_SECONDS``) and a dropped month that the retention command
did not drop (no checkpoint matches where the remaining chain starts).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import AuditCheckpoint, AuditRecord

logger = logging.getLogger("onestop.audit")

GENESIS = "0" * 64
_SEAL_LOCK = 0x41554454  # "AUDT": the advisory lock of the one sealer at a time
CONTENT_FIELDS = (
    "id",
    "at",
    "category",
    "action",
    "actor_id",
    "actor_label",
    "client_ip",
    "method",
    "path",
    "status_code",
    "object_type",
    "object_id",
    "detail",
)


def _key() -> bytes:
    return settings.AUDIT_CHAIN_KEY.encode()


def content(row: AuditRecord) -> bytes:
    """The row's content as canonical JSON (sorted keys, UTC microsecond time)."""
    data = {name: getattr(row, name) for name in CONTENT_FIELDS}
    data["at"] = row.at.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def row_hash(prev_hash: str, row: AuditRecord) -> str:
    return hmac.new(_key(), prev_hash.encode() + b"|" + content(row), hashlib.sha256).hexdigest()


def _chain_head() -> tuple[int, str]:
    last = (
        AuditRecord.objects.filter(chain_index__isnull=False)
        .order_by("-chain_index")
        .values_list("chain_index", "row_hash")
        .first()
    )
    if last is not None:
        return last
    checkpoint = AuditCheckpoint.objects.order_by("-last_chain_index").first()
    if checkpoint is not None:
        return checkpoint.last_chain_index, checkpoint.last_hash
    return 0, GENESIS


def _one_sealer() -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_SEAL_LOCK])
        return bool(cursor.fetchone()[0])


def seal(*, limit: int = 5000, now=None, settle_seconds: int | None = None) -> int:
    """Chain the unsealed rows that have settled; the number sealed. Another sealer already at
    work makes this one return 0 at once. ``settle_seconds=0`` seals every committed row (the
    backup does, so the head it records is the last row)."""
    now = now or timezone.now()
    if settle_seconds is None:
        settle_seconds = settings.AUDIT_SEAL_SETTLE_SECONDS
    settled = now - timedelta(seconds=settle_seconds)
    with transaction.atomic():
        if not _one_sealer():
            return 0
        rows = list(
            AuditRecord.objects.select_for_update()
            .filter(sealed_at__isnull=True, at__lte=settled)
            .order_by("id")[:limit]
        )
        if not rows:
            return 0
        index, prev = _chain_head()
        for row in rows:
            index += 1
            row.chain_index = index
            row.prev_hash = prev
            row.row_hash = prev = row_hash(prev, row)
            row.sealed_at = now
        AuditRecord.objects.bulk_update(
            rows, ["chain_index", "prev_hash", "row_hash", "sealed_at"], batch_size=1000
        )
    return len(rows)


@dataclass
class Verification:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    unsealed_late: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unsealed_late


def walk(rows, *, checkpoint_hash) -> Verification:
    """Check ``rows`` (sealed, in ``chain_index``, id order); ``checkpoint_hash(index)`` is the
    hash a retention checkpoint recorded at that position, or None."""
    result = Verification()
    expected_index, expected_prev = 1, GENESIS
    first = True
    for row in rows:
        if first:
            first = False
            if row.chain_index != 1:
                if checkpoint_hash(row.chain_index - 1) != row.prev_hash:
                    result.problems.append(
                        f"the chain starts at position {row.chain_index} and no retention "
                        f"checkpoint ends right before it: rows were removed"
                    )
                expected_index, expected_prev = row.chain_index, row.prev_hash
        if row.chain_index < expected_index:
            result.problems.append(
                f"row {row.id} repeats position {row.chain_index} (an inserted row)"
            )
        elif row.chain_index != expected_index:
            result.problems.append(
                f"positions {expected_index}–{row.chain_index - 1} are missing (deleted rows)"
            )
        elif row.prev_hash != expected_prev:
            result.problems.append(
                f"row {row.id} (position {row.chain_index}) does not follow the row before it"
            )
        if row.row_hash != row_hash(row.prev_hash, row):
            result.problems.append(
                f"row {row.id} (position {row.chain_index}) was changed after sealing"
            )
        expected_index = max(expected_index, row.chain_index + 1)
        expected_prev = row.row_hash
        result.checked += 1
    return result


def verify(*, now=None, batch: int = 2000, using: str = "default") -> Verification:
    """Walk the whole chain in ``chain_index`` order; see the module's docstring."""
    now = now or timezone.now()
    records = AuditRecord.objects.using(using)
    sealed = records.filter(chain_index__isnull=False).order_by("chain_index", "id")
    checkpoints = AuditCheckpoint.objects.using(using)
    result = walk(
        sealed.iterator(chunk_size=batch),
        checkpoint_hash=lambda index: (
            checkpoints.filter(last_chain_index=index).values_list("last_hash", flat=True).first()
        ),
    )
    alarm = now - timedelta(seconds=settings.AUDIT_UNSEALED_ALARM_SECONDS)
    result.unsealed_late = records.filter(sealed_at__isnull=True, at__lt=alarm).count()
    if result.unsealed_late:
        logger.error(
            "audit: %s rows unsealed for more than %s s (is the sealer running?)",
            result.unsealed_late,
            settings.AUDIT_UNSEALED_ALARM_SECONDS,
        )
    for problem in result.problems:
        logger.error("audit chain: %s", problem)
    return result
