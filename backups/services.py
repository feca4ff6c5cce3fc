"""Back up the database and the media, restore them, and prove the restore is the same data.

A backup is a folder::

    backup-20261202T093000Z/
        database.dump      pg_dump's custom format (compressed, restorable table by table)
        media/…            every file of the default storage, read through the storage API
        manifest.json      what was backed up: row counts per table, sha256 of the dump and of
                           every media file, the audit chain's head and its verification

``restore`` creates a NEW database from the dump (it never overwrites one that has tables),
writes the media back through the storage API, and then checks the result against the
manifest: the same row count in every table, every media file with its checksum, and an intact
audit chain ending at the same head. PostgreSQL only; the SQLite demo database is a single
file (``var/``) that a file copy backs up while the demo is stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil

# bandit B404: pg_dump / pg_restore with argument lists, never a shell
import subprocess  # noqa: S404 - pg_dump / pg_restore with argument lists, never a shell  # nosec B404
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.db import connection
from psycopg2 import sql

from audit import chain
from audit.models import AuditRecord

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
FORMAT = 1


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env(settings_dict: dict) -> dict:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return env


def _pg_args(settings_dict: dict) -> list[str]:
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    return args


def _connect(settings_dict: dict, name: str):
    return psycopg2.connect(
        dbname=name,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
    )


def table_counts(cursor) -> dict[str, int]:
    """Rows in every ordinary and partitioned table of the public schema (not partitions:
    their rows are counted through their parent)."""
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
        "ORDER BY c.relname"
    )
    counts = {}
    for (name,) in cursor.fetchall():
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name)))
        counts[name] = cursor.fetchone()[0]
    return counts


def _walk(storage: Storage, prefix: str = ""):
    directories, files = storage.listdir(prefix)
    for name in sorted(files):
        yield f"{prefix}{name}"
    for name in sorted(directories):
        yield from _walk(storage, f"{prefix}{name}/")


def _chain_head() -> dict:
    head = (
        AuditRecord.objects.filter(chain_index__isnull=False)
        .order_by("-chain_index")
        .values("chain_index", "row_hash")
        .first()
    )
    return head or {"chain_index": 0, "row_hash": chain.GENESIS}


def backup(*, to: Path, storage: Storage | None = None, now: datetime | None = None) -> Path:
    """Write a backup folder under ``to``; its path."""
    if connection.vendor != "postgresql":
        raise BackupError("backup needs PostgreSQL; the SQLite demo is one file: copy it")
    storage = storage or default_storage
    now = now or datetime.now(UTC)
    target = Path(to) / f"backup-{now:%Y%m%dT%H%M%SZ}"
    target.mkdir(parents=True, exist_ok=False)
    settings_dict = connection.settings_dict
    while chain.seal(now=now, settle_seconds=0):  # the chain's head is recorded sealed
        pass
    # bandit B603/B607: PostgreSQL's own client from PATH, an argument list, no shell
    subprocess.run(  # noqa: S603 - fixed program, argument list  # nosec B603 B607
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            str(target / DUMP),
            *_pg_args(settings_dict),
            settings_dict["NAME"],
        ],  # fmt: skip
        check=True,
        env=_pg_env(settings_dict),
        capture_output=True,
    )
    with connection.cursor() as cursor:
        counts = table_counts(cursor)
    media = {}
    for name in _walk(storage):
        path = target / MEDIA / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source, path.open("wb") as copy:
            shutil.copyfileobj(source, copy)
        media[name] = {"size": path.stat().st_size, "sha256": _sha256(path)}
    verification = chain.verify(now=now)
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "database": settings_dict["NAME"],
        "server_version": connection.pg_version,
        "dump": {"file": DUMP, "sha256": _sha256(target / DUMP)},
        "tables": counts,
        "media": media,
        "audit": {
            "head": _chain_head(),
            "checked": verification.checked,
            "intact": not verification.problems,
        },
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return target


@dataclass
class RestoreReport:
    database: str
    tables: int = 0
    media: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def restore(*, source: Path, database: str, storage: Storage | None = None) -> RestoreReport:
    """Restore the backup folder ``source`` into the new database ``database`` (created here)
    and the media into ``storage``; then compare everything with the manifest."""
    source = Path(source)
    manifest = json.loads((source / MANIFEST).read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    if _sha256(source / DUMP) != manifest["dump"]["sha256"]:
        raise BackupError("the dump's checksum differs from the manifest: the backup is damaged")
    settings_dict = connection.settings_dict
    _create_database(settings_dict, database)
    # bandit B603/B607: PostgreSQL's own client from PATH, an argument list, no shell
    subprocess.run(  # noqa: S603 - fixed program, argument list  # nosec B603 B607
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--dbname",
            database,
            *_pg_args(settings_dict),
            str(source / DUMP),
        ],  # fmt: skip
        check=True,
        env=_pg_env(settings_dict),
        capture_output=True,
    )
    storage = storage or default_storage
    report = RestoreReport(database=database)
    for name, expected in manifest["media"].items():
        path = source / MEDIA / name
        if _sha256(path) != expected["sha256"]:
            report.problems.append(f"media {name}: the backup's copy is damaged")
            continue
        if storage.exists(name):
            storage.delete(name)
        with path.open("rb") as stream:
            saved = storage.save(name, File(stream))
        if saved != name:
            report.problems.append(f"media {name} was stored as {saved}")
    compare(manifest, database=database, storage=storage, report=report)
    return report


def _create_database(settings_dict: dict, database: str) -> None:
    admin = _connect(settings_dict, settings_dict["NAME"])
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if cursor.fetchone():
                raise BackupError(f"database {database} exists: restore only into a new one")
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    finally:
        admin.close()


def compare(manifest: dict, *, database: str, storage: Storage, report: RestoreReport) -> None:
    """Check the restored ``database`` and ``storage`` against ``manifest``."""
    settings_dict = connection.settings_dict
    restored = _connect(settings_dict, database)
    try:
        with restored.cursor() as cursor:
            counts = table_counts(cursor)
    finally:
        restored.close()
    for table, expected in manifest["tables"].items():
        if counts.get(table) != expected:
            report.problems.append(f"table {table}: {counts.get(table)} rows, {expected} backed up")
    report.tables = len(counts)
    for name, expected in manifest["media"].items():
        if not storage.exists(name):
            report.problems.append(f"media {name} missing")
            continue
        digest = hashlib.sha256()
        with storage.open(name, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != expected["sha256"]:
            report.problems.append(f"media {name}: checksum differs")
        else:
            report.media += 1
    _compare_chain(manifest, database=database, report=report)


_COLUMNS = (*chain.CONTENT_FIELDS, "chain_index", "prev_hash", "row_hash")


def _compare_chain(manifest: dict, *, database: str, report: RestoreReport) -> None:
    """Verify the restored database's audit chain (read with its own connection: the restored
    database is not one of Django's)."""
    restored = _connect(connection.settings_dict, database)
    try:
        with restored.cursor() as cursor:
            cursor.execute(
                "SELECT chain_index, row_hash FROM audit_auditrecord "
                "WHERE chain_index IS NOT NULL ORDER BY chain_index DESC, id DESC LIMIT 1"
            )
            last = cursor.fetchone()
            head = {"chain_index": last[0], "row_hash": last[1]} if last else {
                "chain_index": 0, "row_hash": chain.GENESIS,
            }  # fmt: skip
            if head != manifest["audit"]["head"]:
                report.problems.append(f"audit chain head {head} differs from the backup's")
            cursor.execute("SELECT last_chain_index, last_hash FROM audit_auditcheckpoint")
            checkpoints = dict(cursor.fetchall())
        with restored.cursor(name="audit_rows") as rows:
            rows.itersize = 2000
            rows.execute(
                sql.SQL(
                    "SELECT {} FROM audit_auditrecord WHERE chain_index IS NOT NULL "
                    "ORDER BY chain_index, id"
                ).format(sql.SQL(", ").join(map(sql.Identifier, _COLUMNS)))
            )
            records = (AuditRecord(**dict(zip(_COLUMNS, values, strict=True))) for values in rows)
            verification = chain.walk(records, checkpoint_hash=checkpoints.get)
        report.problems.extend(f"audit chain: {problem}" for problem in verification.problems)
    finally:
        restored.close()
