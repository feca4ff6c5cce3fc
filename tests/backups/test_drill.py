"""The backup drill (issue 12 item 8): back up a seeded database, restore it into a new one, and
find the same rows, the same media and the same intact audit chain."""

from __future__ import annotations

import json

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.db import connection

from audit import chain
from audit.records import record
from backups import services
from permits.services import item_publish
from tests.permits.applicant_factories import PersonFactory
from tests.permits.conftest import parallel_item  # noqa: F401 (a fixture)

# pg_dump / pg_restore into a new database: backups.services refuses SQLite (the demo's one
# file is copied instead), and the demo never runs it.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _drop(name: str) -> None:
    settings_dict = connection.settings_dict
    admin = psycopg2.connect(
        dbname=settings_dict["NAME"],
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def restored_name():
    name = f"{connection.settings_dict['NAME']}_restored"
    _drop(name)
    yield name
    _drop(name)


@pytest.fixture
def seeded(parallel_item, tmp_path):  # noqa: F811
    item_publish(item=parallel_item, actor=None)
    PersonFactory.create_batch(3)
    for i in range(4):
        record("system", f"drill {i}", detail={"i": i})
    media = FileSystemStorage(location=tmp_path / "media")
    media.save("materials/2026/12/license.pdf", ContentFile(b"%PDF-1.4 licence"))
    media.save("materials/2026/12/id.png", ContentFile(b"\x89PNG id scan"))
    return media


def test_a_restored_backup_holds_the_same_rows_media_and_audit_chain(
    seeded, tmp_path, restored_name
):
    folder = services.backup(to=tmp_path / "backups", storage=seeded)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tables"]["permits_serviceitem"] == 1
    assert manifest["tables"]["audit_auditrecord"] >= 4
    assert set(manifest["media"]) == {"materials/2026/12/license.pdf", "materials/2026/12/id.png"}
    assert manifest["audit"]["intact"]
    assert manifest["audit"]["head"]["chain_index"] >= 4  # sealed before the dump

    target = FileSystemStorage(location=tmp_path / "restored-media")
    report = services.restore(source=folder, database=restored_name, storage=target)

    assert report.ok, report.problems
    assert report.media == 2
    assert report.tables == len(manifest["tables"])
    assert target.open("materials/2026/12/license.pdf").read() == b"%PDF-1.4 licence"


def test_a_restore_that_differs_is_reported(seeded, tmp_path, restored_name):
    folder = services.backup(to=tmp_path / "backups", storage=seeded)
    target = FileSystemStorage(location=tmp_path / "restored-media")
    report = services.restore(source=folder, database=restored_name, storage=target)
    assert report.ok
    # A row changed after the restore is what the comparison exists to see.
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"]["permits_serviceitem"] = 2
    target.delete("materials/2026/12/id.png")
    again = services.RestoreReport(database=restored_name)
    services.compare(manifest, database=restored_name, storage=target, report=again)
    assert any("permits_serviceitem" in p for p in again.problems)
    assert any("id.png missing" in p for p in again.problems)


def test_a_damaged_dump_is_refused_and_no_database_is_made(seeded, tmp_path, restored_name):
    folder = services.backup(to=tmp_path / "backups", storage=seeded)
    with (folder / "database.dump").open("ab") as dump:
        dump.write(b"garbage")
    with pytest.raises(services.BackupError, match="damaged"):
        services.restore(source=folder, database=restored_name)


def test_restore_never_overwrites_an_existing_database(seeded, tmp_path):
    folder = services.backup(to=tmp_path / "backups", storage=seeded)
    with pytest.raises(CommandError, match="exists"):
        call_command(
            "restore", "--from", str(folder), "--database", connection.settings_dict["NAME"]
        )


def test_the_restored_chain_detects_tampering_in_the_backup(seeded, tmp_path, restored_name):
    folder = services.backup(to=tmp_path / "backups", storage=seeded)
    target = FileSystemStorage(location=tmp_path / "restored-media")
    assert services.restore(source=folder, database=restored_name, storage=target).ok
    settings_dict = connection.settings_dict
    restored = psycopg2.connect(
        dbname=restored_name,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
    )
    restored.autocommit = True
    with restored.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET action = 'edited' WHERE chain_index = 2")
    restored.close()
    report = services.RestoreReport(database=restored_name)
    services._compare_chain(
        json.loads((folder / "manifest.json").read_text()), database=restored_name, report=report
    )
    assert any("changed after sealing" in p for p in report.problems)
    assert chain.verify().ok  # the original is untouched
