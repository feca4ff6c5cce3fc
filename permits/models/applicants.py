"""Applicants: persons, enterprises and the handlers (经办人) who act for enterprises."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.pii import EncryptedCharField, LookupHashField
from permits.validators import (
    mask_id_number,
    mask_name,
    mask_phone,
    normalise_identifier,
    validate_credit_code,
    validate_id_number,
)


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    HK_MACAO_PERMIT = "hk_macao_permit", _("Hong Kong/Macao resident permit")
    TAIWAN_PERMIT = "taiwan_permit", _("Taiwan resident permit")
    FOREIGN_PERMANENT_ID = "foreign_permanent_id", _("Foreign permanent resident ID")
    PASSPORT = "passport", _("Passport")


class Person(models.Model):
    """A natural person. A user account belongs to a person; a walk-in applicant may have none."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    real_name = models.CharField(_("real name"), max_length=60)
    id_type = models.CharField(
        _("ID type"), max_length=24, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    # SM4-encrypted at rest, matched through the HMAC-SM3 hashes (onestop/pii.py); find a
    # person by ID number only through permits.selectors.persons_with_id.
    id_number = EncryptedCharField(_("ID number"), max_length=32)
    # Indexed in Meta: the ID hash leads the unique constraint, the phone hash has a plain
    # index (no ``_like`` twin: nobody matches a hash by prefix).
    id_number_hash = LookupHashField(source="id_number")
    phone = EncryptedCharField(_("phone"), max_length=20)
    phone_hash = LookupHashField(source="phone")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        # The hash first, so the one index serves persons_with_id (type and hash) and the
        # admin's search by ID number alone (docs/load-dataset.md, "Where the bytes go").
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash", "id_type"], name="person_id_hash_unique"
            )
        ]
        indexes = [models.Index(fields=["phone_hash"], name="person_phone_hash")]

    def __str__(self) -> str:
        return f"{mask_name(self.real_name)} ({self.masked_id_number})"

    def clean(self) -> None:
        self.id_number = normalise_identifier(self.id_number)
        if self.id_number:
            try:
                validate_id_number(self.id_type, self.id_number)
            except ValidationError as exc:
                raise ValidationError({"id_number": exc.messages}) from None

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_name(self) -> str:
        return mask_name(self.real_name)


class Enterprise(models.Model):
    """A legal person or other organisation, identified by its unified social credit code."""

    name = models.CharField(_("name"), max_length=120)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    legal_representative = models.CharField(_("legal representative"), max_length=60, blank=True)
    # 企业类型 as registered (有限责任公司…); empty for an enterprise registered by its handler.
    kind = models.CharField(_("enterprise type"), max_length=60, blank=True)
    # The establishment case (企业开办) whose outcome this enterprise is (issue 14 item 1).
    established_by = models.OneToOneField(
        "permits.Application",
        verbose_name=_("established by case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="established_enterprise",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.credit_code = normalise_identifier(self.credit_code)


def scope_all() -> str:
    return "all"


def is_valid_scope(scope: object) -> bool:
    """A handler's scope is ``"all"`` or a non-empty list of item codes (strings)."""
    if scope == "all":
        return True
    return (
        isinstance(scope, list)
        and bool(scope)
        and all(isinstance(code, str) and code.strip() for code in scope)
    )


class HandlerQuerySet(models.QuerySet):
    def valid(self, *, at=None) -> HandlerQuerySet:
        """Current handlers: not removed, and ``valid_until`` (inclusive) not passed."""
        at = at or timezone.localdate()
        return self.filter(removed_at__isnull=True).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=at)
        )


class Handler(models.Model):
    """A person authorised to act for an enterprise (经办人), for all items or some."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="handlers"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="handler_of"
    )
    # "all", or a list of item codes the handler may act on.
    scope = models.JSONField(_("scope"), default=scope_all)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    # Removing a handler ends the authorisation but keeps the row: cases record who acted.
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = HandlerQuerySet.as_manager()

    class Meta:
        verbose_name = _("handler")
        verbose_name_plural = _("handlers")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "person"], name="handler_unique")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.person}"

    def clean(self) -> None:
        if not is_valid_scope(self.scope):
            raise ValidationError(
                {"scope": _('The scope is "all" or a non-empty list of item codes.')}
            )

    def covers(self, item_code: str, *, at=None) -> bool:
        """Whether this handler may act for the enterprise on that item today."""
        if not self.is_current(at=at):
            return False
        return self.scope == "all" or item_code in (self.scope or [])

    def is_current(self, *, at=None) -> bool:
        """Not removed, and ``valid_until`` (inclusive) not passed."""
        at = at or timezone.localdate()
        if self.removed_at is not None:
            return False
        return self.valid_until is None or self.valid_until >= at
