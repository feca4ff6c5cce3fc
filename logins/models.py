"""Hashed API tokens, service clients with scoped tokens, and SMS password-reset codes.

No secret is stored in clear: a token is 32 random bytes shown once, and only its SHA-256 is
kept (a high-entropy secret needs no slow hash; the digest is the lookup key). A reset code is
six digits, so it is kept as a keyed HMAC and allows only a few tries before it is void.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def live(self, *, now=None) -> ApiTokenQuerySet:
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """A personal API token (``Authorization: Token <key>``); it expires and can be revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("first characters"), max_length=8, editable=False)
    second_factor = models.BooleanField(
        _("issued with the second factor"), default=False, editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [
            models.Index(
                fields=["user"], name="apitoken_live_user", condition=Q(revoked_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"


class ServiceClient(models.Model):
    """Another government system calling the API with its own token, limited to its scopes
    (e.g. ``ratings.export`` for the provincial platform). It is no user: pages and endpoints
    for people never accept it; only endpoints that name one of its scopes do."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    digest = models.CharField(_("digest"), max_length=64, blank=True, editable=False)
    prefix = models.CharField(_("first characters"), max_length=12, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service client")
        verbose_name_plural = _("service clients")
        constraints = [
            models.UniqueConstraint(
                fields=["digest"], condition=~Q(digest=""), name="serviceclient_digest_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_authenticated(self) -> bool:  # lets DRF's throttles key on it like a user
        return True

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class PasswordResetCode(models.Model):
    """One SMS code for resetting a password; valid for a few minutes and a few tries."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    code_digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("password reset code")
        verbose_name_plural = _("password reset codes")
        indexes = [models.Index(fields=["user", "-created_at"], name="resetcode_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
