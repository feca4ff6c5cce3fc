"""The template database and its clones: the interface benchmarks use.

    from loadtest.databases import clone_database, drop_clone
    dsn = clone_database("bench_http")   # CREATE DATABASE bench_http TEMPLATE yunfu_load_tpl
    ...                                  # point DATABASE_URL at dsn
    drop_clone("bench_http")

``seed_load`` builds the template once (``TEMPLATE``); it is marked a template that takes no
connections, so that nothing holds it open and a clone (a file copy inside PostgreSQL, a few
seconds per GB) can always be made. Only PostgreSQL's maintenance database is connected to.
The server is the one ``DATABASE_URL`` names (or ``server_url``'s argument).
"""

from __future__ import annotations

import os
import re

TEMPLATE = "yunfu_load_tpl"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def server_url(url: str | None = None) -> str:
    """The URL of the server's maintenance database (``postgres``)."""
    url = url or os.environ.get("DATABASE_URL") or DEFAULT_SERVER
    return url.rsplit("/", 1)[0] + "/postgres"


def database_url(name: str, server: str | None = None) -> str:
    return server_url(server).rsplit("/", 1)[0] + "/" + _checked(name)


def _checked(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"not a plain database name: {name!r}")
    return name


def _admin(server: str | None = None):
    import psycopg2

    conn = psycopg2.connect(server_url(server))
    conn.autocommit = True
    return conn


def _one(sql: str, params: list, server: str | None = None):
    conn = _admin(server)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()
    finally:
        conn.close()


def exists(name: str, server: str | None = None) -> bool:
    return _one("SELECT 1 FROM pg_database WHERE datname = %s", [name], server) is not None


def size_bytes(name: str, server: str | None = None) -> int:
    return _one("SELECT pg_database_size(%s)", [name], server)[0]


def describe(name: str, server: str | None = None) -> str:
    """The template's comment (``seed_load`` writes what it holds there)."""
    row = _one(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [name],
        server,
    )
    return (row and row[0]) or ""


def create(name: str, *, template: str | None = None, server: str | None = None) -> str:
    conn = _admin(server)
    try:
        with conn.cursor() as cur:
            if template:
                # FILE_COPY: PostgreSQL 15's default (WAL_LOG) writes the whole 17 GB template
                # through the WAL, block by block; a file copy and one checkpoint is much faster.
                cur.execute(
                    f"CREATE DATABASE {_checked(name)} TEMPLATE {_checked(template)}"
                    " STRATEGY = FILE_COPY"
                )
            else:
                cur.execute(f"CREATE DATABASE {_checked(name)}")
    finally:
        conn.close()
    return database_url(name, server)


def drop(name: str, server: str | None = None) -> None:
    """Drop ``name`` (a template too), ending other sessions on it first."""
    conn = _admin(server)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                return
            cur.execute(
                f"ALTER DATABASE {_checked(name)} WITH IS_TEMPLATE false ALLOW_CONNECTIONS true"
            )
            cur.execute(f"DROP DATABASE {name} WITH (FORCE)")
    finally:
        conn.close()


def seal_template(name: str, comment: str, server: str | None = None) -> None:
    conn = _admin(server)
    try:
        with conn.cursor() as cur:
            cur.execute(f"COMMENT ON DATABASE {_checked(name)} IS %s", [comment])
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s"
                " AND pid <> pg_backend_pid()",
                [name],
            )
            cur.execute(f"ALTER DATABASE {name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
    finally:
        conn.close()


def clone_database(name: str, *, template: str = TEMPLATE, server: str | None = None) -> str:
    """A fresh copy of the load dataset as database ``name`` (dropped first if it exists);
    returns its URL. Raises ``LookupError`` when the template has not been built."""
    if name == template:
        raise ValueError("a clone needs a name of its own")
    if not exists(template, server):
        raise LookupError(
            f"no template database {template}: run `python manage.py seed_load --cases N` first"
        )
    drop(name, server)
    return create(name, template=template, server=server)


def drop_clone(name: str, server: str | None = None) -> None:
    """Drop a clone made by ``clone_database`` (never the template itself)."""
    if name == TEMPLATE:
        raise ValueError("drop_clone does not drop the template; seed_load --rebuild does")
    drop(name, server)
