"""The statistics' read models, fed from the event log after commit (``stats.ingest``) and
rebuilt from it by ``manage.py statistics_rebuild``; pages read only these (and the catalogue),
never the raw events.

Ids are plain integers, not foreign keys: a read model is rebuilt freely and never holds a
lock on the rows it describes; ``0`` stands for "none" so the daily key is unique with plain
equality (NULLs would defeat the upsert)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CountedEvent(models.Model):
    """An event already counted: the idempotency mark (an event delivered twice counts once)."""

    event_id = models.BigIntegerField(_("event"), primary_key=True)
    application_id = models.BigIntegerField(_("application"), db_index=True)

    class Meta:
        verbose_name = _("counted event")
        verbose_name_plural = _("counted events")

    def __str__(self) -> str:
        return str(self.event_id)


class CounterColumns(models.Model):
    """The key (but its day or month) and the counters shared by ``DailyFigure`` and its
    monthly roll-up ``MonthlyFigure``: one definition, so the two tables cannot drift."""

    region_id = models.BigIntegerField(_("region"), default=0)
    department_id = models.BigIntegerField(_("department"), default=0)
    item_id = models.BigIntegerField(_("service item"), default=0)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    service_model = models.CharField(_("service model"), max_length=20, blank=True)
    # one column per counter of stats.counters.COUNTERS (a test checks they match)
    applications = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    not_accepted = models.PositiveIntegerField(default=0)
    supplements = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    denied = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    terminated = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    yellow = models.PositiveIntegerField(default=0)
    red = models.PositiveIntegerField(default=0)
    escalations = models.PositiveIntegerField(default=0)
    deemed = models.PositiveIntegerField(default=0)
    returns = models.PositiveIntegerField(default=0)
    special_procedures = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class ConcludedColumns(models.Model):
    """The key (but its day or month) and the sums shared by ``ConcludedFigure`` and its
    monthly roll-up ``MonthlyConcluded``."""

    region_id = models.BigIntegerField(_("region"), default=0)
    department_id = models.BigIntegerField(_("lead department"), default=0)
    item_id = models.BigIntegerField(_("service item"), default=0)
    handling_days = models.IntegerField(_("handling time (working days)"), default=-1)
    # sums over the concluded cases (stats.concluded.SUMS: column → CaseFact expression)
    cases = models.IntegerField(default=0)
    handling = models.IntegerField(default=0)
    gross = models.IntegerField(default=0)
    supplement = models.IntegerField(default=0)
    special = models.IntegerField(default=0)
    with_due = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    instant = models.IntegerField(default=0)
    online_completed = models.IntegerField(default=0)
    visits = models.IntegerField(default=0)
    parallel = models.IntegerField(default=0)
    parallel_elapsed = models.IntegerField(default=0)
    parallel_own = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DailyFigure(CounterColumns):
    """Counters of one local day for one item, department, region, channel and service model
    (the day of the event's time: a late event lands in its own day)."""

    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("daily figure")
        verbose_name_plural = _("daily figures")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "region_id", "department_id", "item_id", "channel", "service_model"],
                name="statistics_daily_key",
            )
        ]
        indexes = [
            models.Index(fields=["day", "department_id"], name="statistics_daily_dept"),
            models.Index(fields=["day", "region_id"], name="statistics_daily_region"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}/{self.item_id}/{self.channel}"


class Outcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    ANSWERED = "answered", _("Answered")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    TERMINATED = "terminated", _("Terminated")


CONCLUDED = (Outcome.APPROVED, Outcome.DENIED, Outcome.ANSWERED)


class CaseFact(models.Model):
    """One case's facts, recomputed from all its events whenever one of them arrives (so the
    order events arrive in does not matter): dates, the working days it took and lost, on time
    or not, its visits, and for parallel cases the departments' elapsed and summed times."""

    application_id = models.BigIntegerField(_("application"), primary_key=True)
    number = models.CharField(_("application number"), max_length=20)
    item_id = models.BigIntegerField(_("service item"), default=0)
    region_id = models.BigIntegerField(_("region"), default=0)
    department_id = models.BigIntegerField(_("lead department"), default=0)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    service_model = models.CharField(_("service model"), max_length=20, blank=True)
    online_depth = models.CharField(_("online depth"), max_length=20, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True)
    clock_start = models.DateTimeField(_("clock start"), null=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True)
    concluded_on = models.DateField(_("concluded on"), null=True)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices, blank=True)
    gross_days = models.IntegerField(_("working days from clock start"), null=True)
    supplement_days = models.IntegerField(_("working days in supplements"), default=0)
    special_days = models.IntegerField(_("working days in special procedures"), default=0)
    handling_days = models.IntegerField(_("handling time (working days)"), null=True)
    promised_days = models.IntegerField(_("promised limit"), null=True)
    legal_days = models.IntegerField(_("legal limit"), null=True)
    due_at = models.DateTimeField(_("promised due"), null=True)
    on_time = models.BooleanField(_("on time"), null=True)
    instant = models.BooleanField(_("decided on the spot"), default=False)
    visits = models.PositiveSmallIntegerField(_("visits"), default=0)
    online_completed = models.BooleanField(_("completed online"), default=False)
    supplemented = models.BooleanField(_("supplement requested"), default=False)
    departments = models.PositiveSmallIntegerField(_("departments reviewing"), default=0)
    parallel_elapsed_days = models.IntegerField(_("parallel reviews: elapsed"), null=True)
    parallel_sum_days = models.IntegerField(_("parallel reviews: sum of own times"), null=True)
    last_event_id = models.BigIntegerField(_("last event"), default=0)

    class Meta:
        verbose_name = _("case fact")
        verbose_name_plural = _("case facts")
        indexes = [
            models.Index(fields=["concluded_on", "department_id"], name="statistics_fact_dept"),
            models.Index(fields=["concluded_on", "region_id"], name="statistics_fact_region"),
            models.Index(fields=["submitted_on", "department_id"], name="statistics_fact_sub"),
        ]

    def __str__(self) -> str:
        return self.number


