"""The audit log's rows.

Writers only insert (``records.record``); the sealer (``chain.seal``) later gives each row its
place in the chain (``chain_index``), the hash of the row before it and its own keyed hash. On
PostgreSQL the table is partitioned by month of ``at`` (migration 0002), so retention drops
whole months; the primary key there is ``(id, at)``, which Django need not know: ``id`` comes
from one sequence and is unique on its own.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditCategory(models.TextChoices):
    REQUEST = "request", _("Change request")
    DENIED = "denied", _("Refused access to an object")
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    LOCKOUT = "lockout", _("Lockout")
    ROLE = "role", _("Role change")
    CATALOGUE = "catalogue", _("Catalogue change")
    ADMIN = "admin", _("Admin change")
    DATA = "data", _("Personal data")
    SYSTEM = "system", _("System")


class AuditRecord(models.Model):
    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    category = models.CharField(_("category"), max_length=20, choices=AuditCategory.choices)
    action = models.CharField(_("action"), max_length=100)
    # The actor as they were then: an id (no foreign key: the log outlives accounts) and a label.
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    client_ip = models.CharField(_("client address"), max_length=45, blank=True)
    method = models.CharField(_("method"), max_length=10, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)
    status_code = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    # Filled by the sealer, never by a writer.
    chain_index = models.BigIntegerField(_("chain position"), null=True, blank=True, db_index=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    row_hash = models.CharField(_("hash"), max_length=64, blank=True)
    sealed_at = models.DateTimeField(_("sealed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["id"], name="audit_unsealed_idx", condition=models.Q(sealed_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.category} {self.action}"


class AuditCheckpoint(models.Model):
    """Where the chain stood when a month was dropped (retention): the first remaining row's
    ``prev_hash`` must equal ``last_hash``, so dropping old months never looks like tampering and
    removing a month that was not dropped by the command still does."""

    partition = models.CharField(_("partition"), max_length=63, unique=True)
    last_chain_index = models.BigIntegerField(_("last chain position"))
    last_hash = models.CharField(_("last hash"), max_length=64)
    rows = models.BigIntegerField(_("rows"))
    dropped_at = models.DateTimeField(_("dropped at"), default=timezone.now)

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["-last_chain_index"]

    def __str__(self) -> str:
        return f"{self.partition} (≤ {self.last_chain_index})"


class DataAccessKind(models.TextChoices):
    VIEW = "view", _("Viewed full personal data")
    DOWNLOAD = "download", _("Downloaded a material")
    EXPORT = "export", _("Exported data")


class DataAccess(models.Model):
    """One look at someone's personal data (PIPL art. 45 / GB/T 35273 §8: the person may ask who
    processed their data): a full ID number or phone shown, a material downloaded, an export
    written. The citizen reads the rows about them on their account page; each row is also
    written to the hash-chained audit log (category ``data``), which makes the pair tamper-evident.

    No foreign keys: this app sits below every domain app, and the log outlives accounts and
    cases. ``person_id`` is a ``permits.Person`` primary key (None for an export that is about
    no one person), ``application_number`` the case it was for."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=10, choices=DataAccessKind.choices)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    # Who the citizen is told looked: the staff member's name and their departments.
    actor_name = models.CharField(_("staff name"), max_length=150, blank=True)
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    person_id = models.BigIntegerField(_("person id"), null=True, blank=True)
    application_number = models.CharField(_("application number"), max_length=20, blank=True)
    what = models.CharField(_("what"), max_length=300, blank=True)
    client_ip = models.CharField(_("client address"), max_length=45, blank=True)

    class Meta:
        verbose_name = _("personal-data access")
        verbose_name_plural = _("personal-data accesses")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person_id", "-at"], name="audit_dataaccess_person_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.application_number}"
