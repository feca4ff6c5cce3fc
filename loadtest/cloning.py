"""Multiplying prototype cases in SQL (the bulk of ``seed_load``).

The prototypes are real cases, made and moved through the workflow services (``seed_demo``'s
cases in flight and ``loadtest.prototypes``), so every row of theirs — the application, its
department rows, CaseTask rows, viewflow process and task rows (with ``previous`` links),
events, materials, notices, deadline marks, notifications, invitations — is what production
writes. Each copy ``g`` (1 … M) of a prototype is written by one ``INSERT … SELECT`` per table
and chunk of copies, never a row at a time:

- the case's own rows get new ids ``base + g * stride + j`` (``j``: the row's rank among its
  case's rows in that table, ``stride``: the most rows one case has there), and every foreign
  key to one of them is rewritten the same way, so a copy's rows point at each other;
- its item and item version become one of the item's copies (``_load_itemmap``: 200 items,
  sharing versions: every case of an item points at the item's one version);
- its applicant becomes one of the generated citizens, its staff (assignees, actors) one of the
  generated staff with the same department, role and stage (``_load_usermap``);
- every date and time moves back by the copy's shift (decided cases over three years, cases in
  flight over the last days, so their clocks show every colour);
- unique text columns (the case number, certificate numbers, codes) get the copy's number.

Which tables belong to a case is read from the models (every model with a foreign key to the
application, viewflow's process or a model already in the set), so a model added later is
copied too. The mapping tables are ``_load_*`` tables, dropped at the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

# Models that point at a case but are not the case's own rows.
# Not copied with their case: enterprises (shared), and the ratings with their rectifications,
# which ``loadtest.extras.ratings`` makes for the copies (a prototype's rating names its case
# in a generic subject id the copy could not re-point).
NOT_CASE_ROWS = {
    ("permits", "enterprise"),
    ("evaluations", "rating"),
    ("evaluations", "rectification"),
}


@dataclass
class Table:
    model: type
    table: str
    pk: str
    base: int = 0
    stride: int = 1
    rooted: bool = False
    columns: list[str] = field(default_factory=list)


def case_models() -> list:
    """The models whose rows belong to a case, parents before children (non-null foreign keys;
    nullable back-references such as a process's parent task are ignored for the order)."""
    from django.apps import apps

    application = apps.get_model("permits", "Application")
    process = apps.get_model("viewflow", "Process")
    owned = [application, process]
    changed = True
    while changed:
        changed = False
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if model in owned or meta.proxy or not meta.managed:
                continue
            if (meta.app_label, meta.model_name) in NOT_CASE_ROWS:
                continue
            if any(f.is_relation and f.related_model in owned for f in meta.local_concrete_fields):
                owned.append(model)
                changed = True
    ordered: list = []
    while len(ordered) < len(owned):
        for model in owned:
            if model in ordered:
                continue
            parents = {
                f.related_model
                for f in model._meta.local_concrete_fields
                if f.is_relation and not f.null and f.related_model in owned
            } - {model}
            if model is process or parents <= set(ordered):
                ordered.append(model)
                break
        else:  # pragma: no cover - a cycle of non-null keys
            raise RuntimeError("case tables form a cycle of non-null foreign keys")
    return ordered


def _unique_text_columns(model) -> set[str]:
    from django.db import models

    names = {
        f.column
        for f in model._meta.local_concrete_fields
        if f.unique and not f.primary_key and isinstance(f, (models.CharField, models.TextField))
    }
    for constraint in model._meta.constraints:
        fields = getattr(constraint, "fields", ())
        if isinstance(constraint, models.UniqueConstraint) and len(fields) == 1:
            f = model._meta.get_field(fields[0])
            if isinstance(f, (models.CharField, models.TextField)):
                names.add(f.column)
    return names


class Cloner:
    """Writes copies 1 … ``copies`` of the prototypes listed in ``_load_copy``."""

    def __init__(self, cursor, *, citizens: tuple[int, int, int], log: Callable[[str], None]):
        from django.contrib.auth import get_user_model
        from django.contrib.contenttypes.models import ContentType

        from permits.models import Application, ItemVersion, Person, ServiceItem

        self.cursor = cursor
        self.log = log
        self.user_model = get_user_model()
        self.person_model, self.item_model, self.version_model = Person, ServiceItem, ItemVersion
        self.app_model = Application
        self.app_ct = ContentType.objects.get_for_model(Application).pk
        self.person_base, self.user_base, self.citizen_count = citizens
        self.tables: dict[type, Table] = {}
        for model in case_models():
            meta = model._meta
            self.tables[model] = Table(
                model=model,
                table=meta.db_table,
                pk=meta.pk.column,
                columns=[f.column for f in meta.local_concrete_fields],
            )

    # --- the rank of each prototype row within its case ----------------------------------

    def prepare_roots(self) -> None:
        from django.apps import apps

        cur = self.cursor
        process = apps.get_model("viewflow", "Process")
        for model, t in self.tables.items():
            root = f"_load_root_{t.table}"
            cur.execute(f"DROP TABLE IF EXISTS {root}")
            if model is self.app_model:
                source = f"SELECT id, id AS app_id FROM {t.table}"  # nosec B608 - table and column names come from the models, values are bound
            elif model is process:
                source = (
                    "SELECT process_ptr_id AS id, application_id AS app_id"
                    " FROM workflow_caseprocess"
                )
            else:
                joins, apps_ = [], []
                for n, f in enumerate(model._meta.local_concrete_fields):
                    parent = self.tables.get(f.related_model) if f.is_relation else None
                    if parent is None or not parent.rooted:
                        continue
                    joins.append(
                        f"LEFT JOIN _load_root_{parent.table} r{n} ON r{n}.id = t.{f.column}"
                    )
                    apps_.append(f"r{n}.app_id")
                if not apps_:
                    continue
                source = (
                    f"SELECT t.{t.pk} AS id, COALESCE({', '.join(apps_) + ', NULL'}) AS app_id"  # nosec B608 - table and column names come from the models, values are bound
                    f" FROM {t.table} t {' '.join(joins)}"
                )
            cur.execute(
                f"CREATE UNLOGGED TABLE {root} AS SELECT id, app_id,"  # nosec B608 - table and column names come from the models, values are bound
                f" (row_number() OVER (PARTITION BY app_id ORDER BY id) - 1)::int AS j"
                f" FROM ({source}) s WHERE app_id IS NOT NULL"
                f" AND app_id IN (SELECT app_id FROM _load_copy)"
            )
            cur.execute(f"CREATE UNIQUE INDEX ON {root} (id)")
            cur.execute(f"SELECT coalesce(max(j) + 1, 1) FROM {root}")  # nosec B608 - table and column names come from the models, values are bound
            t.stride = cur.fetchone()[0]
            if not model._meta.pk.is_relation:
                cur.execute(f"SELECT coalesce(max({t.pk}), 0) FROM {t.table}")  # nosec B608 - table and column names come from the models, values are bound
                t.base = cur.fetchone()[0]
            t.rooted = True

    # --- the column expressions --------------------------------------------------------

    def _new_id(self, t: Table, alias: str) -> str:
        return f"({t.base} + c.g::bigint * {t.stride} + {alias}.j)"

    def app_id(self, column: str) -> str:
        app = self.tables[self.app_model]
        return f"({app.base} + c.g::bigint)"  # one row per case: j is 0

    def select(self, t: Table) -> tuple[str, str]:
        from django.db import models

        user_model, person_model = self.user_model, self.person_model
        exprs = []
        joins = [
            f"JOIN _load_root_{t.table} r ON r.id = t.{t.pk}",
            "JOIN _load_copy c ON c.app_id = r.app_id",
        ]
        unique = _unique_text_columns(t.model)
        fields = {f.column: f for f in t.model._meta.local_concrete_fields}
        persons = "(SELECT old FROM _load_applicant_person)"
        users = "(SELECT old FROM _load_applicant_user)"
        for n, (column, f) in enumerate(fields.items()):
            col = f't."{column}"'
            parent = self.tables.get(f.related_model) if f.is_relation else None
            if f.primary_key and not f.is_relation:
                expr = self._new_id(t, "r")
            elif parent is not None:
                if parent.model is self.app_model:
                    expr = f"CASE WHEN {col} IS NULL THEN NULL ELSE {self.app_id(col)} END"
                else:
                    joins.append(f"LEFT JOIN _load_root_{parent.table} p{n} ON p{n}.id = {col}")
                    expr = (
                        f"CASE WHEN p{n}.j IS NULL THEN {col}"
                        f" ELSE {parent.base} + c.g::bigint * {parent.stride} + p{n}.j END"
                    )
                    if parent.model._meta.pk.is_relation:  # caseprocess → its process's ids
                        proc = self.tables[parent.model._meta.pk.related_model]
                        expr = (
                            f"CASE WHEN p{n}.j IS NULL THEN {col}"
                            f" ELSE {proc.base} + c.g::bigint * {proc.stride} + p{n}.j END"
                        )
            elif f.is_relation and f.related_model is user_model:
                joins.append(f"LEFT JOIN _load_usermap u{n} ON u{n}.old = {col}")
                expr = (
                    f"COALESCE(u{n}.first + c.g % u{n}.k, CASE WHEN c.remap AND {col} IN {users}"
                    f" THEN {self.user_base} + c.g % {self.citizen_count} ELSE {col} END)"
                )
            elif f.is_relation and f.related_model is person_model:
                expr = (
                    f"CASE WHEN c.remap AND {col} IN {persons}"
                    f" THEN {self.person_base} + c.g % {self.citizen_count} ELSE {col} END"
                )
            elif f.is_relation and f.related_model is self.item_model:
                joins.append(
                    f"LEFT JOIN _load_itemnv in{n} ON in{n}.old = {col}"
                    f" LEFT JOIN _load_itemmap i{n} ON i{n}.old = {col}"
                    f" AND i{n}.v = c.g % in{n}.nv"
                )
                expr = f"COALESCE(i{n}.new, {col})"
            elif f.is_relation and f.related_model is self.version_model:
                joins.append(
                    f"LEFT JOIN _load_versionnv vn{n} ON vn{n}.old = {col}"
                    f" LEFT JOIN _load_versionmap v{n} ON v{n}.old = {col}"
                    f" AND v{n}.v = c.g % vn{n}.nv"
                )
                expr = f"COALESCE(v{n}.new, {col})"
            elif (
                column.endswith("_object_id")
                and column[: -len("object_id")] + "content_type_id" in fields
            ):
                ct = "t." + column[: -len("object_id")] + "content_type_id"
                expr = (
                    f"CASE WHEN {ct} = {self.app_ct} AND {col} IS NOT NULL"
                    f" THEN ({self.app_id(col)})::text ELSE {col} END"
                )
                if isinstance(f, (models.IntegerField, models.BigIntegerField)):
                    expr = f"CASE WHEN {ct} = {self.app_ct} THEN {self.app_id(col)} ELSE {col} END"
            elif column == "subject_id" and "subject_kind" in fields and "application_id" in fields:
                expr = (
                    f"CASE WHEN t.application_id IS NOT NULL THEN {self.app_id(col)} ELSE {col} END"
                )
            elif isinstance(f, models.DateTimeField):
                expr = f"{col} - c.shift"
            elif isinstance(f, models.DateField):
                expr = f"({col} - c.shift)::date"
            elif t.model is self.app_model and column == "number":
                expr = (
                    "'YF' || to_char((t.created_at - c.shift) AT TIME ZONE 'Asia/Shanghai',"
                    f" 'YYYYMMDD') || lpad(({self._new_id(t, 'r')})::text, 10, '0')"
                )
            elif column in unique:
                width = getattr(f, "max_length", None) or 64
                expr = (
                    f"CASE WHEN {col} = '' THEN {col} ELSE"
                    f" left({col}, {max(width - 9, 1)}) || '-' || lpad(to_hex(c.g), 8, '0') END"
                )
            else:
                expr = col
            exprs.append(expr)
        return ", ".join(exprs), " ".join(joins)

    # --- writing ------------------------------------------------------------------------

    def write(self, copies: int, *, chunk: int, commit: Callable[[], None]) -> dict[str, int]:
        cur = self.cursor
        statements = []
        for t in self.tables.values():
            if not t.rooted:
                continue
            exprs, joins = self.select(t)
            cols = ", ".join(f'"{c}"' for c in t.columns)
            statements.append(
                (
                    t.table,
                    f"INSERT INTO {t.table} ({cols}) SELECT {exprs} FROM {t.table} t {joins}"  # nosec B608 - table and column names come from the models, values are bound
                    " WHERE c.g BETWEEN {low} AND {high}",
                )
            )
        rows: dict[str, int] = {}
        started = time.monotonic()
        for low in range(1, copies + 1, chunk):
            high = min(copies, low + chunk - 1)
            for table, sql in statements:
                cur.execute(sql.format(low=low, high=high))
                rows[table] = rows.get(table, 0) + cur.rowcount
            commit()
            elapsed = time.monotonic() - started
            rate = high / elapsed if elapsed else 0
            left = (copies - high) / rate if rate else 0
            self.log(f"  cases {high:,}/{copies:,}  {rate:,.0f} cases/s  ~{left:,.0f} s left")
        return rows

    # --- indexes: dropped while writing, built again after (one sort instead of millions of
    # random insertions); primary keys and unique indexes stay and keep checking.

    def drop_indexes(self) -> list[str]:
        cur = self.cursor
        tables = [t.table for t in self.tables.values() if t.rooted]
        cur.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)"
            "  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
            " WHERE c.relname = ANY(%s) AND NOT i.indisprimary AND NOT i.indisunique"
            "   AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
            [tables],
        )
        found = cur.fetchall()
        for name, _definition in found:
            cur.execute(f"DROP INDEX {name}")
        self.log(f"  {len(found)} secondary indexes dropped for the copy")
        return [definition for _name, definition in found]

    def create_indexes(self, definitions: list[str]) -> None:
        started = time.monotonic()
        self.cursor.execute("SET maintenance_work_mem TO '256MB'")
        for n, definition in enumerate(definitions, 1):
            self.cursor.execute(definition)
            if n % 20 == 0 or n == len(definitions):
                self.log(f"  indexes {n}/{len(definitions)} ({time.monotonic() - started:.0f} s)")

    def reset_sequences(self) -> None:
        for t in self.tables.values():
            if t.rooted and not t.model._meta.pk.is_relation:
                self.cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{t.table}', '{t.pk}'),"  # nosec B608 - table and column names come from the models, values are bound
                    f" (SELECT coalesce(max({t.pk}), 1) FROM {t.table}))"
                )

    def drop_roots(self) -> None:
        for t in self.tables.values():
            self.cursor.execute(f"DROP TABLE IF EXISTS _load_root_{t.table}")
