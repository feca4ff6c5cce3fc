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


def test_the_demo_rebuild_runs_after_the_cases_in_flight():
    from permits.demo import seed_steps

    names = [name for name, _step in seed_steps()]
    assert names.index("zz_statistics.rebuild") > names.index("workflow.demo_inflight")
