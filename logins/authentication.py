"""DRF authentication by hashed token: personal tokens and service clients' tokens.

Both subclass DRF's ``TokenAuthentication`` (header ``Authorization: Token <key>``), so code that
asks "did this request come with a token?" keeps working. A personal token authenticates its
user while it is neither expired nor revoked, the user is active, and — for an account that
needs a second factor — it was issued with one. A service client's key starts with ``svc_``;
it authenticates no user (``request.user`` stays anonymous) and ``request.auth`` is the
:class:`~logins.models.ServiceClient`, which only :class:`logins.permissions.HasServiceScope`
lets through.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermission
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from departments import roles
from logins import policy
from logins.models import ApiToken, ServiceClient
from logins.services import SERVICE_TOKEN_PREFIX, token_digest

# last_used_at is written at most this often per token (a write per request would be wasteful).
_TOUCH_EVERY = timedelta(minutes=5)

INVALID = _("Invalid or expired token.")


def _object_grants_exist() -> Exists:
    """Whether the token's user holds one of the guardian object permissions the access rules
    read (``departments.roles.OBJECT_GRANT_PERMISSIONS``): when not, their read is saved."""
    wanted = Q(pk__in=[])
    for app_label, codename in roles.OBJECT_GRANT_PERMISSIONS:
        wanted |= Q(permission__codename=codename, permission__content_type__app_label=app_label)
    return Exists(UserObjectPermission.objects.filter(wanted, user_id=OuterRef("user_id")))


class ApiTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str):
        if key.startswith(SERVICE_TOKEN_PREFIX):
            return None  # the service-client class answers
        now = timezone.now()
        # One query: the token, its user and whether the user has a confirmed second-factor
        # device (the policy's question, asked here instead of once per device class).
        tokens = (
            ApiToken.objects.live(now=now)
            .select_related("user")
            .annotate(
                user_has_device=policy.has_device_expression(),
                user_has_object_grants=_object_grants_exist(),
            )
            .filter(digest=token_digest(key))
        )
        postgres = connection.vendor == "postgresql"
        if postgres:
            tokens = tokens.annotate(user_staff_roles=roles.staff_grants_expression())
        token = tokens.first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(INVALID)
        # What this query learnt about the user, kept where the policy and the access rules
        # look first (each would otherwise ask again in this request).
        setattr(token.user, policy.HAS_DEVICE_ATTR, token.user_has_device)
        if postgres:
            roles.prime_staff_grants(token.user, token.user_staff_roles)
        if roles.OBJECT_GRANT_PERMISSIONS and not token.user_has_object_grants:
            roles.prime(token.user, roles.OBJECT_GRANTS_KEY, {})
        if not token.second_factor and policy.second_factor_required(token.user):
            raise exceptions.AuthenticationFailed(INVALID)
        if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token


class ServiceClientAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str):
        if not key.startswith(SERVICE_TOKEN_PREFIX):
            return None
        now = timezone.now()
        client = (
            ServiceClient.objects.filter(digest=token_digest(key), is_active=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .first()
        )
        if client is None:
            raise exceptions.AuthenticationFailed(INVALID)
        if client.last_used_at is None or now - client.last_used_at > _TOUCH_EVERY:
            ServiceClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return AnonymousUser(), client
