"""Writes of the logins app: tokens, service-client tokens, the second factor, password reset
by SMS code, and unlocking a locked-out login.

Each function runs in one transaction and takes the acting user explicitly where there is one.
Messages are translatable; errors are :class:`logins.exceptions.LoginsError`.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.records import record as audit_record
from logins.exceptions import LoginsError
from logins.models import ApiToken, PasswordResetCode, ServiceClient

logger = logging.getLogger("logins")

# bandit B105: a token prefix, not a password
SERVICE_TOKEN_PREFIX = "svc_"  # nosec B105
RECOVERY_CODE_COUNT = 10


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# --------------------------------------------------------------------------------------------
# Personal API tokens


def token_issue(*, user: Any, second_factor: bool) -> tuple[ApiToken, str]:
    """A new token for ``user``, valid for ``API_TOKEN_TTL`` seconds. Returns the row and the
    key, which is shown this once and never stored."""
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        digest=token_digest(key),
        prefix=key[:8],
        second_factor=second_factor,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.API_TOKEN_TTL),
    )
    return token, key


def token_revoke(*, token: ApiToken) -> None:
    """Revoke one token (API logout)."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def tokens_revoke_for_user(*, user: Any, only_without_second_factor: bool = False) -> int:
    """Revoke every live token of ``user`` (password change, second factor enrolled)."""
    tokens = ApiToken.objects.filter(user_id=user.pk, revoked_at__isnull=True)
    if only_without_second_factor:
        tokens = tokens.filter(second_factor=False)
    return tokens.update(revoked_at=timezone.now())


# --------------------------------------------------------------------------------------------
# Service clients


def service_client_token_issue(*, client: ServiceClient) -> str:
    """Give the client a new token (the old one stops working). Shown once."""
    key = SERVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        client.digest = token_digest(key)
        client.prefix = key[:12]
        client.save(update_fields=["digest", "prefix"])
    return key


def service_client_create(*, name: str, scopes: list[str], description: str = "") -> tuple:
    with transaction.atomic():
        client = ServiceClient.objects.create(
            name=name, scopes=sorted(set(scopes)), description=description
        )
        key = service_client_token_issue(client=client)
    return client, key


# --------------------------------------------------------------------------------------------
# Second factor (django-otp: a TOTP device, and a static device holding the recovery codes)


def totp_device_for_enrolment(*, user: Any) -> TOTPDevice:
    """The user's unconfirmed TOTP device, made on first call (its key is the QR code's)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=str(_("Authenticator app")), confirmed=False
        )
    return device


def _recovery_codes_replace(*, user: Any) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def second_factor_confirm(*, user: Any, device: TOTPDevice, token: str) -> list[str]:
    """Confirm an enrolment with a first code from the app. Returns the recovery codes (shown
    once). Older tokens issued without a second factor stop working."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if not device.verify_token((token or "").strip()):
            raise LoginsError(
                "invalid", _("The code is not correct. Check the time on your phone and retry.")
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _recovery_codes_replace(user=user)
        tokens_revoke_for_user(user=user, only_without_second_factor=True)
    logger.info("second factor enrolled for user %s", user.pk)
    return codes


def recovery_codes_regenerate(*, user: Any) -> list[str]:
    with transaction.atomic():
        return _recovery_codes_replace(user=user)


def second_factor_remove(*, user: Any, actor: Any) -> None:
    """Remove the user's devices: a citizen opting out, or an administrator resetting a lost
    phone (the staff member then enrols again at the next login)."""
    from logins.policy import is_staff_account

    if actor.pk == user.pk and settings.TWO_FACTOR_REQUIRED and is_staff_account(user):
        raise LoginsError(
            "forbidden", _("Staff accounts must keep their second factor; ask an administrator.")
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    logger.info("second factor removed for user %s by %s", user.pk, actor.pk)


# --------------------------------------------------------------------------------------------
# Password reset by SMS code


def _code_digest(code: str) -> str:
    return salted_hmac("logins.password_reset", code, algorithm="sha256").hexdigest()


def password_reset_request(*, user: Any, phone: str, send: Callable[[str, str], None]) -> None:
    """Make a reset code for ``user`` and have ``send(phone, text)`` deliver it after commit.

    The caller found ``user`` by username *and* phone and throttles the requests; the answer
    to the visitor never says whether they matched. Earlier codes of the user become void."""
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = settings.PASSWORD_RESET_CODE_TTL // 60
    text = str(
        _("Your password reset code is %(code)s, valid for %(minutes)s minutes. Never share it.")
        % {"code": code, "minutes": minutes}
    )
    now = timezone.now()
    with transaction.atomic():
        PasswordResetCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
        PasswordResetCode.objects.create(
            user=user,
            code_digest=_code_digest(code),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.PASSWORD_RESET_CODE_TTL),
        )
        transaction.on_commit(lambda: send(phone, text))


def password_reset_confirm(*, user: Any, code: str, new_password: str) -> None:
    """Set a new password with a valid code: the code is used up, every API token of the user is
    revoked (by the password-change receiver) and its other sessions end (Django's session
    hash). A wrong code counts one try of the code's few (``PASSWORD_RESET_MAX_ATTEMPTS``)."""
    now = timezone.now()
    wrong = _("The code is not correct or has expired. Ask for a new one.")
    error: LoginsError | None = None
    with transaction.atomic():
        row = (
            PasswordResetCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if row is None or row.attempts >= settings.PASSWORD_RESET_MAX_ATTEMPTS:
            raise LoginsError("invalid", wrong, fields={"code": [wrong]})
        if not constant_time_compare(row.code_digest, _code_digest((code or "").strip())):
            row.attempts += 1
            row.save(update_fields=["attempts"])  # kept: the error is raised after commit
            error = LoginsError("invalid", wrong, fields={"code": [wrong]})
        else:
            try:
                validate_password(new_password, user)
            except ValidationError as exc:
                raise LoginsError(
                    "invalid", exc.messages[0], fields={"new_password": exc.messages}
                ) from exc
            row.used_at = now
            row.save(update_fields=["used_at"])
            user.set_password(new_password)
            user.save(update_fields=["password"])
    if error is not None:
        raise error
    logger.info("password reset by SMS code for user %s", user.pk)


# --------------------------------------------------------------------------------------------
# Lockout


def login_unlock(*, actor: Any, username: str | None = None, ip_address: str | None = None) -> int:
    """Lift the lockout of an account and/or an address: every failure recorded against the
    username or the address (django-axes' records) is cleared. Returns how many records."""
    from axes.models import AccessAttempt
    from django.db.models import Q

    if not username and not ip_address:
        raise LoginsError("invalid", _("Give a username or an address."))
    match = Q(pk__in=[])
    if username:
        match |= Q(username=username)
    if ip_address:
        match |= Q(ip_address=ip_address)
    count, _deleted = AccessAttempt.objects.filter(match).delete()
    logger.warning(
        "login unlocked by %s: username=%s ip=%s (%s records)",
        getattr(actor, "pk", actor),
        username or "-",
        ip_address or "-",
        count,
    )
    audit_record(
        "lockout",
        "unlocked",
        actor=actor,
        detail={"username": username or "", "address": ip_address or "", "records": count},
    )
    return count
