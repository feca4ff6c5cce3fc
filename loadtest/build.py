"""Filling the database Django is connected to with ``cases`` applications (``seed_load_fill``;
``seed_load`` runs it in the template database after ``migrate`` and ``seed_demo``).

Steps: extra prototypes (``loadtest.prototypes``), the catalogue grown to 200 items, 5,000 staff
and ``cases / 5`` citizens (``loadtest.people``), the copies (``loadtest.cloning``), ratings,
tickets, audit and outbox rows (``loadtest.extras``), sequences, ANALYZE.
"""

from __future__ import annotations

import time
from collections.abc import Callable

ITEMS = 200
STAFF = 5_000
CITIZENS_PER_CASE = 0.2
# How many copies each prototype gets, by its state: decided cases dominate three years.
WEIGHTS = {
    "approved": 12,
    "denied": 3,
    "not_accepted": 2,
    "answered": 8,
    "closed": 4,
    "withdrawn": 2,
    "draft": 1,
    "submitted": 1,
    "supplement": 1,
    "in_review": 2,
    "terminated": 1,
}
IN_FLIGHT = ("draft", "submitted", "supplement", "in_review")
THREE_YEARS_DAYS = 3 * 365
CHUNK = 20_000


def fill(cases: int, *, log: Callable[[str], None] = print) -> dict:
    from django.db import connection

    from permits.models import Application, ItemVersion, Person, ServiceItem

    from . import cloning, extras, people, prototypes

    started = time.monotonic()
    stats: dict = {"cases": cases}
    log("prototypes: extra states through the services")
    made = prototypes.make_prototypes()
    log(f"  made {len(made)}: {', '.join(made)}")
    log(f"catalogue: growing to {ITEMS} items (catalogue import)")
    from permits.management.commands.seed_demo import CHATTY_LOGGERS, quiet

    with quiet(CHATTY_LOGGERS):
        variants = prototypes.grow_catalogue(
            ITEMS, codes=set(Application.objects.values_list("item__code", flat=True))
        )
    protos = list(Application.objects.values_list("id", "status", "item__code", "item_version_id"))
    copies = max(0, cases - len(protos))
    citizens = max(1_000, int(cases * CITIZENS_PER_CASE))
    import psycopg2

    raw = psycopg2.connect(**connection.get_connection_params())
    with raw, raw.cursor() as cur:
        cur.execute("SET synchronous_commit TO off")
        # item → its copies, version → the copies' current versions (the variant v of case g
        # is g % nv, the same for its item and its version).
        items = {i.code: i for i in ServiceItem.objects.select_related("current_version")}
        cur.execute("DROP TABLE IF EXISTS _load_itemmap, _load_versionmap")
        cur.execute("CREATE UNLOGGED TABLE _load_itemmap (old bigint, v int, nv int, new bigint)")
        cur.execute(
            "CREATE UNLOGGED TABLE _load_versionmap (old bigint, v int, nv int, new bigint)"
        )
        item_rows, version_rows = [], []
        for code, codes in variants.items():
            original = items[code]
            for v, copy_code in enumerate(codes):
                item = items[copy_code]
                item_rows.append((original.pk, v, len(codes), item.pk))
                for version_id in ItemVersion.objects.filter(item=original).values_list(
                    "pk", flat=True
                ):
                    version_rows.append(
                        (version_id, v, len(codes), item.current_version_id or version_id)
                    )
        cur.executemany("INSERT INTO _load_itemmap VALUES (%s, %s, %s, %s)", item_rows)
        cur.executemany("INSERT INTO _load_versionmap VALUES (%s, %s, %s, %s)", version_rows)
        # One row per original (the variant of case g is g % nv), then (old, v) → new.
        cur.execute("DROP TABLE IF EXISTS _load_itemnv, _load_versionnv")
        cur.execute(
            "CREATE UNLOGGED TABLE _load_itemnv AS SELECT DISTINCT old, nv FROM _load_itemmap"
        )
        cur.execute(
            "CREATE UNLOGGED TABLE _load_versionnv AS SELECT DISTINCT old, nv FROM _load_versionmap"
        )
        for table in ("_load_itemmap", "_load_versionmap"):
            cur.execute(f"CREATE UNIQUE INDEX ON {table} (old, v)")
        log(f"people: {STAFF:,} staff, {citizens:,} citizens (COPY, personal data sealed)")
        people.make_staff(cur, STAFF, log=log)
        citizen_range = people.make_citizens(cur, citizens, log=log)
        # The applicants the copies replace: the demo's persons (and their accounts), on the
        # cases of a person only (``_load_copy.remap``); an enterprise's cases stay that
        # enterprise's, with its handler.
        cur.execute("DROP TABLE IF EXISTS _load_applicant_person, _load_applicant_user")
        cur.execute(
            "CREATE UNLOGGED TABLE _load_applicant_person AS SELECT p.id AS old"
            " FROM permits_person p WHERE p.id < %s",
            [citizen_range[0]],
        )
        cur.execute(
            "CREATE UNLOGGED TABLE _load_applicant_user AS SELECT p.user_id AS old"
            " FROM permits_person p WHERE p.id IN (SELECT old FROM _load_applicant_person)"
            " AND p.user_id IS NOT NULL"
        )
        # The copies: prototype, shift.
        weights = {pk: WEIGHTS.get(status, 1) for pk, status, _code, _v in protos}
        total = sum(weights.values())
        counts = {pk: copies * w // total for pk, w in weights.items()}
        for pk in list(counts)[: copies - sum(counts.values())]:
            counts[pk] += 1
        cur.execute("DROP TABLE IF EXISTS _load_copy")
        cur.execute(
            "CREATE UNLOGGED TABLE _load_copy (g int PRIMARY KEY, app_id bigint, shift interval)"
        )
        status_of = {pk: status for pk, status, _c, _v in protos}
        cur.execute("CREATE TEMP TABLE _load_counts (app_id bigint, n int, wide boolean)")
        cur.executemany(
            "INSERT INTO _load_counts VALUES (%s, %s, %s)",
            [(pk, n, status_of[pk] not in IN_FLIGHT) for pk, n in counts.items() if n],
        )
        cur.execute(
            """
            INSERT INTO _load_copy
            SELECT row_number() OVER (ORDER BY s, c.app_id), c.app_id,
                   CASE WHEN c.wide
                        THEN make_interval(days => ((s * 7919) %% %(days)s)::int,
                                           mins => ((s * 31) %% 600)::int)
                        ELSE make_interval(days => ((s * 7) %% 12)::int,
                                           mins => ((s * 31) %% 600)::int) END
              FROM _load_counts c CROSS JOIN LATERAL generate_series(1, c.n) AS s
            """,
            {"days": THREE_YEARS_DAYS},
        )
        cur.execute("CREATE INDEX ON _load_copy (app_id, g)")
        cur.execute("ALTER TABLE _load_copy ADD COLUMN remap boolean")
        cur.execute(
            "UPDATE _load_copy c SET remap = (a.applicant_enterprise_id IS NULL)"
            " FROM permits_application a WHERE a.id = c.app_id"
        )
        raw.commit()
        cloner = cloning.Cloner(cur, citizens=citizen_range, log=log)
        cloner.prepare_roots()
        log(f"cases: {copies:,} copies of {len(protos)} prototypes")
        cur.execute("SELECT pg_database_size(current_database())")
        stats["bytes_before_copies"] = cur.fetchone()[0]
        stats["copies"] = copies
        clone_started = time.monotonic()
        indexes = cloner.drop_indexes()
        raw.commit()
        # The copies are consistent by construction (and tests/loadtest checks it): the
        # deferred foreign-key triggers, one queued per row, are skipped while writing them.
        cur.execute("SET session_replication_role TO replica")
        stats["rows"] = cloner.write(copies, chunk=CHUNK, commit=raw.commit)
        cur.execute("SET session_replication_role TO DEFAULT")
        stats["clone_seconds"] = round(time.monotonic() - clone_started, 1)
        first_app = cloner.tables[Application].base + 1
        log("ratings, tickets, audit and outbox rows")
        stats["rows"]["evaluations_rating"] = extras.ratings(cur, first_app)
        stats["rows"]["centres_ticket"] = extras.tickets(cur, first_app)
        stats["rows"]["audit_auditrecord"] = extras.audit_rows(cur, first_app)
        stats["rows"]["outbox_outboxmessage"] = extras.outbox_rows(cur, first_app)
        for table in ("evaluations_rating", "centres_ticket", "outbox_outboxmessage"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # nosec B608 - table and column names come from the models, values are bound
                f" (SELECT coalesce(max(id), 1) FROM {table}))"
            )
        cur.execute(
            "SELECT setval('audit_auditrecord_id_seq', (SELECT max(id) FROM audit_auditrecord))"
        )
        cloner.reset_sequences()
        cloner.drop_roots()
        raw.commit()
        log(f"indexes: building {len(indexes)} again")
        cloner.create_indexes(indexes)
        stats["index_seconds"] = round(time.monotonic() - clone_started - stats["clone_seconds"], 1)
        cur.execute(
            "DROP TABLE IF EXISTS _load_copy, _load_itemmap, _load_versionmap, _load_usermap,"
            " _load_itemnv, _load_versionnv,"
            " _load_applicant_person, _load_applicant_user"
        )
        raw.commit()
    raw.close()
    with connection.cursor() as cursor:
        log("ANALYZE")
        cursor.execute("ANALYZE")
    stats["seconds"] = round(time.monotonic() - started, 1)
    stats["applications"] = Application.objects.count()
    stats["persons"] = Person.objects.count()
    return stats
