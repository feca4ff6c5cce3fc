"""The notification centre (站内消息) and the deliveries of each notice by e-mail and SMS.

A notification is created once per (case event, recipient): the unique constraints are the
idempotency key, so a redelivered Celery message changes nothing. A delivery is one channel of
one notification, sent by Celery after commit; its status records what happened.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.pii import EncryptedCharField


class NotificationKind(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    SUPPLEMENT = "supplement", _("Supplement needed")
    DEPARTMENT_DECISION = "department_decision", _("Department decision")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    CERTIFICATE_READY = "certificate_ready", _("Certificate ready")
    WARNING = "warning", _("Deadline warning")
    OVERDUE = "overdue", _("Overdue")
    ESCALATED = "escalated", _("Escalated")
    DEEMED_APPROVED = "deemed_approved", _("Deemed approval")
    CLOCK_PAUSED = "clock_paused", _("Clock paused")
    CLOCK_RESUMED = "clock_resumed", _("Clock resumed")
    EXTENDED = "extended", _("Time limit extended")
    ANSWERED = "answered", _("Answered")
    GENERAL = "general", _("Notice")


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One notice to one person. ``recipient`` is empty for an applicant without an account
    (a walk-in case), who is reached by SMS only."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    application = models.ForeignKey(
        "permits.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    event = models.ForeignKey(
        "permits.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"))
    # What the notice says, kept to render it in the reader's language when shown (the kind
    # names the message; notifications.selectors.shown). Empty for notices made before.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"], name="notification_unread", condition=Q(read_at__isnull=True)
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient"],
                condition=Q(event__isnull=False, recipient__isnull=False),
                name="notification_once_per_event_recipient",
            ),
            models.UniqueConstraint(
                fields=["event", "kind"],
                condition=Q(event__isnull=False, recipient__isnull=True),
                name="notification_once_per_event_without_account",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Sending failed")


class Delivery(models.Model):
    """One channel of one notification."""

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    # The recipient's phone or e-mail, SM4-encrypted at rest (onestop/pii.py).
    to = EncryptedCharField(_("to"), max_length=254)
    status = models.CharField(
        _("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="delivery_pending",
                condition=Q(status="pending"),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.notification_id} ({self.status})"


class EventNotified(models.Model):
    """That a case event has been turned into notifications: the catch-up sweep looks for
    notifying events without this row (a message lost with a broker outage)."""

    event = models.OneToOneField(
        "permits.Event", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notified event")
        verbose_name_plural = _("notified events")

    def __str__(self) -> str:
        return str(self.event_id)
