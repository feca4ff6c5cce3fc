"""Measurement, not a test (the file name keeps pytest from collecting it): every SQL query of
each claim and completion of ``test_query_budget``'s 6-department case, and of one deemed
approval, with the project frames (and the viewflow / DRF frames) it comes from.

Run it by name, with your own test database::

    TEST_DATABASE_NAME=test_<you> pytest -p no:cacheprovider -s tests/workflow/measure_queries.py

``MEASURE_DETAIL=0`` prints the counts only.
"""

from __future__ import annotations

import os
import sys
import traceback

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from logins.models import ApiToken
from tests.workflow import test_query_budget as qb
from tests.workflow.journey import build_world, submitted_case
from workflow import services
from workflow.models import CaseTask, TaskStatus

pytestmark = pytest.mark.django_db
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIBRARIES = ("site-packages/viewflow", "site-packages/guardian", "site-packages/rest_framework")


def _origin() -> str:
    stack = traceback.extract_stack()[:-3]
    ours = [
        f
        for f in stack
        if f.filename.startswith(ROOT)
        and "/.venv/" not in f.filename
        and "/tests/" not in f.filename
    ]
    where = " < ".join(
        f"{os.path.relpath(f.filename, ROOT)}:{f.lineno}:{f.name}" for f in reversed(ours[-4:])
    )
    theirs = [f for f in stack if any(lib in f.filename for lib in LIBRARIES)]
    if theirs:
        where += " | " + " < ".join(
            f"{f.filename.split('site-packages/')[1]}:{f.lineno}:{f.name}"
            for f in reversed(theirs[-2:])
        )
    return where


class _Log:
    def __init__(self):
        self.rows: list[tuple[str, str]] = []

    def __call__(self, execute, sql, params, many, context):
        self.rows.append((sql, _origin()))
        return execute(sql, params, many, context)


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def _show(title: str, count: int, rows) -> None:
    _say(f"\n=== {title} {count}")
    if os.environ.get("MEASURE_DETAIL", "1") != "1":
        return
    for sql, origin in rows:
        if not qb._TRANSACTION_CONTROL.match(sql):
            _say(f"  {sql[:110]!s:110}  @ {origin}")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(qb.NOW, tick=True):
        yield


def test_measure():
    world = build_world(6, stages={0: ["undertake", "check", "sign"]})
    users = [*world.lead_staff.values(), *(u for s in world.staff.values() for u in s.values())]
    for user in users:
        qb._KEYS.pop(user.pk, None)
        qb._key(user)
    ApiToken.objects.update(last_used_at=qb.NOW)
    app = submitted_case(world)
    post, seen = qb._post, []

    def logged_post(client, url, body=None):
        log = _Log()
        with connection.execute_wrapper(log):
            n = post(client, url, body)
        seen.append((url, n, log.rows))
        return n

    qb._post = logged_post
    try:
        claims, completions = qb.walk_case(world, app)
    finally:
        qb._post = post
    for url, n, rows in seen:
        _show(url, n, rows)
    _say(f"claims {claims} completions {completions} avg {sum(completions) / len(completions)}")

    # 逾期视为同意: the sweep's follow-up completes a single-stage department's review.
    other = submitted_case(world)
    acceptance = CaseTask.objects.get(application=other, kind="acceptance")
    services.task_complete(task=acceptance, actor=world.lead_staff["undertake"], decision="approve")
    review = CaseTask.objects.get(
        application=other, kind="review", department=world.departments[1], status=TaskStatus.OPEN
    )
    log = _Log()
    with CaptureQueriesContext(connection) as q, connection.execute_wrapper(log):
        assert services.review_deemed_approve(task=review.pk, opinion="逾期视为同意")
    n = sum(1 for x in q.captured_queries if not qb._TRANSACTION_CONTROL.match(x["sql"]))
    _show("deemed approval", n, log.rows)
    _say(f"deemed {n}")
