"""Accounts API (API.md "Accounts"): registration, tokens, an enterprise's handlers.

Tokens (``logins``): ``POST auth/token/`` checks the password through django-axes (a locked-out
account or address answers 429 ``throttled``) and, for accounts with a second factor, the
``otp`` code (a TOTP code or a recovery code); the token is returned once and stored hashed,
expires after ``API_TOKEN_TTL`` and is revoked by ``POST auth/logout/`` and by a password
change.

Thin views: validate the shape with an input serializer, call one service in
``permits.applicant_services``, serialize the answer. Errors of the services become the API's
error shape in ``onestop.api.exception_handler``. ID numbers and phone numbers only ever leave
masked.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from logins import policy
from logins import services as login_services
from logins.models import ApiToken
from onestop.api import ApiError
from onestop.clientip import client_ip
from onestop.throttles import ScopedRateThrottle
from permits import applicant_roles, applicant_services
from permits.models import Handler, IdType

# --------------------------------------------------------------------------------------------
# Serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class RegisterInputSerializer(serializers.Serializer):
    KIND_CHOICES = (("person", _("Person")), ("enterprise", _("Enterprise")))

    kind = serializers.ChoiceField(choices=KIND_CHOICES, default="person")
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)
    real_name = serializers.CharField(max_length=60)
    id_type = serializers.ChoiceField(choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = serializers.CharField(max_length=32, help_text=_("Never returned unmasked."))
    phone = serializers.CharField(max_length=20)
    org_name = serializers.CharField(
        max_length=120, required=False, allow_blank=True, help_text=_("Enterprises only.")
    )
    credit_code = serializers.CharField(
        max_length=18,
        required=False,
        allow_blank=True,
        help_text=_("Enterprises only: the unified social credit code (GB 32100)."),
    )

    def validate(self, attrs):
        if attrs.get("kind") == "enterprise":
            missing = {
                name: [_("This field is required.")]
                for name in ("org_name", "credit_code")
                if not (attrs.get(name) or "").strip()
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class AccountEnterpriseSerializer(serializers.Serializer):
    name = serializers.CharField(source="enterprise.name")
    credit_code = serializers.CharField(source="enterprise.credit_code")
    scope = serializers.JSONField()
    valid_until = serializers.DateField(allow_null=True)


class AccountSerializer(serializers.Serializer):
    """The account as its owner sees it: ID number and phone masked."""

    username = serializers.CharField()
    kind = serializers.CharField()
    real_name = serializers.CharField(allow_null=True)
    id_type = serializers.CharField(allow_null=True)
    id_number = serializers.CharField(allow_null=True, help_text=_("Masked."))
    phone = serializers.CharField(allow_null=True, help_text=_("Masked."))
    enterprises = AccountEnterpriseSerializer(many=True)


def account_data(user, *, kind: str = "person") -> dict:
    person = applicant_roles.user_person(user)
    return {
        "username": user.get_username(),
        "kind": kind,
        "real_name": person.real_name if person else None,
        "id_type": person.id_type if person else None,
        "id_number": person.masked_id_number if person else None,
        "phone": person.masked_phone if person else None,
        "enterprises": AccountEnterpriseSerializer(
            applicant_roles.user_handlerships(user), many=True
        ).data,
    }


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)
    otp = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text=_(
            "The 6-digit code of the authenticator app, or a recovery code: required for "
            "accounts with two-factor login."
        ),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Shown once; send it as `Authorization: Token …`."))
    expires_at = serializers.DateTimeField()


class ScopeField(serializers.JSONField):
    """``"all"`` or a list of item codes."""


class HandlerInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    scope = ScopeField(help_text=_('"all", or a list of item codes.'))
    valid_until = serializers.DateField(
        required=False, allow_null=True, help_text=_("Last day of the authorisation (inclusive).")
    )


class HandlerSerializer(serializers.Serializer):
    username = serializers.CharField(source="person.user.username", allow_null=True)
    real_name = serializers.CharField(source="person.masked_name", help_text=_("Masked."))
    phone = serializers.CharField(source="person.masked_phone", help_text=_("Masked."))
    scope = serializers.JSONField()
    valid_until = serializers.DateField(allow_null=True)
    added_at = serializers.DateTimeField()


# --------------------------------------------------------------------------------------------
# Views

_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description=_("`invalid`: per-field messages.")),
    401: OpenApiResponse(ErrorSerializer, description=_("`not_authenticated`.")),
    404: OpenApiResponse(
        ErrorSerializer,
        description=_("`not_found`: no such enterprise, or you are not its handler."),
    ),
    409: OpenApiResponse(ErrorSerializer, description=_("`conflict`.")),
    429: OpenApiResponse(ErrorSerializer, description=_("`throttled`.")),
}


class RegistrationReceivedSerializer(serializers.Serializer):
    detail = serializers.CharField()


class RegisterView(APIView):
    """Register a person account, or an enterprise with the person as its first handler.

    The answer does not say whether the ID number is already on record (issue 12 item 5): a new
    registration and one whose ID number is known both answer 202 with the same text; a known
    number creates nothing and its owner is told by SMS. Log in with ``auth/token`` next.
    Throttled by the trusted client address (the ``auth`` scope, and ``REGISTER_PER_IP_HOUR``)
    and per ID number (``REGISTER_PER_ID_HOUR``)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        operation_id="auth_register",
        tags=["accounts"],
        request=RegisterInputSerializer,
        responses={
            202: RegistrationReceivedSerializer,
            400: _ERRORS[400],
            409: OpenApiResponse(
                ErrorSerializer,
                description=_("`conflict`: the username or the credit code is already registered."),
            ),
            429: _ERRORS[429],
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if applicant_services.registration_limited(
            client_address=client_ip(request), id_number=values.get("id_number", "")
        ):
            raise ApiError(
                "throttled",
                _("Too many registrations from here or for this ID number. Try again in an hour."),
                status_code=429,
            )
        kind = values.pop("kind")
        if kind == "enterprise":
            applicant_services.enterprise_register(channel="api", **values)
        else:
            values.pop("org_name", None)
            values.pop("credit_code", None)
            applicant_services.person_register(channel="api", **values)
        return Response(
            {"detail": str(applicant_services.REGISTRATION_RECEIVED)},
            status=status.HTTP_202_ACCEPTED,
        )


class TokenView(APIView):
    """Exchange a username, a password and (for accounts with two-factor login) a one-time
    code for an API token (``Authorization: Token <token>``) that expires at ``expires_at``."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        operation_id="auth_token",
        tags=["accounts"],
        request=TokenInputSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description=_(
                    "`invalid`: wrong username or password, or a missing or wrong `otp`."
                ),
            ),
            429: OpenApiResponse(
                ErrorSerializer,
                description=_("`throttled`: too many requests, or too many failed logins."),
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        # django-axes reads and marks the Django request (not DRF's wrapper).
        django_request = request._request
        user = authenticate(
            django_request, username=username, password=data.validated_data["password"]
        )
        if getattr(django_request, "axes_locked_out", False):
            from logins.lockout import lockout_message

            raise ApiError("throttled", lockout_message(), status_code=429)
        if user is None or not user.is_active:
            message = _("The username or the password is not correct.")
            raise ApiError("invalid", str(message), fields={"non_field_errors": [str(message)]})
        second_factor = False
        if policy.second_factor_required(user):
            if not policy.has_second_factor(user):
                message = _("Set up two-factor login on the website first, then ask again.")
                raise ApiError("invalid", str(message), fields={"otp": [str(message)]})
            otp = (data.validated_data.get("otp") or "").strip()
            if not otp or match_token(user, otp) is None:
                user_login_failed.send(
                    sender=__name__, credentials={"username": username}, request=django_request
                )
                if getattr(django_request, "axes_locked_out", False):
                    from logins.lockout import lockout_message

                    raise ApiError("throttled", lockout_message(), status_code=429)
                message = _("The one-time code is missing or not correct.")
                raise ApiError("invalid", str(message), fields={"otp": [str(message)]})
            second_factor = True
        token, key = login_services.token_issue(user=user, second_factor=second_factor)
        return Response(TokenSerializer({"token": key, "expires_at": token.expires_at}).data)


class LogoutView(APIView):
    """Revoke the token this request was made with (a session is logged out instead)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_logout",
        tags=["accounts"],
        request=None,
        responses={204: OpenApiResponse(description=_("Revoked.")), 401: _ERRORS[401]},
    )
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, ApiToken):
            login_services.token_revoke(token=request.auth)
        else:
            from django.contrib.auth import logout

            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(
        operation_id="enterprise_handlers_list",
        tags=["accounts"],
        responses={200: HandlerSerializer(many=True), 401: _ERRORS[401], 404: _ERRORS[404]},
    )
)
class EnterpriseHandlersView(generics.ListAPIView):
    """The current handlers (经办人) of an enterprise, for its current handlers only."""

    permission_classes = [IsAuthenticated]
    serializer_class = HandlerSerializer

    def get_queryset(self):
        enterprise = applicant_services.enterprise_get_for_handler(
            user=self.request.user, credit_code=self.kwargs["credit_code"]
        )
        return (
            Handler.objects.valid()
            .filter(enterprise=enterprise)
            .select_related("person__user")
            .order_by("added_at", "pk")
        )

    @extend_schema(
        operation_id="enterprise_handlers_add",
        tags=["accounts"],
        request=HandlerInputSerializer,
        responses={
            201: HandlerSerializer,
            400: _ERRORS[400],
            401: _ERRORS[401],
            404: _ERRORS[404],
            409: OpenApiResponse(
                ErrorSerializer, description=_("`conflict`: already a current handler.")
            ),
        },
    )
    def post(self, request: Request, credit_code: str) -> Response:
        enterprise = applicant_services.enterprise_get_for_handler(
            user=request.user, credit_code=credit_code
        )
        data = HandlerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handler = applicant_services.handler_add(
            actor=request.user,
            enterprise=enterprise,
            username=data.validated_data["username"],
            scope=data.validated_data["scope"],
            valid_until=data.validated_data.get("valid_until"),
        )
        return Response(HandlerSerializer(handler).data, status=status.HTTP_201_CREATED)


class EnterpriseHandlerView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="enterprise_handlers_remove",
        tags=["accounts"],
        request=None,
        responses={
            204: OpenApiResponse(description=_("Removed.")),
            401: _ERRORS[401],
            403: OpenApiResponse(
                ErrorSerializer,
                description=_("`permission_denied`: that handler holds more than you do."),
            ),
            404: _ERRORS[404],
            409: OpenApiResponse(
                ErrorSerializer, description=_("`conflict`: the last handler stays.")
            ),
        },
    )
    def delete(self, request: Request, credit_code: str, username: str) -> Response:
        enterprise = applicant_services.enterprise_get_for_handler(
            user=request.user, credit_code=credit_code
        )
        applicant_services.handler_remove(
            actor=request.user, enterprise=enterprise, username=username
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
