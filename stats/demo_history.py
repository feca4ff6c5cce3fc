"""The demo's history (seed_demo step ``statistics.demo_history``): a hundred cases (by
default) of the last six months, so the statistics board (``/office/statistics/``) shows months
of volumes, on-time rates, 三率一数, the parallel-licensing gain and a scorecard, not one day.

Every case is made and moved by the demo's accounts through the real services
(``application_create``, ``application_submit``, ``task_complete``, ``application_withdraw``,
``rating_submit``), each step at its own moment in the past: the clock (``stats.demo_clock``)
is moved to that moment first, so the case's number, events, dues, tasks, certificate and
rating are what production would have written on those days. Where a case is late, the
deadline sweep runs at the moment after its due (``sweep_inline``), so its red cards,
escalations and deemed approvals are the sweep's own. The mix (``LINES``, ``plan``) is drawn
from a fixed seed over items, departments, channels (online, window, API, hotline) and service
models: most decided on time, some late, some with a supplement (补正), some not accepted,
denied or withdrawn; most online cases rated, a few 差评 rectified. In-site notices and SMS are
not sent for the history (``NOTIFICATIONS_ENABLED`` is off while it runs): they would reach the
demo's citizens today about cases of months ago.

``settings.DEMO_HISTORY_CASES`` says how many (0: none; the test suite's default). Idempotent:
case ``i`` carries the marker ``（演示）历史NNN`` in its first text field; the cases already
there are left alone (one query), so a second ``seed_demo`` adds none. Runs first among the
registered steps (before the cases in flight, so the sweep of a past moment meets none of
them); the statistics read models are then made by ``statistics_rebuild --missing`` at the end
of ``seed_demo`` (the events' own times give them their days).
"""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from permits.models import Application, ServiceItem
from workflow import demo_inflight as inflight
from workflow import services
from workflow.deadlines import calendar as cal
from workflow.models import CaseTask

from .demo_clock import DemoClock

logger = logging.getLogger(__name__)

SEED = 13  # the mix is the same on every machine
MONTHS = 6
KEY = "历史"
CLERK = "clerk"  # the city centre's comprehensive window
OPERATOR = "hotline"  # the 12345 operator
CALLER_PHONE = "13902660000"
MARKED = re.compile(KEY + r"\d{3}")
# Values for the form fields with a pattern the demo's stand-ins do not fit.
SAMPLES = {"project_code": "2026-445302-47-01-012345", "bank_account": "6222021234567890123"}


@dataclass(frozen=True)
class Line:
    """An item of the mix: who applies online, how often, and whether walk-ins come to the
    city centre's window for it (items whose form asks for no enterprise)."""

    item: str
    applicant: str
    weight: int
    window: bool = False
    hotline: bool = False  # a 12345 item: calls entered by the operator


LINES: tuple[Line, ...] = (
    Line("445300-SCJG-QYKB", "citizen", 7, window=True),  # parallel, 5 departments
    Line("445300-ZRZY-BDCZYDJ", "citizen2", 3, window=True),  # parallel
    Line("445300-ZJJ-SGXK", "enterprise", 2),  # parallel, three stages each
    Line("445300-SCJG-SPJYXK", "enterprise", 4),
    Line("445300-SCJG-GTHDJ", "citizen2", 4, window=True),
    Line("445300-GAJ-JZZ", "citizen", 3, window=True),
    Line("445300-GAJ-HKQY", "citizen", 2, window=True),
    Line("445300-GAJ-PTHZ", "citizen", 3, window=True),  # core department
    Line("445300-GJJ-ZFGJJTQ", "citizen2", 4),
    Line("445300-RSJ-SBKSL", "citizen", 3),
    Line("445300-WSJ-GGCSWSXK", "enterprise", 2),
    Line("445300-JTJ-DLKYXK", "enterprise", 1),
    Line("445300-12345-ZWFWTS", "citizen", 2),  # process-centred, applied for online
    Line("445300-12345-RXSQ", "citizen2", 3, hotline=True),  # process-centred, by phone
)


@dataclass(frozen=True)
class Case:
    """One case of the history: what happens to it and when (working-day offsets)."""

    index: int
    line: Line
    channel: str  # online | window | api | hotline
    submitted: datetime
    outcome: str  # approve | deny | not_accept | withdraw
    supplement: bool
    late: bool
    rating: int  # 0: not rated; else the level
    accept_after: int  # working days after submission (0: the same day)
    work_days: int  # working days of review before the decision (when on time)

    @property
    def key(self) -> str:
        return f"{KEY}{self.index:03d}"


# --- the plan ------------------------------------------------------------------------------


