"""``manage.py export_ratings --from 2026-11-01 --to 2026-11-30 [--output file.jsonl]``: the
ratings of the period as JSON lines (``evaluations.export``, docs/ratings-export.md)."""

from __future__ import annotations

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from evaluations.export import json_lines


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Write the ratings of a period (rated from --from to --to, inclusive) as JSON lines."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--from", dest="start", required=True)
        parser.add_argument("--to", dest="end", required=True)
        parser.add_argument("--output", default="-", help="a file (default: standard output)")

    def handle(self, *args, start: str, end: str, output: str, **options) -> None:
        low, high = _date(start), _date(end)
        if high < low:
            raise CommandError("--to is before --from")
        count = 0
        if output == "-":
            for line in json_lines(low, high):
                self.stdout.write(line, ending="")
                count += 1
        else:
            with open(output, "w", encoding="utf-8") as out:
                for line in json_lines(low, high):
                    out.write(line)
                    count += 1
        sys.stderr.write(f"{count} records\n")
