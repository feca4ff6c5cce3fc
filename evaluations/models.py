"""Ratings (好差评): the invitation to rate one answer, the rating, and a 差评's rectification.

What is rated is a *subject*: a case (``subject_kind = "case"``, ``subject_id`` the
application's id, ``round`` the answer: 1, or 2 after a process-centred case's reopening) or a
window visit (``"visit"``, the queue ticket's id, round 1), which the centres app plugs in by
registering a subject kind (``evaluations.subjects``). One rating per subject and round.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    AppealStatus,
    Channel,
    CommentStatus,
    FixAnswer,
    Level,
    RectificationStatus,
    Source,
    SubjectKind,
)


class Invitation(models.Model):
    """One answer to be rated: made when the answer is given (the result event), reminded after
    ``RATING_REMINDER_DAYS``, given the system default rating after ``RATING_DEFAULT_DAYS``
    unrated. Its id is what the signed SMS link names; ``closed_at`` is set once it is rated."""

    subject_kind = models.CharField(_("rated object"), max_length=8, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField(_("object id"))
    round = models.PositiveSmallIntegerField(_("answer"), default=1)
    application = models.ForeignKey(
        "permits.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rating_invitations",
    )
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating invitation")
        verbose_name_plural = _("rating invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_id", "round"], name="invitation_once_per_answer"
            )
        ]
        indexes = [
            # The daily sweep reads only invitations still open, by answer time.
            models.Index(
                fields=["answered_at"],
                name="invitation_open",
                condition=Q(closed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_kind}:{self.subject_id}#{self.round}"


class RatingQuerySet(models.QuerySet):
    def counted(self) -> RatingQuerySet:
        """What every figure counts: neither system defaults nor ratings set aside on appeal."""
        return self.filter(is_default=False, set_aside=False)


class Rating(models.Model):
    subject_kind = models.CharField(_("rated object"), max_length=8, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField(_("object id"))
    round = models.PositiveSmallIntegerField(_("answer"), default=1)
    invitation = models.OneToOneField(
        Invitation,
        verbose_name=_("invitation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rating",
    )
    application = models.ForeignKey(
        "permits.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    item = models.ForeignKey(
        "permits.ServiceItem",
        verbose_name=_("service item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    item_version = models.ForeignKey(
        "permits.ItemVersion",
        verbose_name=_("item version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The department answerable for the rating (谁办理谁负责) and every department of the case.
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    department_ids = models.JSONField(_("departments"), default=list, blank=True)
    region = models.ForeignKey(
        "departments.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The channel the rating came in by (评价渠道, ``Channel``); blank for a system default.
    # The case's own channel (how it was applied for) is the application's.
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    # What a rated object other than a case was, as the rating saw it (a visit: centre, window,
    # ticket, day), for the export (``evaluations.subjects``).
    subject_data = models.JSONField(_("rated object"), default=dict, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member rated"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings_received",
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    tags = models.JSONField(_("criteria"), default=list, blank=True)
    reasons = models.JSONField(_("差评 reasons"), default=list, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    comment_status = models.CharField(
        _("comment status"), max_length=10, choices=CommentStatus.choices, default="none"
    )
    comment_published = models.TextField(_("published comment"), blank=True)
    comment_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("comment reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    comment_reviewed_at = models.DateTimeField(_("comment reviewed at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings_given",
    )
    # The staff member whose session recorded it for the citizen: the 12345 operator of a
    # phoned-in rating, the clerk's session of the window's rating pad.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated at"), default=timezone.now)
    is_default = models.BooleanField(_("system default"), default=False)
    set_aside = models.BooleanField(_("set aside on appeal"), default=False)
    set_aside_reasons = models.TextField(_("reasons for setting it aside"), blank=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["-rated_at", "-pk"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_id", "round"], name="rating_once_per_answer"
            )
        ]
        indexes = [
            models.Index(fields=["rated_at"], name="rating_at"),
            models.Index(fields=["department", "rated_at"], name="rating_department"),
            models.Index(fields=["region", "rated_at"], name="rating_region"),
            models.Index(
                fields=["rated_at"],
                name="rating_comment_pending",
                condition=Q(comment_status="pending"),
            ),
            # 好差评结果公开: the latest published comments and the 差评 reasons of a period,
            # each a small part of the ratings (evaluations.figures)
            models.Index(
                fields=["rated_at"],
                name="rating_comment_published",
                condition=Q(comment_status="published"),
            ),
            models.Index(
                fields=["rated_at"], name="rating_bad", condition=Q(level__lte=Level.UNSATISFIED)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_kind}:{self.subject_id}#{self.round} = {self.level}"

    @property
    def is_bad(self) -> bool:
        return self.level <= Level.UNSATISFIED


class Rectification(models.Model):
    """The handling of one 差评: the callback (回访核实), then the fix or the appeal (申诉) and
    the supervisor's decision. For a case, the current ``CaseTask`` (``rectification`` or
    ``appeal_review``) is ``task``; its clock is the deadline sweep's. A window visit's 差评 has
    no task (``task`` null): its steps are recorded on the row (``evaluations.visit_handling``)."""

    rating = models.OneToOneField(
        Rating, verbose_name=_("rating"), on_delete=models.CASCADE, related_name="rectification"
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RectificationStatus.choices, default="open"
    )
    appeal_status = models.CharField(
        _("appeal"), max_length=10, choices=AppealStatus.choices, default="none"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    task = models.ForeignKey(
        "workflow.CaseTask",
        verbose_name=_("current task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revisit_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    revisit_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("called back by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revisit_person = models.CharField(_("called back by (name)"), max_length=60, blank=True)
    revisit = models.TextField(_("callback outcome"), blank=True)
    fix = models.TextField(_("what was fixed"), blank=True)
    told = models.TextField(_("what the citizen was told"), blank=True)
    fix_answer = models.CharField(
        _("the citizen on the fix"), max_length=12, choices=FixAnswer.choices, blank=True
    )
    appeal_reasons = models.TextField(_("appeal reasons"), blank=True)
    appeal_evidence = models.JSONField(_("appeal evidence"), default=list, blank=True)
    appeal_decision = models.TextField(_("appeal decision"), blank=True)
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appeal decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    # Who did each step and when, for a handling without a case (a window visit's 差评,
    # ``evaluations.visit_handling``): a case's steps are its tasks and Events instead.
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("fixed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    appealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appealed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    appealed_at = models.DateTimeField(_("appealed at"), null=True, blank=True)
    appeal_decided_at = models.DateTimeField(_("appeal decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        indexes = [models.Index(fields=["department", "status"], name="rectification_dept")]

    def __str__(self) -> str:
        return f"rectification of {self.rating_id}"
