"""The deadline sweep's records (DESIGN.md §4, docs/deadlines.md): the thresholds a clock
crosses, the mark each crossing leaves (``DeadlineMark``) and the narrow copy of each task's
clock the sweep marks (``TaskDeadline``). Models of the ``workflow`` app, imported by
``workflow.models`` (which re-exports them); they name the task by ``"workflow.CaseTask"``, so
this module imports nothing of the app's (one-way imports)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Warning(models.TextChoices):  # noqa: A001 - the API's field is called "warning"
    """A clock's warning: on the task (``CaseTask.warning``, what pages and the API show) and
    on its narrow copy (``TaskDeadline.warning``, what the sweep has marked)."""

    NONE = "none", _("None")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class Threshold(models.TextChoices):
    YELLOW = "yellow", _("Yellow warning")
    RED = "red", _("Red warning (overdue)")
    ESCALATED = "escalated", _("Escalated")
    DEEMED_APPROVAL = "deemed_approval", _("Deemed approval")


class DeadlineMark(models.Model):
    """That a clock crossed a threshold: written by the sweep in the same transaction that
    marks the row, once per (task or case, threshold, due) — the unique constraints are the
    idempotency key of everything that follows (events, notices, deemed approvals). A red mark
    is the red card recorded against the department.

    Its foreign keys have no database constraint: the sweep copies them from a ``TaskDeadline``
    row (whose task is a constrained key, whose case and department are the task's) or from a
    case row it has locked, and tasks and cases are never deleted (PROTECT here, the audit
    rule everywhere). A constraint's check at commit would read and lock (FOR KEY SHARE) the
    wide task row, the case and the department of every mark: twelve blocks a due row, and a
    write to the task row that the narrow table keeps the sweep away from (issue 11)."""

    task = models.ForeignKey(
        "workflow.CaseTask",
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deadline_marks",
        db_index=False,  # mark_once_per_task_threshold_due leads with it
        db_constraint=False,  # see the class's docstring
    )
    application = models.ForeignKey(
        "permits.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="deadline_marks",
        db_constraint=False,
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="deadline_marks",
        db_index=False,  # mark_dept leads with it
        db_constraint=False,
    )
    threshold = models.CharField(_("threshold"), max_length=16, choices=Threshold.choices)
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField(_("marked at"), default=timezone.now)
    processed_at = models.DateTimeField(_("follow-up done at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("deadline mark")
        verbose_name_plural = _("deadline marks")
        indexes = [
            models.Index(fields=["department", "threshold", "created_at"], name="mark_dept"),
            models.Index(
                fields=["created_at"],
                name="mark_unprocessed",
                condition=Q(processed_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "threshold", "due_at"],
                condition=Q(task__isnull=False),
                name="mark_once_per_task_threshold_due",
            ),
            models.UniqueConstraint(
                fields=["application", "threshold", "due_at"],
                condition=Q(task__isnull=True),
                name="mark_once_per_case_threshold_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.threshold} {self.task_id or self.application_id}"


class TaskDeadline(models.Model):
    """The deadline sweep's narrow copy of a task's clock (DESIGN.md §4: deadlines are data),
    one row per ``CaseTask``, kept in step by database triggers on ``workflow_casetask``
    (migration ``workflow/0011_taskdeadline``; PostgreSQL and SQLite alike), so no writer of a
    task — service, bulk update or raw SQL — can leave it behind.

    The sweep selects and marks these rows instead of the wide task row: marking one writes a
    new version of this row and one entry in its primary key (its two partial indexes hold
    only the rows still to be marked), where marking the task row wrote all of the task's
    indexes. ``warning`` here is the sweep's state (what it has marked at this due); the
    task's own ``warning``, which every page and the API read, is set by the mark's follow-up
    with its event (``sweep.process_mark``, ``followup.process_marks``). The triggers copy the
    task's ``warning`` here on insert, when its due or yellow time changes (the clocks lift a
    warning with the due), and when it rises; they never lower the sweep's mark otherwise.
    Lock order: a task row, then its deadline row (the trigger); the sweep locks deadline rows
    only, SKIP LOCKED, and waits for nothing."""

    task = models.OneToOneField(
        "workflow.CaseTask",
        verbose_name=_("task"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="deadline",
    )
    # Copied for the marks, so marking never reads the task row (no foreign key: the task's).
    application = models.ForeignKey(
        "permits.Application",
        verbose_name=_("application"),
        on_delete=models.DO_NOTHING,
        db_index=False,
        db_constraint=False,
        related_name="+",
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.DO_NOTHING,
        db_index=False,
        db_constraint=False,
        related_name="+",
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    yellow_at = models.DateTimeField(_("yellow from"), null=True, blank=True)
    # The task is open or assigned and its clock runs (not paused).
    live = models.BooleanField(_("clock running"), default=True)
    warning = models.CharField(
        _("warning marked"), max_length=8, choices=Warning.choices, default=Warning.NONE
    )

    class Meta:
        verbose_name = _("task deadline")
        verbose_name_plural = _("task deadlines")
        indexes = [
            # The sweep's two thresholds: only rows still to be marked are in these indexes,
            # so its cost follows the due rows, not the open ones (workflow.deadlines).
            models.Index(
                fields=["yellow_at"],
                name="taskdeadline_sweep_yellow",
                condition=Q(live=True, warning="none"),
            ),
            models.Index(
                fields=["due_at"],
                name="taskdeadline_sweep_red",
                condition=Q(live=True) & ~Q(warning="red"),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.task_id} {self.warning} {self.due_at}"


class MarkingBatch(models.Model):
    """The clocks one marking statement of the sweep marked: written in that statement, one
    row per batch (``DEADLINE_SWEEP_BATCH`` clocks), so marking writes one row a batch and not
    one ``DeadlineMark`` row (with its four index entries) a clock — marking stays a narrow
    update (issue 11: at most ten buffers a due row). Its follow-up
    (``workflow.deadline_marking``: ``followup.process_batch``) writes the batch's marks from
    ``rows`` — their unique key is still the idempotency key of everything that follows — and
    follows them up in the same transaction; ``processed_at`` says it ran.
    ``sweep.catch_up_followups`` re-enqueues a batch whose message was lost."""

    kind = models.CharField(_("kind"), max_length=8)  # "task" or "case" (sweep.STEPS)
    threshold = models.CharField(_("threshold"), max_length=16, choices=Threshold.choices)
    # [task or case id, application id, department id, due] a clock, as the statement read them.
    rows = models.JSONField(_("clocks"), default=list)
    created_at = models.DateTimeField(_("marked at"), default=timezone.now)
    processed_at = models.DateTimeField(_("follow-up done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("marking batch")
        verbose_name_plural = _("marking batches")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="markingbatch_unprocessed",
                condition=Q(processed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.threshold} ×{len(self.rows)}"
