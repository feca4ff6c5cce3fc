"""``manage.py seed_calendar [--year 2026 ...]``: enter the national holiday arrangement from the
pinned ``chinese-calendar`` package. Idempotent: rows already present (an administrator's
included) are kept."""

from django.core.management.base import BaseCommand

from workflow.deadlines.calendar import calendar_seed, known_package_years


class Command(BaseCommand):
    help = "Seed holidays and adjusted working days from the chinese-calendar package."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, action="append", dest="years", help="only this year (repeatable)"
        )

    def handle(self, *args, years=None, **options):
        known = known_package_years()
        result = calendar_seed(years=years)
        unknown = sorted(set(years or []) - set(known))
        for year in unknown:
            self.stderr.write(
                f"{year}: not known to chinese-calendar ({known[0]}–{known[-1]}); "
                "enter it in the back office."
            )
        self.stdout.write(
            f"Seeded {len(result.years)} year(s); {result.created} new day(s), "
            f"{result.years_marked} year(s) newly marked complete."
        )
