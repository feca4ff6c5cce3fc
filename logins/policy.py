"""Who must show a second factor, and how long a session may stay idle.

* **Staff accounts** — anyone holding a staff role, a superuser, or a user who may open the
  Django admin (``is_staff``) — must log in with a TOTP code when ``TWO_FACTOR_REQUIRED`` is on
  (always in production: the settings refuse to start otherwise).
* **Citizens** may opt in from their account page; once they have a confirmed device, they too
  must show it at every login.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django_otp import device_classes, user_has_device

from departments import roles as access

SESSION_NEEDS_SECOND_FACTOR = "logins_needs_second_factor"
SESSION_STAFF = "logins_staff"
SESSION_LAST_SEEN = "logins_last_seen"
# Set on a user object by a query that already asked whether the user has a confirmed device
# (the token authentication's one query), so has_second_factor need not ask again.
HAS_DEVICE_ATTR = "_logins_has_device"


def is_staff_account(user: Any) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_staff or access.is_staff_member(user))


def has_second_factor(user: Any) -> bool:
    """Whether the user has a confirmed TOTP device (or recovery codes)."""
    if user is None or not user.is_authenticated:
        return False
    known = getattr(user, HAS_DEVICE_ATTR, None)
    if known is not None:
        return bool(known)
    return bool(user_has_device(user))


def has_device_expression(user_ref: str = "user_id") -> Q | Exists:
    """``has_second_factor`` as a query expression over the user id ``user_ref`` of the outer
    query: the same question (a confirmed device of any installed django-otp device class), to
    be answered by the query that loads the user anyway."""
    expression: Q | Exists | None = None
    for model in device_classes():
        exists = Exists(model.objects.filter(user_id=OuterRef(user_ref), confirmed=True))
        expression = exists if expression is None else (expression | exists)
    return expression if expression is not None else Q(pk__in=[])


def second_factor_required(user: Any) -> bool:
    """Whether this user may only get in with a second factor."""
    if user is None or not user.is_authenticated:
        return False
    if settings.TWO_FACTOR_REQUIRED and is_staff_account(user):
        return True
    return has_second_factor(user)


def session_needs_second_factor(request: Any) -> bool:
    """For a session login: whether it needs the second factor. The login remembered whether the
    account had a device (no device query per request); staff need one whenever it is
    required."""
    user = request.user
    if request.session.get(SESSION_NEEDS_SECOND_FACTOR):
        return True
    return bool(settings.TWO_FACTOR_REQUIRED and is_staff_account(user))


def is_verified(user: Any) -> bool:
    """Whether the current session showed a second factor (django-otp's middleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def idle_timeout_seconds(*, staff: bool) -> int:
    return settings.STAFF_IDLE_TIMEOUT if staff else settings.CITIZEN_IDLE_TIMEOUT
