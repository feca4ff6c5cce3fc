"""Workflow state: the viewflow process of a case and our own indexed task rows.

Viewflow's ``Task`` rows drive the graph (split, join, gateways); what staff see and act on is
``CaseTask``: one row per step a person takes (acceptance, each stage of each department's
review, inspection, decision …), indexed for inboxes and the deadline sweep. A department's
review is one viewflow task that completes when the last of its stage rows completes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

# The deadline sweep's records (the warning, thresholds, marks, the tasks' narrow clocks).
from workflow.deadlines.models import (  # noqa: F401
    DeadlineMark,
    MarkingBatch,
    TaskDeadline,
    Threshold,
    Warning,
)


class CaseProcess(Process):
    """The viewflow process of one case; the Application is its artifact."""

    application = models.OneToOneField(
        "permits.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="process",
    )

    class Meta:
        verbose_name = _("case process")
        verbose_name_plural = _("case processes")

    def save(self, *args, **kwargs):
        """viewflow saves a process whole as its nodes move it (the end node's status): only
        the process table then, not this row too, whose one column (the case, set when the
        process starts) never changes."""
        if not self._state.adding and not args and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in Process._meta.concrete_fields if not f.primary_key
            ]
        super().save(*args, **kwargs)


class TaskKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Acceptance")
    REVIEW = "review", _("Review")
    CONSULTATION = "consultation", _("Consultation")
    INSPECTION = "inspection", _("On-site inspection")
    DECISION = "decision", _("Decision")
    TRIAGE = "triage", _("Triage")
    HANDLING = "handling", _("Handling")
    REPLY_REVIEW = "reply_review", _("Reply review")
    RECTIFICATION = "rectification", _("Rectification")
    APPEAL_REVIEW = "appeal_review", _("Appeal review")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ASSIGNED = "assigned", _("Assigned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.ASSIGNED)


class CaseTaskQuerySet(models.QuerySet):
    def active(self) -> CaseTaskQuerySet:
        return self.filter(status__in=ACTIVE_TASK_STATUSES)


class CaseTask(models.Model):
    """One step a person takes on a case. Its id is the API's task id."""

    kind = models.CharField(_("kind"), max_length=16, choices=TaskKind.choices)
    stage = models.CharField(_("stage"), max_length=12, blank=True)
    application = models.ForeignKey(
        "permits.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="tasks",
        db_index=False,  # casetask_app leads with it
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="case_tasks",
        db_index=False,  # casetask_inbox leads with it
    )
    participation = models.ForeignKey(
        "permits.ApplicationDepartment",
        verbose_name=_("case department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        # Read only with the case (workflow.deadlines.clocks), by casetask_app.
        db_index=False,
    )
    # Denormalised from the case for inbox filters on indexed columns.
    item = models.ForeignKey(
        "permits.ServiceItem",
        verbose_name=_("service item"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "departments.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # casetask_region leads with it
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    # The case's clocks are paused (supplement, special procedure).
    paused = models.BooleanField(_("clock paused"), default=False)
    # This task asked for a supplement and waits for the applicant's answer.
    awaiting_applicant = models.BooleanField(_("waiting for the applicant"), default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_tasks",
        db_index=False,  # casetask_assignee leads with it
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # What pages and the API show: raised by the follow-up of the sweep's marks (the sweep
    # itself marks TaskDeadline), lowered by the clocks with a new due.
    warning = models.CharField(
        _("warning"), max_length=8, choices=Warning.choices, default=Warning.NONE
    )
    # The clock (workflow.deadlines): when the task turns yellow (due minus the configured working
    # days, kept beside due_at so the sweep can select it in SQL), its unit, and since when a
    # special procedure pauses it.
    yellow_at = models.DateTimeField(_("yellow from"), null=True, blank=True)
    time_limit_unit = models.CharField(
        _("time limit unit"), max_length=14, default="working_day", blank=True
    )
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # casetask_done_by leads with it
    )
    decision = models.CharField(_("decision"), max_length=16, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    # The decision's extra fields (missing list, inspection findings, tolerated ids …).
    result = models.JSONField(_("result"), default=dict, blank=True)
    flow_task = models.ForeignKey(
        "viewflow.Task",
        verbose_name=_("flow task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_tasks",
        # Read only with the case (the steps' "other rows of this viewflow task still
        # open?"), by casetask_app; viewflow's tasks are never deleted.
        db_index=False,
    )

    objects = CaseTaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        # The foreign keys these lead are not indexed again; every query by the participation
        # or the viewflow task names the case too (docs/load-dataset.md, "Where the bytes go").
        indexes = [
            models.Index(fields=["department", "status", "due_at"], name="casetask_inbox"),
            models.Index(fields=["assignee", "status"], name="casetask_assignee"),
            models.Index(fields=["completed_by", "completed_at"], name="casetask_done_by"),
            models.Index(fields=["application", "status"], name="casetask_app"),
            models.Index(fields=["region", "status"], name="casetask_region"),
            # Open tasks by due time (the supervision board's overdue list).
            models.Index(
                fields=["due_at"],
                name="casetask_open_due",
                condition=Q(status__in=["open", "assigned"]),
            ),
            # No index names ``warning`` (the sweep reads TaskDeadline's): setting it is a HOT
            # update of this wide row, which writes none of these indexes.
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}/{self.stage} {self.application_id}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_TASK_STATUSES


class IdempotentRequest(models.Model):
    """A POST sent with an ``Idempotency-Key`` (API.md): the row is inserted FIRST, under one
    unique (user, key), so of two concurrent requests with one key exactly one acts. While it
    runs ``status_code`` is null (a twin answers 409); then it holds the first answer, which the
    same key with the same body (``body_hash`` of the parsed data, files by sha256) gets again.
    Written only by ``workflow.services.idempotency``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    body_hash = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


# --- The work calendar (工作日历): rows the calendar does its arithmetic on ---------


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    ADJUSTED_WORKDAY = "adjusted_workday", _("Adjusted working day")


class CalendarSource(models.TextChoices):
    SEEDED = "seeded", _("Seeded from the national arrangement")
    ADMIN = "admin", _("Entered by an administrator")


class CalendarDay(models.Model):
    """One day that differs from the Monday–Friday week: a holiday (also a local closure), or a
    weekend day that is worked (调休)."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=CalendarSource.choices, default=CalendarSource.ADMIN
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class CalendarYear(models.Model):
    """A year whose holiday arrangement has been entered. Without a complete row for a year,
    its working days fall back to Monday–Friday (plus any rows already entered) and the back
    office warns administrators."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    complete = models.BooleanField(_("arrangement complete"), default=False)
    source = models.CharField(
        _("source"), max_length=10, choices=CalendarSource.choices, default=CalendarSource.ADMIN
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


# --- Deadlines: the clocks' pauses and extensions (the sweep's records: workflow.deadlines.models)


class PauseReason(models.TextChoices):
    SUPPLEMENT = "supplement", _("Supplement (补正)")
    INSPECTION_TESTING = "testing", _("Examination and testing (检验、检测)")
    QUARANTINE = "quarantine", _("Quarantine (检疫)")
    APPRAISAL = "appraisal", _("Appraisal (鉴定)")
    EXPERT_REVIEW = "expert_review", _("Expert review (专家评审)")
    TENDER = "tender", _("Tender (招标)")
    AUCTION = "auction", _("Auction (拍卖)")
    HEARING = "hearing", _("Hearing (听证)")


SPECIAL_PROCEDURES = frozenset(PauseReason.values) - {PauseReason.SUPPLEMENT}


class ClockPause(models.Model):
    """One pause of a case's clocks: a supplement pauses every clock of the case; a special
    procedure (行政许可法 第四十五条) pauses the clocks it concerns (``tasks``). Paused time is
    not counted: on resume every paused clock moves by the paused days of its unit."""

    application = models.ForeignKey(
        "permits.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="clock_pauses",
    )
    reason = models.CharField(_("reason"), max_length=16, choices=PauseReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Empty for the whole case (a supplement); the task ids a special procedure concerns.
    task_ids = models.JSONField(_("tasks concerned"), default=list, blank=True)
    whole_case = models.BooleanField(_("every clock of the case"), default=True)
    started_at = models.DateTimeField(_("paused at"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paused by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resumed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    working_days = models.PositiveIntegerField(_("working days not counted"), default=0)
    calendar_days = models.PositiveIntegerField(_("calendar days not counted"), default=0)

    class Meta:
        ordering = ["application", "started_at", "pk"]
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        indexes = [models.Index(fields=["application", "ended_at"], name="pause_app_open")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.reason} {self.started_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class ExtensionKind(models.TextChoices):
    # 第四十二条 first paragraph: 20 working days, extended once by 10 with the head's approval.
    SINGLE = "single", _("Single department (+10 working days, head's approval)")
    # Second paragraph: joint/parallel handling 45 days, once by 15 with the government leader's.
    JOINT = (
        "joint",
        _("Joint or parallel handling (+15 working days, government leader's approval)"),
    )


EXTENSION_DAYS = {ExtensionKind.SINGLE: 10, ExtensionKind.JOINT: 15}


class ClockExtension(models.Model):
    """The one extension (延期) a limit may get: a single department's review, or the whole
    case when it is handled jointly or in parallel. Who approved it and why are recorded."""

    application = models.ForeignKey(
        "permits.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="clock_extensions",
    )
    participation = models.ForeignKey(
        "permits.ApplicationDepartment",
        verbose_name=_("case department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="extensions",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ExtensionKind.choices)
    days = models.PositiveSmallIntegerField(_("working days added"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approver_title = models.CharField(_("approver's position"), max_length=100, blank=True)
    reason = models.TextField(_("reason"))
    due_before = models.DateTimeField(_("due before"), null=True, blank=True)
    due_after = models.DateTimeField(_("due after"), null=True, blank=True)
    created_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        ordering = ["application", "created_at"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["participation"],
                condition=Q(kind="single"),
                name="extension_once_per_department",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(kind="joint"),
                name="extension_once_per_joint_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} +{self.days} ({self.kind})"


class BeatLock(models.Model):
    """A lease row: where PostgreSQL's advisory locks are not available (the SQLite demo), the
    one Celery beat that holds this row schedules; another one waits (workflow.beat)."""

    name = models.CharField(max_length=40, primary_key=True)
    holder = models.CharField(max_length=120)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("beat lock")
        verbose_name_plural = _("beat locks")

    def __str__(self) -> str:
        return f"{self.name}: {self.holder}"


# The records of the exceptional object grants (shares, delegations) live with their services.
# 容缺受理 records and the generated notices (PDF) of a case.
from workflow.documents.models import CaseDocument  # noqa: E402, F401
from workflow.grants.models import CaseShare, Delegation  # noqa: E402, F401

# Process-centred intake: per-item request limits, petition extensions and reviews.
from workflow.intake.models import PetitionExtension, PetitionReview, RequestLimit  # noqa: E402, F401
from workflow.tolerance.models import Tolerance  # noqa: E402, F401
