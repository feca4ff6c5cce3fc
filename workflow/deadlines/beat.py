"""Only one Celery beat schedules at a time.

``SingleBeatScheduler`` (``CELERY_BEAT_SCHEDULER``) sends nothing until it holds the beat lock:
on PostgreSQL a session advisory lock on a connection of its own (released by the server the
moment the holder dies), elsewhere (the SQLite demo) a lease row in ``workflow_beatlock`` that
the holder renews on every tick. A second beat started by mistake just waits; and because the
sweep itself is idempotent, even two beats sending would change nothing twice.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
import zlib
from datetime import timedelta

from celery.beat import PersistentScheduler
from django.db import IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger("workflow.beat")

LOCK_NAME = "celery-beat"
RETRY_SECONDS = 5.0


class AdvisoryLock:
    """A PostgreSQL session advisory lock held on a dedicated connection."""

    def __init__(self, name: str = LOCK_NAME, alias: str = "default") -> None:
        self.alias = alias
        self.key = zlib.crc32(f"onestop:{name}".encode())
        self._conn = None
        self.held = False

    def _connection(self):
        if self._conn is None:
            self._conn = connections.create_connection(self.alias)
            self._conn.inc_thread_sharing()
        return self._conn

    def acquire(self) -> bool:
        try:
            with self._connection().cursor() as cursor:
                if self.held:
                    cursor.execute("SELECT 1")  # still connected, hence still holding it
                    return True
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [self.key])
                self.held = bool(cursor.fetchone()[0])
        except Exception:
            logger.warning("beat lock connection lost; trying again", exc_info=True)
            self.release()
            return False
        return self.held

    def release(self) -> None:
        conn, held, self._conn, self.held = self._conn, self.held, None, False
        if conn is None:
            return
        try:
            if held:
                # Unlock explicitly: the server ends a closed session's backend (and frees its
                # locks) a moment later, and another beat asking right then would be refused.
                with conn.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [self.key])
        except Exception:
            logger.debug("unlocking the beat lock failed", exc_info=True)
        try:
            conn.close()  # a crash closes the session too, which releases the lock
        except Exception:
            logger.debug("closing the beat lock connection failed", exc_info=True)


class LeaseLock:
    """A lease row: held while renewed before it expires."""

    def __init__(self, name: str = LOCK_NAME, lease_seconds: float = 90.0) -> None:
        self.name = name
        self.lease = timedelta(seconds=lease_seconds)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.held = False

    def acquire(self) -> bool:
        from workflow.models import BeatLock

        now = timezone.now()
        try:
            updated = (
                BeatLock.objects.filter(name=self.name)
                .filter(Q(holder=self.holder) | Q(expires_at__lt=now))
                .update(holder=self.holder, expires_at=now + self.lease)
            )
            if not updated:
                try:
                    with transaction.atomic():
                        BeatLock.objects.create(
                            name=self.name, holder=self.holder, expires_at=now + self.lease
                        )
                    updated = 1
                except IntegrityError:
                    updated = 0
        except Exception:
            logger.warning("beat lease could not be renewed", exc_info=True)
            updated = 0
        self.held = bool(updated)
        return self.held

    def release(self) -> None:
        from workflow.models import BeatLock

        if self.held:
            try:
                BeatLock.objects.filter(name=self.name, holder=self.holder).delete()
            except Exception:
                logger.debug("releasing the beat lease failed", exc_info=True)
        self.held = False


def make_lock(name: str = LOCK_NAME, alias: str = "default"):
    if connections[alias].vendor == "postgresql":
        return AdvisoryLock(name, alias)
    return LeaseLock(name)


class SingleBeatScheduler(PersistentScheduler):
    def __init__(self, *args, **kwargs) -> None:
        self._beat_lock = make_lock()
        self._was_leader = False
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        if not self._beat_lock.acquire():
            if self._was_leader:
                logger.warning("lost the beat lock; another beat schedules now")
            self._was_leader = False
            return min(RETRY_SECONDS, self.max_interval)
        if not self._was_leader:
            logger.info("holding the beat lock: this beat schedules")
            self._was_leader = True
        return super().tick(*args, **kwargs)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._beat_lock.release()
