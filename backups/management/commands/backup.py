"""``manage.py backup --to DIR``: the database (pg_dump) and the media, with a manifest."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups import services


class Command(BaseCommand):
    help = "Back up the database and the media (through the storage API) with a manifest."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--to", required=True, help="Folder that receives the backup.")

    def handle(self, *args, to: str, **options) -> None:
        try:
            folder = services.backup(to=Path(to))
        except services.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"backup written to {folder}")
