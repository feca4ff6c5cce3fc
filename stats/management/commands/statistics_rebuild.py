"""``manage.py statistics_rebuild [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--missing]``: rebuild
the statistics' read models from the event log (all of it, or the events of those local days),
and the ratings' read model (``stats.ratings``) from the ratings of the same days;
``--missing``: only count the events not counted yet (what ``seed_demo`` runs at its end; the
ratings' read model is kept in the ratings' own transactions, so it has nothing missing).
The result equals what the after-commit feed built; run it after a failure the log reported, or
to start the read models on a database that had events before the app."""

from __future__ import annotations

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from stats import ratings
from stats.ingest import ingest_missing, rebuild


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Rebuild the statistics' read models from the event log."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", help="first local day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", help="last local day (YYYY-MM-DD)")
        parser.add_argument(
            "--missing", action="store_true", help="only count the events not counted yet"
        )

    def handle(self, *args, start=None, end=None, missing=False, **options):
        if missing:
            if start or end:
                raise CommandError("--missing takes no period")
            done = ingest_missing()
            if options.get("verbosity", 1) >= 1:
                self.stdout.write(
                    f"statistics: {done.events} events counted, {done.cases} case facts refreshed"
                )
            return
        first, last = _day(start), _day(end)
        if first and last and last < first:
            raise CommandError("--to is before --from")
        began = time.monotonic()
        done = rebuild(start=first, end=last)
        rows = ratings.rebuild(start=first, end=last)
        self.stdout.write(
            f"statistics: {done.events} events counted, {done.cases} case facts refreshed, "
            f"{rows} rating rows in {time.monotonic() - began:.1f} s"
        )
