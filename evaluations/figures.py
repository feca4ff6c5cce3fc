"""The published figures of ratings (好差评结果公开) for the city or one department, month by
month: ratings by level, by channel (``Channel``) and by what was rated (cases, window visits),
satisfaction rate (levels 3–5 over all), 差评 count and the
share of 差评 rectified on time, the most frequent 差评 reasons, the average score out of 10
(level × 2), and the comments a staff member published.

Every figure counts ``Rating.objects.counted()`` only: system defaults and ratings set aside on
appeal are left out. Constant query count whatever the number of ratings: one grouped aggregate,
one read of the 差评 reasons, one of the published comments (``figures``, 3 queries)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from .choices import ALL_TAGS, Channel, Level, SubjectKind
from .models import Rating

LEVELS = [5, 4, 3, 2, 1]


@dataclass
class Month:
    month: date
    total: int = 0
    by_level: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    by_channel: dict[str, int] = field(default_factory=dict)
    # Cases (一事一评) and window visits (一次一评).
    by_kind: dict[str, int] = field(default_factory=dict)
    level_sum: int = 0
    bad: int = 0
    bad_rectified_on_time: int = 0

    def add(
        self,
        *,
        level: int,
        n: int,
        on_time: int = 0,
        channel: str | None = None,
        kind: str | None = None,
    ) -> None:
        """Count ``n`` ratings of ``level`` (``on_time`` of them rectified on time; by channel
        and rated object when given): the one place a grouped row becomes these figures."""
        self.total += n
        self.by_level[level] += n
        self.level_sum += level * n
        if channel is not None:
            channel = channel or "online"
            self.by_channel[channel] = self.by_channel.get(channel, 0) + n
        if kind is not None:
            self.by_kind[kind] = self.by_kind.get(kind, 0) + n
        if level <= Level.UNSATISFIED:
            self.bad += n
            self.bad_rectified_on_time += on_time

    @property
    def satisfied(self) -> int:
        return self.by_level[5] + self.by_level[4] + self.by_level[3]

    @property
    def satisfaction_rate(self) -> float | None:
        return round(100 * self.satisfied / self.total, 1) if self.total else None

    @property
    def on_time_share(self) -> float | None:
        return round(100 * self.bad_rectified_on_time / self.bad, 1) if self.bad else None

    @property
    def average_score(self) -> float | None:
        """Out of 10: the average level times two."""
        return round(2 * self.level_sum / self.total, 1) if self.total else None

    @property
    def levels(self) -> list[tuple[int, str, int]]:
        return [(lv, Level(lv).label, self.by_level[lv]) for lv in LEVELS]

    @property
    def channels(self) -> list[tuple[str, str, int]]:
        """(code, label, count) per channel the ratings came in by, in ``Channel``'s order."""
        labels = dict(Channel.choices)
        order = {code: i for i, code in enumerate(labels)}
        return [
            (code, str(labels.get(code, code)), n)
            for code, n in sorted(self.by_channel.items(), key=lambda kv: order.get(kv[0], 99))
        ]

    @property
    def visits(self) -> int:
        return self.by_kind.get(SubjectKind.VISIT, 0)


@dataclass
class Figures:
    months: list[Month]
    overall: Month
    top_reasons: list[tuple[str, str, int]]
    comments: list[dict]


def scoped(*, department_id: int | None = None, department_ids=None):
    qs = Rating.objects.counted()
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    if department_ids is not None:
        qs = qs.filter(department_id__in=sorted(department_ids))
    return qs


def figures(
    *,
    start: date,
    end: date,
    department_id: int | None = None,
    department_ids=None,
    comments: int = 10,
) -> Figures:
    """The figures of ratings made from ``start`` to ``end`` (inclusive, local dates)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    qs = made_in(start=start, end=end, department_id=department_id, department_ids=department_ids)
    rows = (
        qs.annotate(month=TruncMonth("rated_at", tzinfo=tz))
        .values("month", "level", "channel", "subject_kind")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(rectification__on_time=True)),
        )
        .order_by("month", "level", "channel", "subject_kind")
    )
    months: dict[date, Month] = {}
    overall = Month(month=start)
    for row in rows:
        key = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        m = months.setdefault(key, Month(month=key))
        for target in (m, overall):
            target.add(
                level=row["level"],
                n=row["n"],
                on_time=row["on_time"],
                channel=row["channel"],
                kind=row["subject_kind"],
            )
    return Figures(
        months=[months[k] for k in sorted(months)],
        overall=overall,
        top_reasons=top_reasons(qs),
        comments=published_comments(qs, comments),
    )


def made_in(*, start: date, end: date, department_id: int | None = None, department_ids=None):
    """The counted ratings made from ``start`` to ``end`` (inclusive, local dates): bounds on
    ``rated_at`` itself, so its indexes serve (``rated_at__date`` converts every row first)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    return scoped(department_id=department_id, department_ids=department_ids).filter(
        rated_at__gte=datetime.combine(start, time.min, tzinfo=tz),
        rated_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def top_reasons(qs) -> list[tuple[str, str, int]]:
    """The five most frequent 差评 reasons among these ratings: (tag, label, count)."""
    reasons: Counter[str] = Counter()
    for tags in qs.filter(level__lte=Level.UNSATISFIED).values_list("reasons", flat=True):
        reasons.update(t for t in (tags or []) if t in ALL_TAGS)
    return [(tag, str(ALL_TAGS[tag]), n) for tag, n in reasons.most_common(5)]


def published_comments(qs, n: int = 10) -> list[dict]:
    """The ``n`` latest comments a staff member published among these ratings."""
    if not n:
        return []
    return list(
        qs.filter(comment_status="published")
        .order_by("-rated_at")
        .values("level", "comment_published", "rated_at")[:n]
    )


@dataclass
class DepartmentMonth(Month):
    """One department's ratings of one month (the published ratings open data)."""

    region_code: str = ""
    department_code: str = ""
    department_name: str = ""


def department_months(*, start: date, end: date, using: str = "default") -> list[DepartmentMonth]:
    """The figures of ratings made from ``start`` to ``end`` (inclusive, local dates) per
    answerable department and month, newest month first: one grouped query. Ratings without an
    answerable department are not attributed (and not listed)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    rows = (
        Rating.objects.using(using)
        .counted()
        .filter(rated_at__date__gte=start, rated_at__date__lte=end, department__isnull=False)
        .annotate(month=TruncMonth("rated_at", tzinfo=tz))
        .values(
            "month",
            "department__code",
            "department__name",
            "department__region__code",
            "level",
        )
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(rectification__on_time=True)),
        )
        .order_by()
    )
    out: dict[tuple[date, str], DepartmentMonth] = {}
    for row in rows:
        key_month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        key = (key_month, row["department__code"] or "")
        m = out.get(key)
        if m is None:
            m = out[key] = DepartmentMonth(
                month=key_month,
                region_code=row["department__region__code"] or "",
                department_code=row["department__code"] or "",
                department_name=row["department__name"] or "",
            )
        m.add(level=row["level"], n=row["n"], on_time=row["on_time"])
    return [out[k] for k in sorted(out, key=lambda k: (-k[0].toordinal(), k[1]))]
