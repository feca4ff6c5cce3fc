"""Rows of process-centred intake (registered through ``workflow.models``).

* ``RequestLimit`` — an item's own limit for a request kind (and urgency), overriding the
  defaults of ``workflow.deadlines.requestlimits`` (Guangdong's 12345 rules).
* ``PetitionExtension`` — the one extension of a petition's handling (信访工作条例 第三十五条:
  up to 30 days, the handling unit's head approving with reasons).
* ``PetitionReview`` — a petitioner's request for 复查 (re-examination) or 复核 (review) by the
  next higher authority, its limit and its decision.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from permits.choices import RequestKind, TimeLimitUnit, Urgency


class RequestLimit(models.Model):
    """One item's limit for one request kind; ``urgency`` empty means any urgency."""

    item = models.ForeignKey(
        "permits.ServiceItem",
        verbose_name=_("service item"),
        on_delete=models.CASCADE,
        related_name="request_limits",
    )
    request_kind = models.CharField(_("request kind"), max_length=12, choices=RequestKind.choices)
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices, blank=True)
    amount = models.PositiveIntegerField(_("time limit"), validators=[MinValueValidator(1)])
    unit = models.CharField(
        _("time limit unit"),
        max_length=14,
        choices=TimeLimitUnit.choices,
        default=TimeLimitUnit.WORKING_DAY,
    )

    class Meta:
        verbose_name = _("request limit")
        verbose_name_plural = _("request limits")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "request_kind", "urgency"], name="request_limit_unique"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.item_id} {self.request_kind}/{self.urgency or '*'}: {self.amount} {self.unit}"
        )


class PetitionExtension(models.Model):
    """The one extension of a petition's handling limit (one row per case at most)."""

    application = models.OneToOneField(
        "permits.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="petition_extension",
    )
    days = models.PositiveSmallIntegerField(_("days"))
    reasons = models.TextField(_("reasons"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    due_before = models.DateTimeField(_("due before"), null=True, blank=True)
    due_after = models.DateTimeField(_("due after"), null=True, blank=True)

    class Meta:
        verbose_name = _("petition extension")
        verbose_name_plural = _("petition extensions")

    def __str__(self) -> str:
        return f"{self.application_id} +{self.days}"


class ReviewLevel(models.TextChoices):
    REVIEW = "review", _("Re-examination (复查)")
    RECHECK = "recheck", _("Review (复核)")


class ReviewOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    CHANGED = "changed", _("Changed")
    REVOKED = "revoked", _("Revoked, to be handled again")


class PetitionReview(models.Model):
    """A request for 复查 or 复核 and its decision. ``due_at`` is 30 calendar days after the
    request; hearing time (复核 only) is added when the hearing ends."""

    application = models.ForeignKey(
        "permits.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="petition_reviews",
    )
    level = models.CharField(_("level"), max_length=10, choices=ReviewLevel.choices)
    authority = models.ForeignKey(
        "departments.Department",
        verbose_name=_("reviewing authority"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reasons = models.TextField(_("reasons"))
    due_at = models.DateTimeField(_("due"))
    hearing_since = models.DateTimeField(_("hearing since"), null=True, blank=True)
    hearing_days = models.PositiveSmallIntegerField(_("hearing days"), default=0)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=ReviewOutcome.choices, blank=True
    )
    opinion = models.TextField(_("opinion"), blank=True)

    class Meta:
        ordering = ["application", "requested_at", "pk"]
        verbose_name = _("petition review")
        verbose_name_plural = _("petition reviews")
        constraints = [
            models.UniqueConstraint(fields=["application", "level"], name="petition_review_once")
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.level}"

    @property
    def is_open(self) -> bool:
        return self.decided_at is None
