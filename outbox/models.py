"""A message to Celery, written in the same transaction as the change that needs it.

``onestop.dispatch.enqueue`` inserts the row; after commit the row is published and marked
sent; the relay (``outbox.relay``, on the beat) publishes any row still unsent a little later,
again until it is sent. A broker that is down therefore loses nothing, and a rolled-back change
sends nothing."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    task_name = models.CharField(_("task"), max_length=100)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The relay reads only unsent rows, oldest first.
            models.Index(
                fields=["created_at"], name="outbox_unsent", condition=Q(sent_at__isnull=True)
            ),
            models.Index(fields=["sent_at"], name="outbox_sent_at"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk}"
