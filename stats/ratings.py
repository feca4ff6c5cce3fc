"""The ratings' read model (好差评 on the statistics pages; docs/statistics.md, "Ratings"):
``RatingFigure`` holds the counted ratings of one local day per region, answerable department,
item, channel, rated object and level, with how many of them were rectified on time;
``MonthlyRating`` sums them per month. The board read every rating of its periods (its month,
the 12-month trend, the scorecard's month) with a join to their rectifications on every view —
at a million cases the largest part of the page; it now reads about a thousand rows a month.

What a rating counts for is decided by the ratings' own rule, read where it is defined:
``evaluations.figures.scoped`` (``Rating.objects.counted()``: no system default, nothing set
aside on appeal) and the on-time rectification (``Rectification.on_time``). Rows are never added
to: a slice is counted again from the ratings themselves.

* **Kept** by ``evaluations.signals.ratings_changed``, which the ratings' services send inside
  their transaction whenever a rating is made, set aside, or its rectification closes
  (:func:`ratings_changed_received`): the (department, day) slices of those ratings are deleted
  and counted again from the ratings, then their (department, month) rows summed again from the
  days. Sent twice, or for a rating whose figure did not change, it writes the same rows. On
  PostgreSQL the (department, month) slices are locked first (advisory locks, in order), so two
  writers of one slice follow each other and the later one counts the earlier one's rating.
* **Read** by the statistics pages (``stats.figures``) and by 好差评结果公开 (``portal``:
  :func:`months`).
* **Rebuilt** by ``manage.py statistics_rebuild [--from --to]`` (:func:`rebuild`): the period's
  days counted again from the ratings by one ``INSERT … SELECT … GROUP BY``, and the months it
  touches summed again from their days, in one transaction that holds writers off the tables —
  the same rows as the incremental path (``tests/statistics/test_ratings.py``).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import reduce

from django.db import connections, models, transaction
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate, TruncMonth

from evaluations import figures as rating_figures
from evaluations.models import Rating
from workflow.deadlines.calendar import SHANGHAI

from . import monthly
from .db import WRITE_ALIAS, lock_keys, reporting_alias
from .models import RATING_KEY, MonthlyRating, RatingFigure
from .monthly import last_day, month_of

MODELS = (RatingFigure, MonthlyRating)  # the daily rows and their roll-up (monthly.sources)
_KEY = RATING_KEY
_COLUMNS = (*_KEY, "ratings", "on_time")
_GROUP = ("r_day", *(f"r_{c}" for c in _KEY))  # the grouped reads' names for the key
_SELECTED = (*_GROUP, "r_ratings", "r_on_time")


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """Local days ``first``..``last`` as bounds on ``rated_at`` itself (its indexes serve)."""
    lo = datetime.combine(first, time.min, tzinfo=SHANGHAI)
    return lo, datetime.combine(last + timedelta(days=1), time.min, tzinfo=SHANGHAI)


def _days_of(ratings) -> models.QuerySet:
    """The rows of ``RatingFigure`` counted from these ratings (``scoped()`` already)."""
    return (
        ratings.annotate(
            r_day=TruncDate("rated_at", tzinfo=SHANGHAI),
            r_region_id=F("region_id"),
            r_department_id=F("department_id"),
            r_item_id=Coalesce(F("item_id"), Value(0), output_field=models.BigIntegerField()),
            r_channel=F("channel"),
            r_subject_kind=F("subject_kind"),
            r_level=F("level"),
        )
        .values(*_GROUP)
        .annotate(
            r_ratings=Count("pk"),
            r_on_time=Count("pk", filter=Q(rectification__on_time=True)),
        )
        .order_by()
    )


def _months_of(days) -> models.QuerySet:
    """The rows of ``MonthlyRating`` summed from these ``RatingFigure`` rows."""
    return (
        days.annotate(r_day=TruncMonth("day"), **{f"r_{c}": F(c) for c in _KEY})
        .values(*_GROUP)
        .annotate(r_ratings=Sum("ratings"), r_on_time=Sum("on_time"))
        .order_by()
    )


def _insert(model, day_column: str, rows: models.QuerySet, *, using: str = WRITE_ALIAS) -> int:
    """``INSERT INTO model … SELECT`` the grouped ``rows`` (one statement, nothing through
    Python); the number of rows written."""
    connection = connections[using]
    q = connection.ops.quote_name
    sql, params = rows.query.get_compiler(using=using).as_sql()
    columns = ", ".join(q(c) for c in (day_column, *_COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(model._meta.db_table)} ({columns}) "  # noqa: S608  # nosec B608 - names from the models, values bound
            f"SELECT {', '.join(q(c) for c in _SELECTED)} FROM ({sql}) AS s",
            params,
        )
        return cursor.rowcount


def _any(conditions: Iterable[Q]) -> Q:
    return reduce(operator.or_, conditions)


def refresh(rating_ids: Iterable[int]) -> int:
    """Count again the (department, day) slices these ratings are in, and sum their months
    again (six statements whatever the number of ratings); the number of slices."""
    ids = sorted(set(rating_ids))
    if not ids:
        return 0
    slices = sorted(
        set(
            Rating.objects.using(WRITE_ALIAS)
            .filter(pk__in=ids)
            .annotate(d=TruncDate("rated_at", tzinfo=SHANGHAI))
            .values_list("department_id", "d")
        )
    )
    if not slices:
        return 0
    months = sorted({(department, month_of(day)) for department, day in slices})
    ratings = rating_figures.scoped().using(WRITE_ALIAS)
    with transaction.atomic(using=WRITE_ALIAS):
        lock_keys("statistics.rating", (f"{d}:{m:%Y-%m}" for d, m in months))
        RatingFigure.objects.using(WRITE_ALIAS).filter(
            _any(Q(department_id=d, day=day) for d, day in slices)
        ).delete()
        _insert(
            RatingFigure,
            "day",
            _days_of(
                ratings.filter(
                    _any(
                        Q(department_id=d, rated_at__gte=lo, rated_at__lt=hi)
                        for d, (lo, hi) in ((d, _bounds(day, day)) for d, day in slices)
                    )
                )
            ),
        )
        MonthlyRating.objects.using(WRITE_ALIAS).filter(
            _any(Q(department_id=d, month=m) for d, m in months)
        ).delete()
        _insert(
            MonthlyRating,
            "month",
            _months_of(
                RatingFigure.objects.using(WRITE_ALIAS).filter(
                    _any(Q(department_id=d, day__gte=m, day__lte=last_day(m)) for d, m in months)
                )
            ),
        )
    return len(slices)


def ratings_changed_received(sender, rating_ids: Iterable[int] = (), **kwargs) -> None:
    """``evaluations.signals.ratings_changed``: in the ratings' transaction."""
    refresh(rating_ids)


