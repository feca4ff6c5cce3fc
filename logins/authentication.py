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
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from logins import policy
from logins.models import ApiToken, ServiceClient
from logins.services import SERVICE_TOKEN_PREFIX, token_digest

# last_used_at is written at most this often per token (a write per request would be wasteful).
_TOUCH_EVERY = timedelta(minutes=5)

INVALID = _("Invalid or expired token.")


class ApiTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str):
        if key.startswith(SERVICE_TOKEN_PREFIX):
            return None  # the service-client class answers
        now = timezone.now()
        token = (
            ApiToken.objects.live(now=now)
            .select_related("user")
            .filter(digest=token_digest(key))
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(INVALID)
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
