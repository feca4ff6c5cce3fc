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

from datetime import UTC, datetime, timedelta
from functools import cache

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import device_classes
from guardian.models import UserObjectPermission
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from departments import roles
from logins import policy
from logins.models import ApiToken, ServiceClient
from logins.services import SERVICE_TOKEN_PREFIX, token_digest
from onestop.prepared import PreparedQuery

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


def _token_query(*, now, digest: str):
    """The token of ``digest``, live at ``now``, with its user and what the request will ask
    about the user (second-factor device, object grants, staff roles, the apps' registered
    facts): one query."""
    tokens = (
        ApiToken.objects.live(now=now)
        .select_related("user")
        .annotate(user_has_device=policy.has_device_expression())
        .filter(digest=digest)
        .order_by("pk")
    )
    if roles.OBJECT_GRANT_PERMISSIONS:
        tokens = tokens.annotate(user_has_object_grants=_object_grants_exist())
    if connection.vendor == "postgresql":
        tokens = tokens.annotate(user_staff_roles=roles.staff_grants_expression())
    facts = {
        f"user_fact_{name}": expression("user_id")
        for name, (expression, _keep) in roles.USER_FACTS.items()
    }
    return tokens.annotate(**facts) if facts else tokens


@cache
def _device_models() -> tuple[str, ...]:
    # django-otp's device models: the installed apps', fixed once the registry is ready
    return tuple(model._meta.label for model in device_classes())


def _token_query_shape():
    """What the token query's SQL depends on besides its values (PreparedQuery's signature)."""
    return (
        connection.vendor,
        tuple(roles.OBJECT_GRANT_PERMISSIONS),
        tuple(roles.USER_FACTS),
        _device_models(),
    )


_AT_A = datetime(2001, 2, 3, 4, 5, 6, 111111, tzinfo=UTC)
_AT_B = datetime(2002, 3, 4, 5, 6, 7, 222222, tzinfo=UTC)
# Built and compiled once per connection; each request runs its SQL with its own values.
TOKEN_QUERY = PreparedQuery(
    ApiToken,
    _token_query,
    stand_ins=({"now": _AT_A, "digest": "0" * 64}, {"now": _AT_B, "digest": "1" * 64}),
    signature=_token_query_shape,
)


class ApiTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str):
        if key.startswith(SERVICE_TOKEN_PREFIX):
            return None  # the service-client class answers
        now = timezone.now()
        # One query: the token, its user and the facts about the user that the policy and the
        # access rules ask (each would otherwise ask again in this request), never kept past
        # this request: a revoked token, an expired one or a deactivated user is refused on
        # the next request.
        token = TOKEN_QUERY.first(now=now, digest=token_digest(key))
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(INVALID)
        user = token.user
        setattr(user, policy.HAS_DEVICE_ATTR, token.user_has_device)
        if connection.vendor == "postgresql":
            roles.prime_staff_grants(user, token.user_staff_roles)
        if roles.OBJECT_GRANT_PERMISSIONS and not token.user_has_object_grants:
            roles.prime(user, roles.OBJECT_GRANTS_KEY, {})
        for name, (_expression, keep) in roles.USER_FACTS.items():
            keep(user, getattr(token, f"user_fact_{name}"))
        if not token.second_factor and policy.second_factor_required(user):
            raise exceptions.AuthenticationFailed(INVALID)
        if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token


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
