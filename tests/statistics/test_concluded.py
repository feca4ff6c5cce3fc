"""The daily aggregate of the concluded cases (``ConcludedFigure``, docs/statistics.md,
"Concluded cases"): always the sum of the case facts, whatever order events arrive in, however
often they are delivered, and after a rebuild of any period — including a case that concluded
in one month and is rebuilt from the events of another."""

from collections import Counter
from datetime import date, datetime

import pytest

from permits.choices import EventAction as A
from stats import feed, figures, ingest
from stats.models import CONCLUDED, CaseFact, ConcludedFigure
from tests.statistics import worked
from tests.statistics.feeding import committed, feed_now
from tests.statistics.test_figures import _snapshot
from tests.workflow import factories as f
from workflow.deadlines.calendar import SHANGHAI
from workflow.services.events import event_append

pytestmark = pytest.mark.django_db

NOV = (date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def world(work_calendar, django_capture_on_commit_callbacks):
    return worked.build(django_capture_on_commit_callbacks)


def _aggregate() -> dict[tuple, dict]:
    out = {}
    for row in ConcludedFigure.objects.values():
        key = (row["day"], row["region_id"], row["department_id"], row["item_id"])
        out[(*key, row["handling_days"])] = {
            k: v for k, v in row.items() if k not in ("id", "day", "region_id", "department_id",
                                                       "item_id", "handling_days")
        }  # fmt: skip
    return out


def _summed_from_facts() -> dict[tuple, dict]:
    """What the aggregate must hold: the concluded facts summed in Python."""
    out: dict[tuple, Counter] = {}
    for c in CaseFact.objects.filter(outcome__in=CONCLUDED):
        key = (c.concluded_on, c.region_id, c.department_id, c.item_id,
               -1 if c.handling_days is None else c.handling_days)  # fmt: skip
        s = out.setdefault(key, Counter())
        s["cases"] += 1
        s["handling"] += c.handling_days or 0
        s["gross"] += c.gross_days or 0
        s["supplement"] += c.supplement_days
        s["special"] += c.special_days
        s["with_due"] += c.on_time is not None
        s["on_time"] += bool(c.on_time)
        s["instant"] += c.instant
        s["online_completed"] += c.online_completed
        s["visits"] += c.visits
        s["parallel"] += c.parallel_sum_days is not None
        s["parallel_elapsed"] += c.parallel_elapsed_days or 0
        s["parallel_own"] += c.parallel_sum_days or 0
    names = ("cases", "handling", "gross", "supplement", "special", "with_due", "on_time",
             "instant", "online_completed", "visits", "parallel", "parallel_elapsed",
             "parallel_own")  # fmt: skip
    return {k: {n: v[n] for n in names} for k, v in out.items()}


def _ev(capture, app, action, when, department=None, **data):
    with committed(capture):
        return event_append(
            application=app, actor=None, action=action, department=department, at=when, data=data
        )


def test_the_aggregate_is_the_sum_of_the_facts(world):
    aggregate = _aggregate()
    assert aggregate == _summed_from_facts()
    # four concluded cases, each on its own day and handling time (case 5 was not accepted)
    assert sum(v["cases"] for v in aggregate.values()) == 4
    assert aggregate[(date(2026, 11, 19), world.item_a.region_id, world.d1.pk, world.item_a.pk,
                      10)]["supplement"] == 2  # fmt: skip


def test_a_late_pause_moves_a_case_to_its_new_handling_time_and_a_duplicate_changes_nothing(
    world, django_capture_on_commit_callbacks
):
    c1 = world.cases[0]
    key = (date(2026, 11, 9), world.item_a.region_id, world.d1.pk, world.item_a.pk)
    assert _aggregate()[(*key, 5)]["cases"] == 1
    # a supplement of case 1 (Tue 3 → Wed 4 November) recorded after its approval
    _ev(django_capture_on_commit_callbacks, c1, A.PAUSED, worked.at(3, 12), reason="supplement")
    resumed = _ev(django_capture_on_commit_callbacks, c1, A.RESUMED, worked.at(4, 12))
    aggregate = _aggregate()
    assert (*key, 5) not in aggregate  # its old row had only this case: it is gone
    assert aggregate[(*key, 4)]["cases"] == 1
    assert aggregate[(*key, 4)]["supplement"] == 1
    assert aggregate == _summed_from_facts()
    # the resumption delivered twice more: nothing changes
    before = _aggregate()
    ingest.ingest_events([resumed.pk])
    feed.case_changed_received(None, event_id=resumed.pk)  # queued again
    assert feed_now() == 0
    ingest.refresh_facts([c1.pk])  # a fact recomputed with the same result adds nothing
    assert _aggregate() == before
    fig = figures.overall(figures.Scope.for_user(f.user(is_superuser=True)), start=NOV[0],
                          end=NOV[1])  # fmt: skip
    assert fig.concluded == 4
    assert fig.handling_days_sum == 4 + 10 + 8 + 0


def test_a_reopened_case_leaves_the_aggregate_and_joins_it_again_when_decided(
    world, django_capture_on_commit_callbacks
):
    c4 = world.cases[3]
    _ev(django_capture_on_commit_callbacks, c4, A.REOPENED, worked.at(13, 9))
    assert not [k for k in _aggregate() if k[0] == date(2026, 11, 11)]
    assert sum(v["cases"] for v in _aggregate().values()) == 3
    _ev(django_capture_on_commit_callbacks, c4, A.APPROVED, worked.at(17, 9), world.d1)
    aggregate = _aggregate()
    assert aggregate == _summed_from_facts()
    # accepted Wed 11, approved Tue 17: 12, 13, 16, 17 November
    assert aggregate[(date(2026, 11, 17), world.item_b.region_id, world.d1.pk, world.item_b.pk,
                      4)]["instant"] == 0  # fmt: skip


def test_a_case_concluding_in_one_month_and_rebuilt_in_another(
    world, django_capture_on_commit_callbacks
):
    """Accepted in October, approved in December: rebuilding October (or December, or
    November, where it has no event) recomputes its facts and keeps it exactly once."""
    late = worked._case(9, world.item_b, channel="window")
    _ev(django_capture_on_commit_callbacks, late, A.SUBMITTED,
        datetime(2026, 10, 29, 9, tzinfo=SHANGHAI))  # fmt: skip
    _ev(django_capture_on_commit_callbacks, late, A.ACCEPTED,
        datetime(2026, 10, 29, 10, tzinfo=SHANGHAI))  # fmt: skip
    _ev(django_capture_on_commit_callbacks, late, A.APPROVED,
        datetime(2026, 12, 2, 10, tzinfo=SHANGHAI), world.d1)  # fmt: skip
    incremental = _snapshot()
    aggregate = _aggregate()
    assert aggregate == _summed_from_facts()
    dec = [k for k in aggregate if k[0] == date(2026, 12, 2)]
    assert dec and aggregate[dec[0]]["cases"] == 1
    for first, last in (
        (date(2026, 10, 1), date(2026, 10, 31)),
        (date(2026, 12, 1), date(2026, 12, 31)),
        NOV,
        (None, None),
    ):
        ingest.rebuild(start=first, end=last)
        assert _aggregate() == aggregate, (first, last)
        assert _snapshot() == incremental, (first, last)
    december = figures.overall(figures.Scope.for_user(f.user(is_superuser=True)),
                               start=date(2026, 12, 1), end=date(2026, 12, 31))  # fmt: skip
    assert december.concluded == 1
    assert december.handling_days_sum == 24  # 30 Oct … 2 Dec, Monday to Friday


def test_the_90th_percentile_from_counts_is_the_nearest_rank():
    values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
    counts = list(Counter(values).items())
    assert figures.p90_of_counts(counts) == figures.p90(values) == 6
    assert figures.p90_of_counts([(7, 1)]) == 7
    assert figures.p90_of_counts([]) is None