def _moment(day: date, minutes: int) -> datetime:
    """``minutes`` after 09:00 Asia/Shanghai on ``day``."""
    return datetime.combine(day, time(9, 0), tzinfo=cal.SHANGHAI) + timedelta(minutes=minutes)


def plan(count: int, *, today: date) -> list[Case]:
    """``count`` cases submitted on working days of the last ``MONTHS`` months, the newest three
    working days before ``today`` (a step that would fall later is made yesterday evening)."""
    rng = random.Random(SEED)  # nosec B311 - the demo's data, not security
    first = today - timedelta(days=30 * MONTHS)
    last = cal.add_working_days(today, -3)
    days = []
    day = first
    while day <= last:
        if cal.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    if not days:
        return []
    weights = [line.weight for line in LINES]
    cases = []
    for index in range(count):
        line = rng.choices(LINES, weights)[0]
        # older months a little quieter, so the trend rises
        day = days[min(len(days) - 1, int(len(days) * (rng.random() ** 0.8)))]
        if line.hotline:
            channel = "hotline"
        else:
            roll = rng.random()
            channel = "window" if line.window and roll < 0.3 else "api" if roll > 0.9 else "online"
        roll = rng.random()
        outcome = (
            "not_accept"
            if roll < 0.05
            else "withdraw"
            if roll < 0.08
            else "deny"
            if roll < 0.14
            else "approve"
        )
        if line.item.startswith("445300-12345") and outcome in ("deny", "withdraw"):
            outcome = "approve"
        rated = channel in ("online", "api") and outcome in ("approve", "deny")
        level = 0
        if rated and rng.random() < 0.7:
            level = rng.choices([5, 4, 3, 2, 1], [62, 24, 8, 3, 3])[0]
        cases.append(
            Case(
                index=index + 1,
                line=line,
                channel=channel,
                submitted=_moment(day, rng.randrange(0, 420)),
                outcome=outcome,
                supplement=outcome != "not_accept" and rng.random() < 0.15,
                late=outcome in ("approve", "deny") and rng.random() < 0.12,
                rating=level,
                accept_after=0 if rng.random() < 0.45 else 1,
                work_days=rng.choice([0, 1, 1, 2, 2, 3, 4, 6, 9]),
            )
        )
    return cases


# --- moving a case -------------------------------------------------------------------------


