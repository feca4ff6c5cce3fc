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
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, Sum
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
    qs = scoped(department_id=department_id, department_ids=department_ids).filter(
        rated_at__date__gte=start, rated_at__date__lte=end
    )
    rows = (
        qs.annotate(month=TruncMonth("rated_at", tzinfo=tz))
        .values("month", "level", "channel", "subject_kind")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(rectification__on_time=True)),
            level_sum=Sum("level"),
        )
        .order_by("month", "level", "channel", "subject_kind")
    )
    months: dict[date, Month] = {}
    overall = Month(month=start)
    for row in rows:
        key = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        m = months.setdefault(key, Month(month=key))
        for target in (m, overall):
            target.total += row["n"]
            target.by_level[row["level"]] += row["n"]
            channel = row["channel"] or "online"
            target.by_channel[channel] = target.by_channel.get(channel, 0) + row["n"]
            kind = row["subject_kind"]
            target.by_kind[kind] = target.by_kind.get(kind, 0) + row["n"]
            target.level_sum += row["level_sum"] or 0
            if row["level"] <= Level.UNSATISFIED:
                target.bad += row["n"]
                target.bad_rectified_on_time += row["on_time"]
    reasons: Counter[str] = Counter()
    for tags in qs.filter(level__lte=Level.UNSATISFIED).values_list("reasons", flat=True):
        reasons.update(t for t in (tags or []) if t in ALL_TAGS)
    top = [(tag, str(ALL_TAGS[tag]), n) for tag, n in reasons.most_common(5)]
    published = (
        list(
            qs.filter(comment_status="published")
            .order_by("-rated_at")
            .values("level", "comment_published", "rated_at")[:comments]
        )
        if comments
        else []
    )
    return Figures(
        months=[months[k] for k in sorted(months)],
        overall=overall,
        top_reasons=top,
        comments=published,
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
        m.total += row["n"]
        m.by_level[row["level"]] += row["n"]
        m.level_sum += row["level"] * row["n"]
        if row["level"] <= Level.UNSATISFIED:
            m.bad += row["n"]
            m.bad_rectified_on_time += row["on_time"]
    return [out[k] for k in sorted(out, key=lambda k: (-k[0].toordinal(), k[1]))]
