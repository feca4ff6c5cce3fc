"""``manage.py restore --from DIR --database NEW``: restore into a new database and compare."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups import services


class Command(BaseCommand):
    help = (
        "Restore a backup folder into a new PostgreSQL database and the media into the default "
        "storage, then compare row counts, checksums and the audit chain with the manifest."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--from", dest="source", required=True, help="The backup folder.")
        parser.add_argument("--database", required=True, help="Name of the NEW database.")

    def handle(self, *args, source: str, database: str, **options) -> None:
        try:
            report = services.restore(source=Path(source), database=database)
        except services.BackupError as error:
            raise CommandError(str(error)) from error
        for problem in report.problems:
            self.stderr.write(f"DIFFERS: {problem}")
        if not report.ok:
            raise CommandError(f"restore into {database} does NOT match the backup")
        self.stdout.write(
            f"restored into {database}: {report.tables} tables and {report.media} media files "
            "match the backup, audit chain intact"
        )
