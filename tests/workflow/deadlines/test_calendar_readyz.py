from datetime import datetime

import pytest
import time_machine
from django.utils import timezone

from workflow.deadlines import calendar

pytestmark = pytest.mark.django_db


def test_readyz_names_the_missing_year_without_failing(client, work_calendar, admin_user):
    with time_machine.travel(timezone.make_aware(datetime(2026, 11, 26, 12)), tick=False):
        body = client.get("/readyz").json()
        assert body["checks"]["calendar"] == {
            "ok": True,
            "detail": "holiday arrangement missing for 2027",
        }
        calendar.calendar_year_mark(actor=admin_user, year=2027, complete=True)
        assert client.get("/readyz").json()["checks"]["calendar"] == {"ok": True}
