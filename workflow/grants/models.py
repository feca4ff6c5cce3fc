"""The records of the exceptional object grants (registered through ``workflow.models``).

Each row is the story of one grant (who, why, until when, who ended it); the grant itself is a
django-guardian object permission written in the same transaction by
``workflow.grants.services``. Both kinds run until a date (inclusive, Asia/Shanghai) or until a
head ends them; the deadline sweep ends the ones whose date has passed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

ACTIVE = Q(ended_at__isnull=True)


class GrantQuerySet(models.QuerySet):
    def active(self, *, today):
        """Not ended, and running through ``today`` (a date; no date means no end)."""
        return self.filter(ACTIVE).filter(Q(until__isnull=True) | Q(until__gte=today))

    def expired(self, *, today):
        """Not ended yet, but their last day is before ``today``: the sweep's rows."""
        return self.filter(ACTIVE, until__lt=today)


class CaseShare(models.Model):
    """One case shared read-only with a named staff member (for an expert opinion)."""

    application = models.ForeignKey(
        "permits.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="shares",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared with"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("sharing department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"))
    until = models.DateField(_("until"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("case share")
        verbose_name_plural = _("case shares")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "user"], condition=ACTIVE, name="caseshare_one_active"
            ),
        ]
        indexes = [models.Index(fields=["until"], condition=ACTIVE, name="caseshare_due")]

    def __str__(self) -> str:
        return f"{self.application_id} → {self.user_id}"


class Delegation(models.Model):
    """A staff member's tasks in one department, delegated to a colleague for a period (代岗)."""

    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("absent member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delegate"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    until = models.DateField(_("until"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        permissions = [("act_for_colleague", _("Can act on a colleague's tasks (delegation)"))]
        constraints = [
            models.UniqueConstraint(
                fields=["from_user", "department"],
                condition=ACTIVE,
                name="delegation_one_active",
            ),
            models.CheckConstraint(
                condition=~Q(from_user=F("to_user")), name="delegation_not_to_self"
            ),
        ]
        indexes = [
            models.Index(fields=["until"], condition=ACTIVE, name="delegation_due"),
            models.Index(fields=["department", "ended_at"], name="delegation_department"),
        ]

    def __str__(self) -> str:
        return f"{self.from_user_id} → {self.to_user_id} ({self.department_id})"
