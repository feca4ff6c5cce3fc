"""Receivers: what a login, a password change and a lockout set off."""

from __future__ import annotations

import logging
import time

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from logins import policy
from onestop.clientip import client_ip

logger = logging.getLogger("logins")
User = get_user_model()


@receiver(user_logged_in, dispatch_uid="logins-session-flags")
def remember_login_kind(sender, request, user, **kwargs) -> None:
    """Facts the session guards read on every request without a query."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session[policy.SESSION_NEEDS_SECOND_FACTOR] = policy.has_second_factor(user)
    session[policy.SESSION_STAFF] = policy.is_staff_account(user)
    session[policy.SESSION_LAST_SEEN] = int(time.time())


@receiver(pre_save, sender=User, dispatch_uid="logins-password-before")
def _note_password_change(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if (
        raw
        or instance.pk is None
        or (update_fields is not None and "password" not in update_fields)
    ):
        return
    old = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._logins_password_changed = old is not None and old != instance.password


@receiver(post_save, sender=User, dispatch_uid="logins-password-after")
def revoke_tokens_on_password_change(sender, instance, created=False, **kwargs) -> None:
    """A new password ends every API token of the account (sessions end by Django's own session
    hash check)."""
    if getattr(instance, "_logins_password_changed", False):
        instance._logins_password_changed = False
        from logins.services import tokens_revoke_for_user

        tokens_revoke_for_user(user=instance)


@receiver(user_locked_out, dispatch_uid="logins-lockout-log")
def log_lockout(sender, request, username=None, ip_address=None, **kwargs) -> None:
    logger.warning(
        "login locked out: username=%s ip=%s path=%s",
        username or "-",
        ip_address or (client_ip(request) if request is not None else "-"),
        getattr(request, "path", "-"),
    )
