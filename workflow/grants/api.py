"""The API of the exceptional grants (API.md, Tasks): shares of a case and delegations.

* ``GET|POST /api/v1/applications/{number}/shares/`` — the case's running shares; share it
  ``{"user", "until"?, "note"}`` (a head of a participating department) → 201.
* ``DELETE /api/v1/applications/{number}/shares/{user}/`` → 204.
* ``GET|POST /api/v1/delegations/`` — ``?scope=department|held|mine``; delegate
  ``{"from_user", "to_user", "department", "until", "note"?}`` (the department's head) → 201.
* ``DELETE /api/v1/delegations/{id}/`` → 204.

Users are named by username, departments by code. Lists answer the paginated envelope; names
of people are masked in them. Errors map as everywhere (``onestop.api``): 400 ``invalid``,
403 ``permission_denied``, 404 ``not_found``, 409 ``conflict``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from departments.models import Department
from onestop.api import ApiError, Pagination
from permits.api.serializers import DepartmentRefSerializer
from permits.validators import mask_name
from workflow import selectors
from workflow.grants import selectors as grant_selectors
from workflow.grants import services


def _user_named(username: str | None, field: str):
    user = get_user_model().objects.filter(username=username or "", is_active=True).first()
    if user is None:
        raise ApiError("invalid", _("No such user."), fields={field: [_("No such user.")]})
    return user


class GrantUserSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return mask_name(user.get_full_name() or user.username)


class ShareSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.CharField(source="application.number")
    user = GrantUserSerializer()
    department = DepartmentRefSerializer()
    note = serializers.CharField()
    until = serializers.DateField(allow_null=True)
    granted_by = GrantUserSerializer()
    granted_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)


class ShareCreateSerializer(serializers.Serializer):
    user = serializers.CharField(max_length=150)
    until = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=2000)


class DelegationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    from_user = GrantUserSerializer()
    to_user = GrantUserSerializer()
    department = DepartmentRefSerializer()
    until = serializers.DateField()
    note = serializers.CharField(allow_blank=True)
    granted_by = GrantUserSerializer()
    granted_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)


class DelegationCreateSerializer(serializers.Serializer):
    from_user = serializers.CharField(max_length=150)
    to_user = serializers.CharField(max_length=150)
    department = serializers.CharField(max_length=40)
    until = serializers.DateField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ShareListCreateView(APIView):
    @extend_schema(
        summary=_("The case's running shares (a head of a participating department)"),
        responses=ShareSerializer(many=True),
    )
    def get(self, request, number):
        app = selectors.application_get_for_user(user=request.user, number=number, detail=False)
        qs = grant_selectors.shares_of_application(user=request.user, application=app)
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(ShareSerializer(page, many=True).data)

    @extend_schema(
        summary=_("Share the case read-only with a staff member of another department"),
        request=ShareCreateSerializer,
        responses={201: ShareSerializer},
    )
    def post(self, request, number):
        app = selectors.application_get_for_user(user=request.user, number=number, detail=False)
        data = ShareCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        share = services.case_share_grant(
            actor=request.user,
            application=app,
            user=_user_named(v["user"], "user"),
            note=v["note"],
            until=v.get("until"),
        )
        return Response(ShareSerializer(share).data, status=status.HTTP_201_CREATED)


class ShareDetailView(APIView):
    @extend_schema(summary=_("End a share"), responses={204: None})
    def delete(self, request, number, username):
        app = selectors.application_get_for_user(user=request.user, number=number, detail=False)
        grant_selectors.shares_of_application(user=request.user, application=app)  # 403/404
        share = grant_selectors.share_get_running(application=app, username=username)
        services.case_share_end(actor=request.user, share=share)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DelegationListCreateView(APIView):
    @extend_schema(
        summary=_("Running delegations: of my departments, held by me, or of my tasks"),
        parameters=[
            OpenApiParameter(
                "scope", OpenApiTypes.STR, enum=list(grant_selectors.DELEGATION_SCOPES)
            )
        ],
        responses=DelegationSerializer(many=True),
    )
    def get(self, request):
        scope = request.query_params.get("scope") or "department"
        if scope not in grant_selectors.DELEGATION_SCOPES:
            raise ApiError(
                "invalid",
                _("Unknown scope."),
                fields={"scope": [_("department, held or mine.")]},
            )
        qs = grant_selectors.delegation_list_for_user(user=request.user, scope=scope)
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(DelegationSerializer(page, many=True).data)

    @extend_schema(
        summary=_("Delegate a member's tasks to a colleague until a date (the head)"),
        request=DelegationCreateSerializer,
        responses={201: DelegationSerializer},
    )
    def post(self, request):
        data = DelegationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        department = Department.objects.filter(code=v["department"], is_active=True).first()
        if department is None:
            raise ApiError(
                "invalid",
                _("No such department."),
                fields={"department": [_("No such department.")]},
            )
        delegation = services.delegation_grant(
            actor=request.user,
            department=department,
            from_user=_user_named(v["from_user"], "from_user"),
            to_user=_user_named(v["to_user"], "to_user"),
            until=v["until"],
            note=v.get("note", ""),
        )
        return Response(DelegationSerializer(delegation).data, status=status.HTTP_201_CREATED)


class DelegationDetailView(APIView):
    @extend_schema(summary=_("End a delegation (the department's head)"), responses={204: None})
    def delete(self, request, delegation_id):
        d = grant_selectors.delegation_get_for_user(user=request.user, delegation_id=delegation_id)
        services.delegation_end(actor=request.user, delegation=d)
        return Response(status=status.HTTP_204_NO_CONTENT)
