"""``manage.py sweep_deadlines [--now ISO] [--followups]``: the beat's sweep, by hand.

Without ``--followups`` the follow-up of each new mark is enqueued for the worker, as the beat
does; with it they run here, in this process (no worker needed)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from workflow.deadlines import followup
from workflow.deadlines import sweep as deadlines


class Command(BaseCommand):
    help = "Mark tasks and cases crossing their deadline thresholds (yellow, red)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="the moment to sweep at (ISO 8601), default now")
        parser.add_argument(
            "--followups", action="store_true", help="run the follow-ups here instead of enqueuing"
        )

    def handle(self, *args, now=None, followups=False, **options):
        at = None
        if now:
            at = parse_datetime(now)
            if at is None or at.tzinfo is None:
                raise CommandError("--now needs an ISO 8601 time with its offset")
        run = followup.sweep_inline if followups else deadlines.sweep
        result = run(now=at)
        self.stdout.write(
            f"Swept at {result.now.isoformat()}: "
            + ", ".join(f"{key} {count}" for key, count in result.marked.items())
        )
