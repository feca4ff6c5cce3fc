"""A query the ORM builds and compiles once per database connection, then runs again with new
values in its placeholders (the API token's lookup, issue 11).

Building and compiling a queryset with a few ``Exists`` and array subqueries costs more CPU
than running it: the token authentication's query took ~3 ms of Python to build and compile
against ~0.2 ms to run, on every API request. :class:`PreparedQuery` builds it from a function
of named values, compiles it with two sets of stand-in values and keeps the SQL when the two
compilations differ only where the stand-ins are (each value one parameter, everything else
equal): then a run is that SQL with the real values in those places, and the rows become model
instances through the same compiler (its converters, select_related and annotations), as the
ORM's own iteration makes them. When the two differ anywhere else (a parameter the ORM derived
from a value, a backend that rewrites values), the query is not kept and every run builds the
queryset as before: the answer is the same either way, only its cost differs.

Kept per connection object (Django's connections are per thread) and per ``signature()`` (what
the query's shape depends on besides the values: e.g. which facts are registered).

On PostgreSQL the kept SQL is also planned once per database session: ``PREPARE`` on the first
run of a session (on the driver's own cursor, once per session and query, like the session's
other set-up, so it is in no query count), then every run is ``EXECUTE name(values)``: after
its first five runs PostgreSQL keeps a generic plan when it costs no more than the custom ones
(a read on a unique key), and planning stops. Planning the locked task read's fifteen joined
tables took ~4 ms of the database's CPU a call against ~0.5 ms to run it (issue 11). A
statement PostgreSQL will not prepare (a value whose type it cannot infer) runs as plain SQL;
``settings.DB_PREPARED_STATEMENTS = False`` turns it off (PgBouncer in transaction mode, where a
session's prepared statements do not follow the next transaction). :func:`statement_text`
gives a captured ``EXECUTE``'s SQL back (tests that read the SQL of what ran).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Model, Q, QuerySet
from django.db.models.query import get_related_populators

_ATTR = "_onestop_prepared"
_SESSION_ATTR = "_onestop_prepared_session"
_CONVERTERS_ATTR = "_onestop_prepared_converters"
_UNPREPARABLE = object()
_MAX_PREPARED = 512  # statements prepared per session (then they are prepared afresh)
_NAMES = itertools.count(1)
# A Django placeholder (%s) or an escaped percent sign (%%), as the ORM writes them.
_PLACEHOLDER = re.compile(r"%[s%]")
_EXECUTE = re.compile(r"^EXECUTE (onestop_q\d+)\b")


class PreparedQuery:
    """``PreparedQuery(ApiToken, build, stand_ins=({"digest": "a", …}, {"digest": "b", …}))``;
    ``.first(digest=…, …)`` is ``build(digest=…, …).first()`` without building it again
    (``build`` returns a queryset of ``model``, read from the router's database for it).

    ``build`` must return a queryset with an order (``first()`` adds none) whose every value
    that varies between runs comes from its keyword arguments (one value may be in several
    places: a subquery's filter and the outer one's); each stand-in value must be of the real
    value's type and unlike any other parameter of the query.

    ``single=True``: ``build`` filters on a unique key (at most one row), and the query is
    compiled and run without ``ORDER BY … LIMIT`` (over the locked task read's fifteen joined
    tables PostgreSQL planned a LIMIT five times longer than the plain query, 17 ms against
    3 ms, and a unique key needs neither); ``alias``
    names the database (a locking read goes to the primary, not to the router's read alias).

    ``shaped=True``: ``build`` also takes ``shape``, a ``Q`` (e.g. the caller's access rule),
    given to ``first(shape=…)``. The SQL is kept per shape, keyed by the whole ``Q`` — its
    lookups and their values (``_shape_key``) — so a shape whose values changed (a user's
    departments) is another entry, compiled afresh; a ``Q`` holding anything but plain values
    (a queryset, an expression) is built every time, as without this class. At most
    ``max_kept`` shapes per connection (then they are compiled again as they come)."""

    def __init__(
        self,
        model: type[Model],
        build: Callable[..., QuerySet],
        stand_ins: tuple[Mapping[str, Any], Mapping[str, Any]],
        signature: Callable[[], Hashable] = lambda: None,
        *,
        single: bool = False,
        alias: str | None = None,
        shaped: bool = False,
        max_kept: int = 256,
    ) -> None:
        self.model = model
        self.build = build
        self.stand_ins = stand_ins
        self.signature = signature
        self.single = single
        self.alias = alias
        self.shaped = shaped
        self.max_kept = max_kept

    def first(self, *, shape: Q | None = None, **values: Any) -> Model | None:
        alias = self.alias or router.db_for_read(self.model)
        if self.shaped:
            values["shape"] = Q() if shape is None else shape
            shape_key = _shape_key(values["shape"])
        else:
            shape_key = ()
        prepared = _UNPREPARABLE if shape_key is None else self._prepared(alias, shape_key, shape)
        if prepared is _UNPREPARABLE:
            query = self.build(**values).using(alias)
            return next(iter(query), None) if self.single else query.first()
        values.pop("shape", None)
        compiler, sql, params, places = prepared
        run = list(params)
        for name, indexes in places.items():
            for index in indexes:
                run[index] = values[name]
        statement = _session_statement(alias, (self, self.signature(), shape_key), sql)
        if statement is not None:
            sql = f"EXECUTE {statement}" + (f"({', '.join(['%s'] * len(run))})" if run else "")
        return _first_row(compiler, sql, tuple(run), alias)

    def _prepared(self, alias: str, shape_key: Hashable = (), shape: Q | None = None):
        connection = connections[alias]
        # keyed by the query itself, not its id(): a query gone (a test's) leaves its id free
        kept = connection.__dict__.setdefault(_ATTR, {}).setdefault(self, {})
        key = (self.signature(), shape_key)
        if key not in kept:
            if len(kept) >= self.max_kept:
                kept.clear()
            kept[key] = self._compile(alias, shape)
        return kept[key]

    def _compile(self, alias: str, shape: Q | None = None):
        first, second = self.stand_ins
        compiled = []
        for values in (first, second):
            query = (
                self.build(**values, shape=Q() if shape is None else shape)
                if self.shaped
                else self.build(**values)
            )
            if not self.single:
                query = query[:1]
            compiler = query.query.get_compiler(using=alias)
            try:
                sql, params = compiler.as_sql()
            except EmptyResultSet:  # a filter that matches nothing (an empty access rule)
                return _UNPREPARABLE
            compiled.append((compiler, sql, tuple(params)))
        (compiler, sql, params), (_, sql_b, params_b) = compiled
        if sql != sql_b or len(params) != len(params_b):
            return _UNPREPARABLE
        places: dict[str, list[int]] = {}
        for index, (a, b) in enumerate(zip(params, params_b, strict=True)):
            if _same(a, b):
                if any(_same(a, v) for v in first.values()):
                    return _UNPREPARABLE  # a stand-in also elsewhere: ambiguous
                continue
            names = [n for n in first if _same(first[n], a) and _same(second[n], b)]
            if len(names) != 1:
                return _UNPREPARABLE
            places.setdefault(names[0], []).append(index)  # a value may fill several places
        if set(places) != set(first):
            return _UNPREPARABLE
        return compiler, sql, params, places


def _shape_key(node: Any) -> Hashable | None:
    """What fixes the SQL of a ``Q``: its connectors, negations, lookups and values (each with
    its type); None when it holds anything else (a queryset, an expression)."""
    if isinstance(node, Q):
        children = []
        for child in node.children:
            key = _shape_key(child)
            if key is None:
                return None
            children.append(key)
        return ("Q", node.connector, node.negated, tuple(children))
    if isinstance(node, tuple) and len(node) == 2 and isinstance(node[0], str):
        value = _value_key(node[1])
        return None if value is None else (node[0], value)
    return None


def _value_key(value: Any) -> Hashable | None:
    if value is None or isinstance(value, int | str | float):  # bool is an int
        return (type(value), value)
    if isinstance(value, list | tuple | set | frozenset):
        items = [_value_key(item) for item in value]
        if any(item is None for item in items):
            return None
        return (type(value), tuple(items))
    return None


def _session_statement(alias: str, key: Hashable, sql: str) -> str | None:
    """The name of ``sql`` prepared in the connection's current database session (``PREPARE``d
    now if it was not), or None to run it as plain SQL."""
    connection = connections[alias]
    if connection.vendor != "postgresql" or not getattr(settings, "DB_PREPARED_STATEMENTS", True):
        return None
    connection.ensure_connection()
    session = connection.connection
    kept = connection.__dict__.get(_SESSION_ATTR)
    if kept is None or kept[0] is not session:  # a new session: nothing prepared in it yet
        kept = (session, {}, {})
        connection.__dict__[_SESSION_ATTR] = kept
    _session, names, texts = kept
    if key not in names:
        if len(names) >= _MAX_PREPARED:  # forget them in the session too, then prepare afresh
            with session.cursor() as cursor:
                cursor.execute("DEALLOCATE ALL")
            names.clear()
            texts.clear()
        names[key] = _prepare(connection, sql)
        if names[key] is not None:
            texts[names[key]] = sql
    return names[key]


def _prepare(connection, sql: str) -> str | None:
    """``PREPARE`` ``sql`` (Django's placeholders) in the connection's session under a new name,
    on the driver's cursor; None when PostgreSQL refuses it (inside a transaction, a savepoint
    keeps the refusal from aborting it)."""
    numbers = itertools.count(1)
    text = _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)
    name = f"onestop_q{next(_NAMES)}"
    in_transaction = not connection.get_autocommit()
    with connection.connection.cursor() as cursor:
        if in_transaction:
            cursor.execute("SAVEPOINT onestop_prepare")
        try:
            cursor.execute(f"PREPARE {name} AS {text}")
        except connection.Database.Error:
            if not in_transaction:
                return None
            cursor.execute("ROLLBACK TO SAVEPOINT onestop_prepare")
            name = None
        if in_transaction:
            cursor.execute("RELEASE SAVEPOINT onestop_prepare")
    return name


def statement_text(sql: str, alias: str = "default") -> str:
    """The SQL a captured ``EXECUTE onestop_q…(…)`` of this connection's session ran (as the
    ORM compiled it: ``%s`` for its values); any other SQL as it is."""
    match = _EXECUTE.match(sql)
    kept = connections[alias].__dict__.get(_SESSION_ATTR)
    if match is None or kept is None:
        return sql
    return kept[2].get(match.group(1), sql)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _converted(compiler, results):
    """``compiler.results_iter(results)`` with the row converters worked out once per kept
    compiler: Django works them out on every run (for the locked task read's fifteen joined
    tables, a few hundred field comparisons a call, ~1 ms), and they depend on the compiled
    query and its connection only, both fixed for a kept compiler."""
    kept = compiler.__dict__.get(_CONVERTERS_ATTR)
    if kept is None:
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        kept = (fields, compiler.get_converters(fields), compiler.has_composite_fields(fields))
        compiler.__dict__[_CONVERTERS_ATTR] = kept
    fields, converters, composite = kept
    rows = itertools.chain.from_iterable(results)
    if converters:
        rows = compiler.apply_converters(rows, converters)
    if composite:
        rows = compiler.composite_fields_to_tuples(rows, fields)
    return rows


def _first_row(compiler, sql: str, params: tuple, alias: str) -> Model | None:
    """The first row of ``sql`` as a model instance, as ``ModelIterable`` builds it from the
    compiler that compiled ``sql``."""
    compiler.as_sql = lambda *args, **kwargs: (sql, params)
    try:
        rows = list(_converted(compiler, compiler.execute_sql()))
    finally:
        del compiler.as_sql
    if not rows:
        return None
    row = rows[0]
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    names = [f[0].target.attname for f in select[start:end]]
    obj = klass_info["model"].from_db(alias, names, row[start:end])
    for populator in get_related_populators(klass_info, select, alias):
        populator.populate(row, obj)
    for name, position in compiler.annotation_col_map.items():
        setattr(obj, name, row[position])
    return obj
