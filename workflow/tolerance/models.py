"""The tolerance record of a case (容缺受理): what was missing, the commitment, the deadline,
and how it ended (materials delivered, or the case terminated by the sweep)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Tolerance(models.Model):
    """One per accepted case that had tolerated materials. Open while neither ``fulfilled_at``
    nor ``terminated_at`` is set; the decision waits for it (``workflow.steps.decision``)."""

    application = models.OneToOneField(
        "permits.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="tolerance",
    )
    # [{"requirement": id, "name": name}] — the tolerated requirements at acceptance.
    missing = models.JSONField(_("tolerated materials"), default=list)
    deadline = models.DateField(_("tolerance deadline"))
    # 23:59:59 Asia/Shanghai on the deadline day, and when the applicant is reminded.
    ends_at = models.DateTimeField(_("ends at"))
    remind_at = models.DateTimeField(_("remind at"))
    commitment = models.TextField(_("commitment text"))
    signed_by = models.CharField(_("commitment signed by"), max_length=200)
    signed_at = models.DateTimeField(_("commitment signed at"), default=timezone.now)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("materials delivered at"), null=True, blank=True)
    # Set by the sweep when the deadline passed (claims the row); the follow-up terminates
    # the case under its lock and sets ``terminated_at``.
    terminating_at = models.DateTimeField(_("termination claimed at"), null=True, blank=True)
    terminated_at = models.DateTimeField(_("terminated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("tolerance acceptance")
        verbose_name_plural = _("tolerance acceptances")
        indexes = [
            models.Index(
                fields=["remind_at"],
                name="tolerance_sweep_remind",
                condition=Q(
                    reminded_at__isnull=True,
                    fulfilled_at__isnull=True,
                    terminating_at__isnull=True,
                ),
            ),
            models.Index(
                fields=["ends_at"],
                name="tolerance_sweep_end",
                condition=Q(fulfilled_at__isnull=True, terminating_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} ≤ {self.deadline}"

    @property
    def is_open(self) -> bool:
        return self.fulfilled_at is None and self.terminated_at is None

    @property
    def requirement_ids(self) -> list[int]:
        return [int(m["requirement"]) for m in self.missing]

    @property
    def names(self) -> list[str]:
        return [str(m.get("name", "")) for m in self.missing]
