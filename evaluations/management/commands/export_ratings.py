"""``manage.py export_ratings --from 2026-11-01 --to 2026-11-30 [--format jsonl|csv|xlsx]
[--output file]``: the ratings of the period (cases and window visits) as JSON lines (the
reporting feed, docs/ratings-export.md), or as a CSV or xlsx table for people (cells that a
spreadsheet would run as a formula neutralised, ``onestop.tabular``)."""

from __future__ import annotations

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from evaluations.export import json_lines, spreadsheet


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Write the ratings of a period (rated from --from to --to, inclusive)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--from", dest="start", required=True)
        parser.add_argument("--to", dest="end", required=True)
        parser.add_argument(
            "--format", dest="fmt", choices=("jsonl", "csv", "xlsx"), default="jsonl"
        )
        parser.add_argument("--output", default="-", help="a file (default: standard output)")

    def handle(self, *args, start: str, end: str, fmt: str, output: str, **options) -> None:
        low, high = _date(start), _date(end)
        if high < low:
            raise CommandError("--to is before --from")
        if fmt != "jsonl":
            data = spreadsheet(low, high, fmt=fmt)
            if output == "-":
                if fmt == "xlsx" and sys.stdout.isatty():
                    raise CommandError("an xlsx file is binary: give --output")
                stream = getattr(self.stdout._out, "buffer", None)
                if stream is not None:
                    stream.write(data)
                    stream.flush()
                else:  # a text stream (tests' StringIO): CSV only
                    self.stdout.write(data.decode("utf-8-sig"), ending="")
            else:
                with open(output, "wb") as out:
                    out.write(data)
            sys.stderr.write(f"{fmt} written\n")
            return
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
