"""Reading figures without loading the primary (issue 13 item 6).

``settings.DATABASES["reporting"]`` is a PostgreSQL streaming replica when
``REPORTING_DATABASE_URL`` names one, and the default database otherwise. Code that reads
figures or exports asks for it explicitly::

    Application.objects.using(reporting_alias()).filter(...)

or wraps a block in ``reporting_reads()``, inside which the router sends every read to it
(related objects follow their instance's database). Writes always go to the primary, and the
replica is never migrated (it replays the primary's schema).

Without a replica ``reporting_alias()`` answers "default" itself: the same database through the
one connection a request already has (in tests that connection also sees the test's
transaction; the alias is ``TEST: {"MIRROR": "default"}`` for suites run with a replica URL).
``replica_status()`` says how far behind the replica is, for the pages that read it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

REPORTING = "reporting"
_reading: contextvars.ContextVar[bool] = contextvars.ContextVar("reporting_reads", default=False)


def reporting_alias() -> str:
    """The alias figures are read from: "reporting" when a replica is configured."""
    if getattr(settings, "REPORTING_DATABASE_URL", "") and REPORTING in settings.DATABASES:
        return REPORTING
    return "default"


@contextlib.contextmanager
def reporting_reads() -> Iterator[str]:
    """Within the block, the router sends reads to the reporting database."""
    token = _reading.set(True)
    try:
        yield reporting_alias()
    finally:
        _reading.reset(token)


class ReportingRouter:
    """Reads go to the reporting alias inside ``reporting_reads()``; everything else, and every
    write, to the default database. The reporting alias is never migrated."""

    def db_for_read(self, model, **hints):
        # None: Django's own choice (the instance's database for related objects, else default).
        return reporting_alias() if _reading.get() else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return {obj1._state.db, obj2._state.db} <= {"default", REPORTING, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPORTING else None


@dataclass(frozen=True)
class ReplicaStatus:
    """``replica``: reads come from a standby; ``lag_seconds``: how old its data may be
    (0 when it has replayed all it received, None when unknown or not a replica)."""

    alias: str
    replica: bool
    lag_seconds: float | None = None

    @property
    def lag_display(self) -> str:
        if self.lag_seconds is None:
            return ""
        return f"{self.lag_seconds:.0f}" if self.lag_seconds >= 1 else "<1"


_LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN NOT pg_is_in_recovery() THEN NULL
            WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END
"""


def replica_status(alias: str | None = None) -> ReplicaStatus:
    """One query on the reporting database (none on SQLite or without a replica)."""
    alias = alias or reporting_alias()
    connection = connections[alias]
    if alias == "default" or connection.vendor != "postgresql":
        return ReplicaStatus(alias=alias, replica=False)
    try:
        with connection.cursor() as cursor:
            cursor.execute(_LAG_SQL)
            in_recovery, lag = cursor.fetchone()
    except DatabaseError:
        return ReplicaStatus(alias=alias, replica=True, lag_seconds=None)
    return ReplicaStatus(
        alias=alias, replica=bool(in_recovery), lag_seconds=float(lag) if lag is not None else None
    )
