"""Where the statistics read: the reporting database (``onestop.reporting``), a PostgreSQL
streaming replica when ``REPORTING_DATABASE_URL`` names one and the default database otherwise
(docs/scaling.md). The pages read only the read models, the catalogue and the ratings, never
the raw events, and never write through this alias."""

from collections.abc import Iterable

from django.db import connections

from onestop.reporting import reporting_alias as _reporting_alias

WRITE_ALIAS = "default"  # read models are written on the primary


def reporting_alias() -> str:
    return _reporting_alias()


def lock_keys(namespace: str, keys: Iterable[str]) -> None:
    """Serialise the read models' writers per key on PostgreSQL (SQLite writes one at a time
    anyway): one transaction-scoped advisory lock per distinct key of ``namespace``, taken in
    one statement in the keys' order, so two writers never deadlock. For ``stats.ingest``'s
    cases and ``stats.ratings``' (department, month) slices."""
    connection = connections[WRITE_ALIAS]
    keys = sorted(set(keys))
    if connection.vendor != "postgresql" or not keys:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s), k) "
            "FROM (SELECT DISTINCT hashtext(k) AS k FROM unnest(%s::text[]) AS k) AS keys "
            "ORDER BY k",
            [namespace, keys],
        )