def rebuild(*, start: date | None = None, end: date | None = None, using: str = WRITE_ALIAS) -> int:
    """Count the days ``start``..``end`` (local, inclusive; both None: everything) again from
    the ratings and sum the months they touch (whole months) again from their days, in one
    transaction; the number of daily rows written."""
    connection = connections[using]
    q = connection.ops.quote_name
    days = RatingFigure.objects.using(using)
    ratings = rating_figures.scoped().using(using)
    months = MonthlyRating.objects.using(using)
    month_days = RatingFigure.objects.using(using)
    if start:
        lo, _hi = _bounds(start, start)
        days, ratings = days.filter(day__gte=start), ratings.filter(rated_at__gte=lo)
        months = months.filter(month__gte=month_of(start))
        month_days = month_days.filter(day__gte=month_of(start))
    if end:
        _lo, hi = _bounds(end, end)
        days, ratings = days.filter(day__lte=end), ratings.filter(rated_at__lt=hi)
        months = months.filter(month__lte=month_of(end))
        month_days = month_days.filter(day__lte=last_day(month_of(end)))
    tables = [q(m._meta.db_table) for m in MODELS]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            # writers (refresh) wait until this commits, then count their slices again
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {', '.join(tables)} IN SHARE ROW EXCLUSIVE MODE")
        days.delete()
        written = _insert(RatingFigure, "day", _days_of(ratings), using=using)
        months.delete()
        _insert(MonthlyRating, "month", _months_of(month_days), using=using)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:  # fresh statistics for the pages' plans
            for table in tables:
                cursor.execute(f"ANALYZE {table}")
    return written


def months(
    *, start: date, end: date, department_id: int | None = None
) -> tuple[list[rating_figures.Month], rating_figures.Month]:
    """The counted ratings made from ``start`` to ``end`` (local, inclusive), month by month
    and overall, by level, channel and rated object (``evaluations.figures.Month``), for the
    city or one department: what 好差评结果公开 shows, in one query (the days of the ragged
    ends and the whole months' roll-ups) instead of an aggregate over every rating."""
    sources = monthly.sources(start, end, alias=reporting_alias(), models=MODELS)
    reads = []
    for qs, day in sources:
        if department_id is not None:
            qs = qs.filter(department_id=department_id)
        reads.append(
            qs.annotate(m=TruncMonth(day))
            .values("m", "level", "channel", "subject_kind")
            .annotate(n=Sum("ratings"), on_time=Sum("on_time"))
        )
    by_month: dict[date, rating_figures.Month] = {}
    overall = rating_figures.Month(month=start)
    for row in monthly.union(reads):
        key = row["m"].date() if isinstance(row["m"], datetime) else row["m"]
        month = by_month.setdefault(key, rating_figures.Month(month=key))
        for target in (month, overall):
            target.add(
                level=row["level"],
                n=row["n"] or 0,
                on_time=row["on_time"] or 0,
                channel=row["channel"],
                kind=row["subject_kind"],
            )
    return [by_month[k] for k in sorted(by_month)], overall


def published_figures(
    *, start: date, end: date, department_id: int | None = None
) -> rating_figures.Figures:
    """好差评结果公开's figures: the months from this read model (``months``), the most frequent
    差评 reasons and the published comments from the ratings themselves (over their partial
    indexes, ``evaluations.figures``)."""
    by_month, overall = months(start=start, end=end, department_id=department_id)
    made = rating_figures.made_in(start=start, end=end, department_id=department_id)
    return rating_figures.Figures(
        months=by_month,
        overall=overall,
        top_reasons=rating_figures.top_reasons(made),
        comments=rating_figures.published_comments(made),
    )
