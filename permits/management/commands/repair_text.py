"""``manage.py repair_text [--dry-run]``: find and repair stored text that breaks rendering.

See ``onestop.repair``: NUL characters are removed and lone surrogates replaced by U+FFFD in
every text and JSON column of the case apps. Prints one line per repaired row (model, primary
key, fields; never the values) and a total. ``--dry-run`` only lists them.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from onestop.repair import scan


class Command(BaseCommand):
    help = "Find and repair stored text (NUL, lone surrogates) that breaks pages and the API."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the rows without changing them."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        count = 0
        for finding in scan(repair=not dry_run):
            count += 1
            self.stdout.write(f"{finding.model} pk={finding.pk}: {', '.join(finding.fields)}")
        verb = "found" if dry_run else "repaired"
        self.stdout.write(f"{count} row(s) {verb}.")
