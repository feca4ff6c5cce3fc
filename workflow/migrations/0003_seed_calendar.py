"""Seed the national holiday arrangement from the pinned ``chinese-calendar`` package, so that
every new database (demo, tests, production) knows the years it knows. Idempotent; later
package years are added by ``manage.py seed_calendar``."""

from django.db import migrations


def seed(apps, schema_editor):
    from chinese_calendar import constants

    CalendarDay = apps.get_model("workflow", "CalendarDay")
    CalendarYear = apps.get_model("workflow", "CalendarYear")

    def chinese(english):
        try:
            return constants.Holiday(english).chinese
        except ValueError:
            return english

    rows = {}
    for d, english in constants.holidays.items():
        rows[d] = CalendarDay(date=d, kind="holiday", name=chinese(english), source="seeded")
    for d, english in constants.workdays.items():
        rows[d] = CalendarDay(
            date=d, kind="adjusted_workday", name=f"{chinese(english)}调休上班", source="seeded"
        )
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    CalendarDay.objects.bulk_create(
        [row for d, row in sorted(rows.items()) if d not in existing], ignore_conflicts=True
    )
    years = sorted({d.year for d in rows})
    marked = set(CalendarYear.objects.values_list("year", flat=True))
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, complete=True, source="seeded") for y in years if y not in marked],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("workflow", "0002_calendarday_calendaryear")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
