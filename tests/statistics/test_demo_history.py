"""Issue 13's "Done when": the demo's statistics board shows months of figures, not one day.
seed_demo's history (stats.demo_history) makes cases of the last six months through the
services with the clock moved to each step's moment; after seeding, the board's month-by-month
table covers several months with non-zero figures, and seeding again adds nothing."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from permits.models import Application, Event
from stats.demo_clock import DemoClock
from stats.demo_history import KEY
from workflow.deadlines import calendar as cal

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=cal.SHANGHAI)
ON_TIME = 17  # the on-time rate's column in a group table (stats.tables, the board's divisions)


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _history():
    """The history's cases (a form value carries the marker). Matched in Python: SQLite stores
    JSON text with non-ASCII escaped, so a text match on the column finds nothing there."""
    ids = [
        pk
        for pk, form in Application.objects.values_list("pk", "form_data")
        if any(isinstance(value, str) and KEY in value for value in (form or {}).values())
    ]
    return Application.objects.filter(pk__in=ids)


def test_the_board_shows_months_of_history_after_seed_demo(settings, client):
    settings.DEMO_HISTORY_CASES = 40
    with time_machine.travel(NOW, tick=False):
        output = _seed()
        assert "statistics.demo_history: " not in output  # nothing refused ("Not seeded")
        made = _history().count()
        assert made == 40

        cases = list(_history().exclude(submitted_at=None))
        months = {cal.local_date(c.submitted_at).replace(day=1) for c in cases}
        assert len(months) >= 5
        assert all(c.submitted_at < NOW for c in cases)
        # the rows are the services' own, written at the past moments: numbers carry the day
        # of creation, and every event of a case is dated before today
        case = min(cases, key=lambda c: c.submitted_at)
        assert case.number[2:10] == f"{cal.local_date(case.created_at):%Y%m%d}"
        assert not Event.objects.filter(application__in=cases, at__gte=NOW.replace(hour=0))
        channels = {c.channel for c in cases}
        assert {"online", "window"} <= channels

        client.force_login(_user("supervisor"))
        response = client.get(reverse("statistics:board"))
        assert response.status_code == 200
        tables = response.context["tables"]
        rows = tables["months"].rows  # month, applications, …, on-time rate % (column 17)
        with_applications = [r for r in rows if r[1]]
        assert len(with_applications) >= 5, rows
        assert sum(1 for r in with_applications if r[ON_TIME] is not None) >= 4

        # six months of the city: the board over them
        start = min(months)
        response = client.get(
            f"{reverse('statistics:board')}?start={start:%Y-%m-%d}&end={NOW:%Y-%m-%d}"
        )
        overall = response.context["overall"]
        assert overall.volumes["applications"] >= 40
        assert overall.volumes["approved"] > 0 and overall.concluded > 0
        assert overall.on_time_rate is not None and 0 < overall.on_time_rate <= 100
        assert overall.parallel_cases > 0 and overall.parallel_own_sum > 0
        assert overall.by_channel["window"] > 0
        assert response.context["tables"]["ranking"].rows
        export = client.get(
            f"{reverse('statistics:board')}?start={start:%Y-%m-%d}&end={NOW:%Y-%m-%d}"
            "&export=months&format=csv"
        )
        assert export.status_code == 200 and len(export.content.decode().splitlines()) >= 7

        _seed()  # idempotent
        assert _history().count() == made


def test_the_clock_is_given_back():
    real = timezone.now
    field = Event._meta.get_field("at")
    past = NOW.replace(month=6)
    with time_machine.travel(NOW, tick=False):
        with DemoClock(past) as clock:
            assert timezone.now() == past
            assert past < field.get_default() < NOW  # the field's default reads it too
            clock.set(past.replace(month=5))  # never back
            assert past < timezone.now() < NOW
        assert timezone.now is real and field.default is real
        assert field.get_default() == timezone.now() == NOW


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)