class Runner:
    def __init__(self, clock: DemoClock, users: dict[str, Any], limit: datetime) -> None:
        self.clock = clock
        self.users = users
        self.limit = limit  # no step after this moment (yesterday evening)

    def at(self, moment: datetime) -> datetime:
        self.clock.set(min(moment, self.limit))
        return self.clock.moment

    def later(self, working_days: int, *, minutes: int = 60) -> datetime:
        """``working_days`` after the clock's day, ``minutes`` after 09:00 (the same day: an
        hour on)."""
        now = timezone.localtime(self.clock.moment, cal.SHANGHAI)
        if working_days <= 0:
            return self.at(now + timedelta(minutes=minutes))
        return self.at(_moment(cal.add_working_days(now.date(), working_days), minutes))

    def actor_for(self, task: CaseTask) -> Any:
        return inflight._staff_for(task)  # noqa: SLF001 - the demo's own helper

    def complete_all(
        self, app: Application, kind: str, decision: str, *, before=None, **fields: Any
    ) -> None:
        """Complete every open task of ``kind`` (stages follow each other); ``before`` moves
        the clock before each."""
        for _round in range(8):
            tasks = inflight._open(app, kind)  # noqa: SLF001
            if not tasks:
                return
            for task in tasks:
                if before is not None:
                    before()
                actor = self.actor_for(task) if kind != "triage" else self.users[OPERATOR]
                if actor is None:
                    raise RuntimeError(f"no demo account acts on {kind} of {app.number}")
                services.task_complete(task=task, actor=actor, decision=decision, **fields)
                self.later(0, minutes=20)

    def create(self, case: Case, item: ServiceItem) -> tuple[Application, Any]:
        """The draft with its materials, entered by whoever the channel says."""
        applicant = self.users[case.line.applicant]
        scenario = inflight.Scenario(case.key, item.code, case.line.applicant)
        if case.channel == "window":
            person = _walk_in(case.index)
            form, _name, _marker = inflight._form(item, scenario, person)  # noqa: SLF001
            actor = self.users[CLERK]
            app = services.application_create(
                actor=actor,
                item=item,
                form=self._fill(item, form),
                channel="window",
                applicant={
                    "real_name": person.real_name,
                    "id_number": person.id_number,
                    "phone": person.phone,
                },
            )
        elif case.channel == "hotline":
            actor = self.users[OPERATOR]
            form, _name, _marker = inflight._form(item, scenario, None)  # noqa: SLF001
            form["caller_phone"] = CALLER_PHONE
            app = services.application_create(
                actor=actor,
                item=item,
                form=self._fill(item, form),
                channel="hotline",
                caller={"phone": CALLER_PHONE, "urgency": "normal"},
                request_kind="enquiry",
            )
        else:
            actor = applicant
            form, _name, _marker = inflight._form(  # noqa: SLF001
                item,
                scenario,
                inflight._person(applicant),  # noqa: SLF001
            )
            app = services.application_create(
                actor=actor,
                item=item,
                form=self._fill(item, form),
                on_behalf_of=inflight._on_behalf_of(scenario),  # noqa: SLF001
                channel="api" if case.channel == "api" else None,
            )
        inflight._upload_required(app, actor)  # noqa: SLF001
        return app, actor

    @staticmethod
    def _fill(item: ServiceItem, form: dict) -> dict:
        """The form, with a sample for each field of the item it left out for its pattern."""
        fields = (item.current_version.snapshot or {}).get("form_fields") or ()
        names = {spec["name"] for spec in fields} & set(SAMPLES)
        return {**{name: SAMPLES[name] for name in names if name not in form}, **form}

    def run(self, case: Case, item: ServiceItem) -> Application:
        self.at(case.submitted)
        app, actor = self.create(case, item)
        services.application_submit(actor=actor, application=app)
        app.refresh_from_db()
        process = item.service_model == "process_centred"
        if process:
            self.later(case.accept_after, minutes=90)
            self.complete_all(app, "triage", "answer", opinion="已答复诉求人（演示）")
            app.refresh_from_db()
            self.rate(case, app)
            return app
        self.later(case.accept_after, minutes=60)
        if case.supplement:
            inflight._supplement(app)  # noqa: SLF001
            self.later(1 + case.index % 3, minutes=30)
            app.refresh_from_db()
            services.application_submit(actor=actor, application=app)
            self.later(0, minutes=90)
            app.refresh_from_db()
        if case.outcome == "not_accept":
            inflight.STEPS["not_accept"](app)
            return app
        inflight.STEPS["accept"](app)
        app.refresh_from_db()
        if case.outcome == "withdraw":
            self.later(1, minutes=120)
            services.application_withdraw(actor=actor, application=app, reason="申请人撤回（演示）")
            return app
        self.work(case, app)
        self.complete_all(
            app,
            "inspection",
            "pass",
            inspected_on=timezone.localdate().isoformat(),
            inspectors=["张明", "李华"],
            findings="现场核查情况与申请材料一致（演示）",
        )
        if case.outcome == "deny":
            self.complete_all(app, "decision", "deny", opinion="经审查不符合法定条件（演示）")
        else:
            self.complete_all(app, "decision", "approve", opinion="准予许可")
        app.refresh_from_db()
        self.rate(case, app)
        return app

    def work(self, case: Case, app: Application) -> None:
        """The departments' reviews, each on a day of its own before the decision day (so a
        parallel case's departments overlap), and for a late case the sweep after its due."""
        rng = random.Random(SEED * 1000 + case.index)  # nosec B311 - the demo's data, not security
        today = cal.local_date(self.clock.moment)
        due_day = cal.local_date(app.due_at) if app.due_at else cal.add_working_days(today, 5)
        span = max(0, cal.working_days_between(today, due_day))
        if case.late:
            decide = cal.add_working_days(due_day, 1 + case.index % 3)
        else:
            decide = cal.add_working_days(today, min(span, case.work_days))
        days = max(0, cal.working_days_between(today, decide))

        def on_some_day() -> None:
            offset = rng.randint(0, days)
            self.at(_moment(cal.add_working_days(today, offset), rng.randrange(30, 450)))

        self.complete_all(app, "consultation", "approve", before=on_some_day, opinion="同意")
        self.complete_all(app, "review", "approve", before=on_some_day, opinion="同意")
        if case.late and app.due_at is not None:
            self.at(cal.end_of_day(cal.add_working_days(due_day, 1)) - timedelta(minutes=5))
            if self.clock.moment < self.limit:
                from workflow.deadlines.sweep import sweep_inline

                sweep_inline(now=self.clock.now())
                self.complete_all(app, "review", "approve", opinion="同意")
        self.at(_moment(decide, rng.randrange(60, 450)))

    def rate(self, case: Case, app: Application) -> None:
        """The applicant's rating a day later; an answer left unrated gets the system's default
        rating when ``RATING_DEFAULT_DAYS`` have passed, as the worker gives it (excluded from
        every figure; it closes an answered case)."""
        if not case.rating or case.channel not in ("online", "api"):
            self.default_rating(app)
            return
        from evaluations.services import rating_submit

        self.later(1, minutes=240)
        applicant = self.users[case.line.applicant]
        bad = case.rating <= 2
        rating_submit(
            actor=applicant,
            application=app,
            level=case.rating,
            tags=["overall"] if not bad else ["overall", "efficiency"],
            comment="" if not bad else "等待时间较长，希望改进（演示）",
        )
        if bad:
            self.later(2, minutes=60)
            self.complete_all(
                app,
                "rectification",
                "done",
                opinion="已优化办理流程，缩短等待时间（演示）",
                revisit="已电话回访，申请人认可整改（演示）",
            )

    def default_rating(self, app: Application) -> None:
        from evaluations import conf
        from evaluations.services import open_invitation_for, rating_default

        invitation = open_invitation_for(app.pk)
        if invitation is None:
            return
        due = invitation.answered_at + timedelta(days=int(conf.get("RATING_DEFAULT_DAYS")))
        if due + timedelta(hours=1) >= self.limit:
            return  # not yet: the worker gives it when its day comes
        self.at(due + timedelta(hours=1))
        rating_default(invitation_id=invitation.pk, now=self.clock.now())


