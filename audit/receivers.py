"""Records from other apps' signals: logins, logouts, failed logins, lockouts, admin changes.

Connected once from ``AuditConfig.ready``. The receivers never raise: a login must not fail
because its record could not be written (``record_safely`` logs that instead).
"""

from __future__ import annotations

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import signals as auth_signals
from django.db.models.signals import post_save

from .models import AuditCategory
from .records import record_safely

_ADMIN_ACTIONS = {ADDITION: "admin_add", CHANGE: "admin_change", DELETION: "admin_delete"}


def _logged_in(sender, request, user, **kwargs) -> None:
    record_safely(AuditCategory.LOGIN, "login", actor=user, request=request, target=user)


def _logged_out(sender, request, user, **kwargs) -> None:
    record_safely(AuditCategory.LOGOUT, "logout", actor=user, request=request)


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django already replaced the password in ``credentials`` with stars; only the name is kept.
    username = str((credentials or {}).get("username", ""))[:150]
    record_safely(
        AuditCategory.LOGIN_FAILED,
        "login_failed",
        request=request,
        actor=None,
        detail={"username": username},
    )


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    record_safely(
        AuditCategory.LOCKOUT,
        "locked_out",
        request=request,
        actor=None,
        detail={"username": str(username or "")[:150], "address": str(ip_address or "")},
    )


def _admin_change(sender, instance: LogEntry, created: bool = False, raw: bool = False, **kwargs):
    if not created or raw:
        return
    record_safely(
        AuditCategory.ADMIN,
        _ADMIN_ACTIONS.get(instance.action_flag, "admin_change"),
        actor=instance.user,
        object_type=(
            f"{instance.content_type.app_label}.{instance.content_type.model}"
            if instance.content_type_id
            else ""
        ),
        object_id=instance.object_id or "",
        detail={"object": instance.object_repr, "message": instance.get_change_message()},
    )


def connect() -> None:
    auth_signals.user_logged_in.connect(_logged_in, dispatch_uid="audit.login")
    auth_signals.user_logged_out.connect(_logged_out, dispatch_uid="audit.logout")
    auth_signals.user_login_failed.connect(_login_failed, dispatch_uid="audit.login_failed")
    post_save.connect(_admin_change, sender=LogEntry, dispatch_uid="audit.admin")
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="audit.lockout")