class ConcludedFigure(ConcludedColumns):
    """The concluded cases of one local day (of conclusion) for one region, lead department,
    item and handling time, summed from their ``CaseFact`` rows, so the pages read a few
    hundred of these instead of every case's facts (docs/statistics.md, "Concluded cases").
    ``handling_days`` is part of the key (−1: none) so the 90th percentile comes from the
    counts per handling time. Kept by the same statements that write the facts: the change of
    each case's contribution (new − old) is added, so it is exact whatever order events arrive
    in and however often a case's facts are recomputed; rows whose cases fall to 0 go."""

    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("concluded cases of a day")
        verbose_name_plural = _("concluded cases of a day")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "region_id", "department_id", "item_id", "handling_days"],
                name="statistics_concluded_key",
            )
        ]
        indexes = [
            models.Index(fields=["day", "department_id"], name="statistics_concluded_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}/{self.item_id}: {self.cases}"


class Indicator(models.TextChoices):
    ON_TIME = "on_time", _("On-time rate of cases")
    LIMIT_REDUCTION = "limit_reduction", _("Limit reduction (承诺时限压缩比)")
    SATISFACTION = "satisfaction", _("Satisfaction rate")
    RECTIFICATION = "rectification", _("差评 rectified on time")
    RED_CARDS = "red_cards", _("Red cards (fewer is better)")
    ONLINE = "online", _("Online application rate (上网办理率)")
    PARALLEL_GAIN = "parallel_gain", _("Parallel-licensing gain")
    ONE_VISIT = "one_visit", _("Items needing at most one visit")


class ScorecardIndicator(models.Model):
    """One indicator of the 绩效评估 scorecard and its weight (edited in the admin). Each
    indicator scores 0–100 (docs/statistics.md, "Scorecard"); the total is the weighted mean of
    the indicators that have data."""

    indicator = models.CharField(
        _("indicator"), max_length=20, choices=Indicator.choices, unique=True
    )
    weight = models.PositiveSmallIntegerField(_("weight"), default=10)
    active = models.BooleanField(_("counted"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "indicator"]
        verbose_name = _("scorecard indicator")
        verbose_name_plural = _("scorecard indicators")

    def __str__(self) -> str:
        return f"{self.get_indicator_display()} ({self.weight})"


# The defaults (on-time rate, 承诺压缩, satisfaction, 差评 rectification, red cards,
# online rate); a data migration writes them, the admin edits them.
DEFAULT_WEIGHTS: tuple[tuple[str, int], ...] = (
    (Indicator.ON_TIME, 30),
    (Indicator.LIMIT_REDUCTION, 15),
    (Indicator.SATISFACTION, 20),
    (Indicator.RECTIFICATION, 10),
    (Indicator.RED_CARDS, 15),
    (Indicator.ONLINE, 10),
)


class MonthlyFigure(CounterColumns):
    """The daily counters (``DailyFigure``) of one local month, summed: the same key with the
    month (its first day) for the day. Kept by the statement that adds to the daily rows
    (``stats.monthly``), so it is always their sum; pages read it for whole months."""

    month = models.DateField(_("month"))

    class Meta:
        verbose_name = _("monthly figure")
        verbose_name_plural = _("monthly figures")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "month",
                    "region_id",
                    "department_id",
                    "item_id",
                    "channel",
                    "service_model",
                ],
                name="statistics_monthly_key",
            )
        ]
        indexes = [
            models.Index(fields=["month", "department_id"], name="statistics_monthly_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.department_id}/{self.item_id}/{self.channel}"


class MonthlyConcluded(ConcludedColumns):
    """The concluded cases of one local month (``ConcludedFigure`` summed over its days): the
    same key with the month (its first day) for the day, the handling time still in it (the
    90th percentile). Kept by the statement that writes the facts and the daily rows."""

    month = models.DateField(_("month"))

    class Meta:
        verbose_name = _("concluded cases of a month")
        verbose_name_plural = _("concluded cases of a month")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "region_id", "department_id", "item_id", "handling_days"],
                name="statistics_monthly_concluded_key",
            )
        ]
        indexes = [
            models.Index(fields=["month", "department_id"], name="statistics_mconcluded_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.department_id}/{self.item_id}: {self.cases}"


class RatingColumns(models.Model):
    """The key (but its day or month) and the counts shared by ``RatingFigure`` and its monthly
    roll-up ``MonthlyRating``: the counted ratings (``evaluations.figures.scoped``) of one
    region, answerable department, item, channel the rating came in by, rated object (case,
    window visit) and level, and how many of them had their rectification on time
    (``Rectification.on_time``; only 差评 have one)."""

    region_id = models.BigIntegerField(_("region"), default=0)
    department_id = models.BigIntegerField(_("department"), default=0)
    item_id = models.BigIntegerField(_("service item"), default=0)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    subject_kind = models.CharField(_("rated object"), max_length=8, blank=True)
    level = models.PositiveSmallIntegerField(_("level"))
    ratings = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)

    class Meta:
        abstract = True


# The ratings' key after the day or the month (both tables' unique constraint).
RATING_KEY = ("region_id", "department_id", "item_id", "channel", "subject_kind", "level")


class RatingFigure(RatingColumns):
    """The counted ratings of one local day (of ``rated_at``), counted again from the ratings
    of the (department, day) whenever one of them changes (``stats.ratings``)."""

    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("ratings of a day")
        verbose_name_plural = _("ratings of a day")
        constraints = [
            models.UniqueConstraint(
                fields=["day", *RATING_KEY],
                name="statistics_rating_key",
            )
        ]
        indexes = [
            models.Index(fields=["department_id", "day"], name="statistics_rating_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}/{self.item_id} {self.level}: {self.ratings}"


class MonthlyRating(RatingColumns):
    """``RatingFigure`` of one local month, summed (the month's first day for the day); summed
    again from the days of the (department, month) by the statement after theirs."""

    month = models.DateField(_("month"))

    class Meta:
        verbose_name = _("ratings of a month")
        verbose_name_plural = _("ratings of a month")
        constraints = [
            models.UniqueConstraint(
                fields=["month", *RATING_KEY],
                name="statistics_monthly_rating_key",
            )
        ]
        indexes = [
            models.Index(fields=["department_id", "month"], name="statistics_mrating_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.department_id}/{self.item_id} {self.level}"
