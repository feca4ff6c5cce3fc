"""A generated document of a case, stored through the storage API (``STORAGES``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    ACCEPTANCE_NOTICE = "acceptance_notice", _("Acceptance notice")
    NOT_ACCEPTED_NOTICE = "not_accepted_notice", _("Not-accepted notice")
    SUPPLEMENT_NOTICE = "supplement_notice", _("One-time complete notice")
    TOLERANCE_COMMITMENT = "tolerance_commitment", _("Tolerance commitment")
    DECISION_NOTICE = "decision_notice", _("Decision notice")
    CERTIFICATE = "certificate", _("Electronic certificate")


def document_upload_to(instance: CaseDocument, filename: str) -> str:
    return f"documents/{instance.application.number}/{filename}"


class CaseDocument(models.Model):
    """One generated PDF. A document is generated again when the case changed since (a new
    row; the older ones stay for the record)."""

    application = models.ForeignKey(
        "permits.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=300)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # The case's state the document was made from: a changed case makes a new one.
    fingerprint = models.CharField(_("source fingerprint"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["application", "kind", "-created_at", "-pk"]
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")
        indexes = [models.Index(fields=["application", "kind"], name="casedoc_app_kind")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind}"

    @property
    def name(self) -> str:
        return f"{self.application.number}-{self.get_kind_display()}.pdf"
