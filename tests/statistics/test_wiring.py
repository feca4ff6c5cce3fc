"""How statistics hangs on the rest: fed by workflow's after-commit signal without workflow
importing it, its counters match its columns, the rebuild command, the demo's step."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stats.counters import COUNTERS
from stats.models import CaseFact, DailyFigure
from tests.statistics import worked
from tests.test_import_graph import import_graph

NOV = (date(2026, 11, 1), date(2026, 11, 30))


def test_no_lower_app_imports_statistics():
    offenders = [
        (module, target)
        for module, targets in import_graph().items()
        if module.split(".")[0] in ("departments", "permits", "workflow", "evaluations", "onestop")
        for target in targets
        if target.split(".")[0] == "stats"
    ]
    assert offenders == []


def test_every_counter_has_its_column():
    columns = {f.name for f in DailyFigure._meta.concrete_fields}
    assert set(COUNTERS) <= columns


def test_the_stdlib_statistics_module_is_not_shadowed():
    import statistics

    assert hasattr(statistics, "pstdev")


@pytest.mark.django_db
def test_the_rebuild_command_equals_the_feed(
    work_calendar, django_capture_on_commit_callbacks, capsys
):
    worked.build(django_capture_on_commit_callbacks)
    before = sorted(CaseFact.objects.values_list("application_id", "handling_days", "outcome"))
    daily = sorted(DailyFigure.objects.values_list("day", "department_id", "applications", "red"))
    call_command("statistics_rebuild")
    assert "events counted" in capsys.readouterr().out
    call_command("statistics_rebuild", "--from", "2026-11-20", "--to", "2026-11-20")
    assert (
        sorted(CaseFact.objects.values_list("application_id", "handling_days", "outcome")) == before
    )
    assert (
        sorted(DailyFigure.objects.values_list("day", "department_id", "applications", "red"))
        == daily
    )
    with pytest.raises(CommandError):
        call_command("statistics_rebuild", "--from", "2026-11-20", "--to", "2026-11-01")
    with pytest.raises(CommandError):
        call_command("statistics_rebuild", "--from", "yesterday")


@pytest.mark.django_db
def test_missing_counts_only_what_was_not_counted(
    work_calendar, django_capture_on_commit_callbacks
):
    from stats.ingest import ingest_missing
    from stats.models import CountedEvent

    worked.build(django_capture_on_commit_callbacks)
    assert ingest_missing().events == 0
    facts = sorted(CaseFact.objects.values_list("application_id", "handling_days", "on_time"))
    CountedEvent.objects.filter(
        event_id__in=list(CountedEvent.objects.values_list("event_id", flat=True)[:3])
    ).delete()
    DailyFigure.objects.all().delete()
    CaseFact.objects.all().delete()
    call_command("statistics_rebuild")  # the full rebuild after such a loss
    assert (
        sorted(CaseFact.objects.values_list("application_id", "handling_days", "on_time")) == facts
    )
    CountedEvent.objects.filter(
        event_id__in=list(CountedEvent.objects.values_list("event_id", flat=True)[:2])
    ).delete()
    assert ingest_missing().events == 2
    with pytest.raises(CommandError):
        call_command("statistics_rebuild", "--missing", "--from", "2026-11-01")


def test_the_90th_percentile_is_the_nearest_rank():
    from stats.figures import p90

    assert p90([]) is None
    assert p90([7]) == 7
    assert p90([5, 10, 8, 0]) == 10  # ⌈3.6⌉ = the 4th
    assert p90(list(range(1, 11))) == 9  # ⌈9⌉ = the 9th of 10
    assert p90(list(range(1, 21))) == 18