def _walk_in(index: int) -> SimpleNamespace:
    """A walk-in applicant of the window cases (a person of 云城区, born in the 1980s)."""
    from permits.demo import resident_id

    surnames = "陈李黄张梁林何罗周吴"
    given = "伟芳娜敏静丽强磊军洋"
    first17 = f"445302{1980 + index % 10}{1 + index % 12:02d}{1 + index % 28:02d}{index % 1000:03d}"
    return SimpleNamespace(
        real_name=surnames[index % 10] + given[(index // 10) % 10],
        id_number=resident_id(first17),
        phone=f"139026{index % 100000:05d}",
    )


# --- the step ------------------------------------------------------------------------------


def _made_keys() -> set[str]:
    """The history's cases already there (their markers ``历史NNN``; one query)."""
    made = set()
    for form in Application.objects.filter(number__isnull=False).values_list(
        "form_data", flat=True
    ):
        for value in (form or {}).values():
            if isinstance(value, str) and KEY in value and (found := MARKED.search(value)):
                made.add(found.group(0))
    return made


def seed_history(*, count: int | None = None, now: datetime | None = None) -> SimpleNamespace:
    """Make the missing history cases (seed_demo counts ``created`` / ``kept`` / ``skipped``).
    Runs inside seed_demo's transaction, each case in a savepoint of its own."""
    from onestop.errors import DomainError

    count = settings.DEMO_HISTORY_CASES if count is None else count
    result = SimpleNamespace(created=[], kept=[], skipped=[])
    if count <= 0:
        return result
    now = now or timezone.now()
    today = cal.local_date(now)
    first = today - timedelta(days=30 * MONTHS)
    if cal.missing_years(first) or cal.missing_years(today):
        cal.calendar_seed(years=sorted({first.year, today.year}))
    cases = plan(count, today=today)
    made = _made_keys()
    todo = [c for c in cases if c.key not in made]
    result.kept = [c.key for c in cases if c.key in made]
    if not todo:
        return result
    names = {line.applicant for line in LINES} | {CLERK, OPERATOR}
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    items = {
        i.code: i
        for i in ServiceItem.objects.select_related("current_version", "lead_department").filter(
            code__in={line.item for line in LINES}
        )
    }
    limit = datetime.combine(today - timedelta(days=1), time(20, 0), tzinfo=cal.SHANGHAI)
    saved = settings.NOTIFICATIONS_ENABLED
    settings.NOTIFICATIONS_ENABLED = False
    try:
        with DemoClock(todo[0].submitted) as clock:
            runner = Runner(clock, users, limit)
            for case in sorted(todo, key=lambda c: c.submitted):
                item = items.get(case.line.item)
                needed = {case.line.applicant, CLERK, OPERATOR}
                if item is None or item.current_version is None or not needed <= set(users):
                    result.skipped.append(case.key)
                    continue
                clock.moment = case.submitted  # each case on its own days
                try:
                    with transaction.atomic():
                        runner.run(case, item)
                except (DomainError, RuntimeError) as exc:
                    logger.warning(
                        "demo history %s (%s) refused: %s %s",
                        case.key,
                        case.line.item,
                        exc,
                        getattr(exc, "fields", ""),
                    )
                    result.skipped.append(case.key)
                    continue
                result.created.append(case.key)
    finally:
        settings.NOTIFICATIONS_ENABLED = saved
    return result
