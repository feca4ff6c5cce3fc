"""``manage.py audit_partitions``: create the coming months' partitions, drop expired months."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from audit import partitions


class Command(BaseCommand):
    help = "Create the audit log's partitions for the coming months; with --drop, apply retention."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--ahead", type=int, default=2, help="Months to create ahead.")
        parser.add_argument(
            "--drop", action="store_true", help="Drop months older than AUDIT_RETENTION_DAYS."
        )

    def handle(self, *args, ahead: int, drop: bool, **options) -> None:
        if not partitions.partitioned():
            self.stdout.write("the audit table is not partitioned on this database; nothing to do")
            return
        for name in partitions.ensure(ahead=ahead):
            self.stdout.write(f"created {name}")
        if drop:
            for name in partitions.drop_before():
                self.stdout.write(f"dropped {name}")
        self.stdout.write(
            "partitions: " + ", ".join(name for _, name in partitions.months()) or "none"
        )
