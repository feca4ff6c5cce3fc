"""A case's records beside its rows: the append-only event log, the one-time supplement
notices (一次性告知) and the certificates (电子证照) an approved case issues. Split from
``applications.py`` (cases, department rows, materials), which they refer to; the certificate's
code default stays there, where migration 0004 names it."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permits.event_notes import note_text
from permits.models.applications import Application, Channel, new_verification_code


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ARG002
        raise ValidationError(_("The event log is append-only."))

    def delete(self):
        raise ValidationError(_("The event log is append-only."))


class Event(models.Model):
    """Append-only log of every change to a case: the timeline, the audit trail and the raw
    material of statistics. ``actor`` is empty for the system (sweeps, deemed approvals)."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a partial index below (system events have none)
    )
    action = models.CharField(_("action"), max_length=40)
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a partial index below (case-level events have none)
    )
    status_before = models.CharField(_("status before"), max_length=16, blank=True)
    status_after = models.CharField(_("status after"), max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    # The case's facts, copied by event_append so statistics read events without joins
    # (stats counts them into its read models; nothing reads events by these columns, so
    # only the foreign keys are indexed, for the deletion checks of an item or a region).
    item = models.ForeignKey(
        "permits.ServiceItem",
        verbose_name=_("service item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    region = models.ForeignKey(
        "departments.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    service_model = models.CharField(_("service model"), max_length=20, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["application", "at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        # Every index here is read (docs/load-dataset.md, "Where the bytes go"): a case's
        # events by the application's own foreign-key index (a dozen rows, sorted after: a
        # third of the size of an (application, at) index, whose keys do not deduplicate);
        # the notification catch-up, the 12345 board and the statistics' rebuild by action
        # and time; the other foreign keys only for the PROTECT checks when their row is
        # deleted (partial where the column is often empty).
        indexes = [
            models.Index(fields=["action", "at"], name="event_action_at"),
            models.Index(fields=["actor"], name="event_actor", condition=Q(actor__isnull=False)),
            models.Index(
                fields=["department"], name="event_dept", condition=Q(department__isnull=False)
            ),
            models.Index(fields=["item"], name="event_item"),
            models.Index(fields=["region"], name="event_region"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None or not self._state.adding:
            raise ValidationError(_("The event log is append-only."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The event log is append-only."))

    @property
    def note_text(self) -> str:
        """The note in the reader's language: a system note from its key and parameters
        (``permits.event_notes``), anything else as stored."""
        return note_text(self.note, self.data)


class SupplementNotice(models.Model):
    """The one-time complete notice (一次性告知) of what the applicant must add or correct.
    Every request open while the notice is unanswered is merged into it; the applicant's next
    submission answers it. ``requests``: ``[{"requirement", "material", "note", "department",
    "task"}]``."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="supplement_notices",
    )
    requests = models.JSONField(_("requests"), default=list)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # The case status the answer returns to (submitted or in_review).
    resume_status = models.CharField(_("return to"), max_length=14)

    class Meta:
        ordering = ["application", "-requested_at"]
        verbose_name = _("supplement notice")
        verbose_name_plural = _("supplement notices")
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(answered_at__isnull=True),
                name="one_open_supplement_notice",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} @ {self.requested_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")


class Certificate(models.Model):
    """An electronic licence (电子证照) issued as the result of an approved case."""

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    type = models.CharField(_("certificate type"), max_length=120)
    application = models.OneToOneField(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    holder_name = models.CharField(_("holder"), max_length=120)
    # An enterprise holder (the applicant's enterprise, or the one an establishment case
    # created); empty when a person holds the certificate.
    holder_enterprise = models.ForeignKey(
        "permits.Enterprise",
        verbose_name=_("holder enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    # The holder's credit code or ID number: only shown masked on public pages.
    holder_identifier = models.CharField(_("holder identifier"), max_length=40, blank=True)
    issuer = models.ForeignKey(
        "departments.Department",
        verbose_name=_("issuing department"),
        on_delete=models.PROTECT,
        related_name="issued_certificates",
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
    )
    verification_code = models.CharField(
        _("verification code"), max_length=16, default=new_verification_code
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        if self.status != CertificateStatus.VALID:
            return False
        return self.valid_until is None or self.valid_until >= day
