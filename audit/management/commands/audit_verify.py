"""``manage.py audit_verify``: check the audit chain; exit 1 on any finding (an alarm for cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from audit import chain


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain: edited, deleted or inserted rows, and rows left "
        "unsealed for longer than AUDIT_UNSEALED_ALARM_SECONDS."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--seal-first", action="store_true", help="Seal the settled rows before verifying."
        )

    def handle(self, *args, seal_first: bool = False, **options) -> None:
        if seal_first:
            while chain.seal():
                pass
        result = chain.verify()
        for problem in result.problems:
            self.stderr.write(f"TAMPERED: {problem}")
        if result.unsealed_late:
            self.stderr.write(f"UNSEALED: {result.unsealed_late} rows older than the alarm limit")
        if not result.ok:
            raise CommandError(f"audit chain NOT intact ({result.checked} sealed rows checked)")
        self.stdout.write(f"audit chain intact: {result.checked} sealed rows checked")
