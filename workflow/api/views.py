"""Case and task endpoints of API.md (Applications, Tasks, Public).

All case endpoints live here — the moving ones and the read-only ones alike — because they
share the access rules, the error mapping and the serializers; ``permits/api`` keeps the
catalogue. Views are thin: validate input, call one service or selector, serialize.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DatabaseError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView
from viewflow.workflow.exceptions import FlowLockFailed

from audit.middleware import AUDITED, request_record
from audit.records import insert_statement
from onestop.api import ApiError, Pagination, api_error_from
from onestop.clientip import client_ip
from onestop.errors import DomainError
from onestop.keyset import KeysetPagination
from permits.exceptions import PermitsError
from permits.models import Application
from permits.selectors import certificate_verify
from permits.uploads import file_response
from workflow import personal_data, selectors, services
from workflow.api import serializers as s
from workflow.api.summary_rows import summary_rows
from workflow.services import idempotency
from workflow.tracking import TrackThrottle, track_lookup

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=_(
        "The same key with the same body returns the first answer instead of acting twice."
    ),
)


def api_error(exc: PermitsError) -> ApiError:
    return api_error_from(exc)


def calls_service(method):
    """Map the apps' exceptions onto the contract's error shape (``onestop.api.api_error_from``,
    the one mapping: a lock not had within the database's lock timeout is 503 ``busy``, never
    409), raised inside the view so the idempotency record sees the answer."""

    @functools.wraps(method)
    def wrapper(self, request, *args, **kwargs):
        try:
            return method(self, request, *args, **kwargs)
        except (DomainError, FlowLockFailed, DatabaseError) as exc:
            error = api_error_from(exc)
            if error is None:
                raise
            raise error from exc

    return wrapper


def idempotent(method):
    """``Idempotency-Key`` support for POSTs that create or move something: the key's row is
    taken first (``workflow.services.idempotency``), so of two requests with one key exactly
    one acts; the other gets the first answer (``Idempotent-Replayed: true``), 409 while the
    first still runs, 422 ``idempotency_mismatch`` for another body."""

    @functools.wraps(method)
    def wrapper(self, request, *args, **kwargs):
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key or not request.user.is_authenticated:
            return method(self, request, *args, **kwargs)
        if len(key) > idempotency.MAX_KEY_LENGTH:
            raise ApiError("invalid", _("The Idempotency-Key is too long."))
        acted: list[Response] = []
        audited: list[bool] = []

        def act():
            response = method(self, request, *args, **kwargs)
            acted.append(response)
            return response.status_code, _jsonable(response.data)

        def audit_row(status_code: int):
            # The request's audit record (the middleware's row) goes with the stored answer,
            # in one statement; the middleware then leaves it out.
            found = request_record(request._request, status_code)
            if found is None:
                return None
            audited.append(True)
            category, action, kwargs = found
            return insert_statement(category, action, **kwargs)

        try:
            status_code, data, replayed = idempotency.idempotent_run(
                user=request.user,
                key=key,
                method=request.method,
                path=request.path,
                data=request.data,
                act=act,
                also=audit_row,
            )
        except idempotency.IdempotencyMismatch as exc:
            raise ApiError(
                exc.code,
                str(exc.message),
                status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
                fields={k: [str(m) for m in v] for k, v in exc.fields.items()},
            ) from exc
        if audited and not replayed:
            setattr(request._request, AUDITED, True)
        if not replayed and acted:
            return acted[0]
        response = Response(data, status=status_code)
        response["Idempotent-Replayed"] = "true"
        return response

    return wrapper


def _jsonable(data: Any) -> Any:
    return json.loads(json.dumps(data, cls=JSONEncoder))


def _channel_for(request, requested: str | None) -> str | None:
    if requested:
        return requested
    # A client using a token (an app, another system) files through the API channel.
    if isinstance(getattr(request, "successful_authenticator", None), TokenAuthentication):
        return "api"
    return None


def _detail(request, number: str) -> dict:
    app = selectors.application_get_for_user(user=request.user, number=number)
    return s.ApplicationDetailSerializer(app, context={"request": request}).data


def _application_for(request, number: str) -> Application:
    return selectors.application_get_for_user(user=request.user, number=number, detail=False)


class TaskPagination(Pagination):
    max_page_size = 500


# --- Applications -------------------------------------------------------------------------


class ApplicationListCreateView(APIView):
    # Keyset pages and the capped count (API.md: lists are paginated; onestop.keyset).
    pagination_class = KeysetPagination

    @extend_schema(
        summary=_("Cases the caller may see"),
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, description=_("Status (comma list).")),
            OpenApiParameter("item", OpenApiTypes.STR, description=_("Item code.")),
            OpenApiParameter(
                "caller_phone",
                OpenApiTypes.STR,
                description=_("Hotline staff: earlier cases of this caller's phone number."),
            ),
        ],
        responses=s.ApplicationSummarySerializer(many=True),
    )
    @calls_service
    def get(self, request):
        filters = {
            "status": request.query_params.get("status"),
            "item": request.query_params.get("item"),
            "caller_phone": request.query_params.get("caller_phone"),
        }
        qs = selectors.application_summaries_for_user(user=request.user, filters=filters)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            qs,
            request,
            view=self,
            count=lambda: selectors.application_count_for_user(user=request.user, filters=filters),
        )
        departments = selectors.application_summary_departments([row["pk"] for row in page])
        return paginator.get_paginated_response(summary_rows(page, departments))

    @extend_schema(
        summary=_("Create a draft case"),
        request=s.ApplicationCreateSerializer,
        responses={201: s.ApplicationDetailSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @calls_service
    @idempotent
    def post(self, request):
        data = s.ApplicationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        app = services.application_create(
            actor=request.user,
            item=v["item"],
            form=v.get("form") or {},
            on_behalf_of=v.get("on_behalf_of") or None,
            channel=_channel_for(request, v.get("channel")),
            applicant=v.get("applicant"),
            caller=v.get("caller"),
            request_kind=v.get("request_kind"),
            client_address=client_ip(request),
        )
        return Response(_detail(request, app.number), status=status.HTTP_201_CREATED)


class ApplicationDetailView(APIView):
    @extend_schema(summary=_("One case"), responses=s.ApplicationDetailSerializer)
    @calls_service
    def get(self, request, number):
        return Response(_detail(request, number))

    @extend_schema(
        summary=_("Change the form of a draft or supplement case"),
        request=s.ApplicationUpdateSerializer,
        responses=s.ApplicationDetailSerializer,
    )
    @calls_service
    def patch(self, request, number):
        app = _application_for(request, number)
        data = s.ApplicationUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_update_form(
            actor=request.user, application=app, form=data.validated_data["form"]
        )
        return Response(_detail(request, number))


class MaterialListView(APIView):
    @extend_schema(summary=_("The case's materials"), responses=s.MaterialRowSerializer(many=True))
    @calls_service
    def get(self, request, number):
        app = selectors.application_get_for_user(user=request.user, number=number)
        return Response(s.MaterialRowSerializer(app.material_rows, many=True).data)

    @extend_schema(
        summary=_("Upload a material"),
        request={"multipart/form-data": s.MaterialUploadSerializer},
        responses={201: s.MaterialRowSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @calls_service
    @idempotent
    def post(self, request, number):
        app = _application_for(request, number)
        data = s.MaterialUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        material = services.material_upload(
            actor=request.user,
            application=app,
            requirement_id=data.validated_data["requirement"],
            uploaded_file=data.validated_data["file"],
        )
        return Response(s.MaterialRowSerializer(material).data, status=status.HTTP_201_CREATED)


class MaterialDetailView(APIView):
    @extend_schema(summary=_("Remove a material (draft or supplement)"), responses={204: None})
    @calls_service
    def delete(self, request, number, material_id):
        material = selectors.material_get_for_user(
            user=request.user, number=number, material_id=material_id
        )
        services.material_delete(actor=request.user, material=material)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MaterialFileView(APIView):
    @extend_schema(
        summary=_("Download a material"),
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @calls_service
    def get(self, request, number, material_id):
        material = selectors.material_get_for_user(
            user=request.user, number=number, material_id=material_id
        )
        personal_data.material_downloaded(request, material.application, material)
        file_type = material.stored_name.rsplit(".", 1)[-1].lower()
        return file_response(
            name=material.file.name,
            display_name=material.original_name,
            file_type=file_type,
            inline=request.query_params.get("inline") == "1",
        )


class _CaseAction(APIView):
    action_serializer = None

    def act(self, request, app, data):  # pragma: no cover - overridden
        raise NotImplementedError

    def case(self, request, number) -> Application:
        return _application_for(request, number)

    @calls_service
    @idempotent
    def post(self, request, number):
        app = self.case(request, number)
        data = {}
        if self.action_serializer is not None:
            ser = self.action_serializer(data=request.data)
            ser.is_valid(raise_exception=True)
            data = ser.validated_data
        self.act(request, app, data)
        return Response(_detail(request, number))


def _case_action_schema(summary, request_serializer=None):
    return extend_schema(
        summary=summary,
        request=request_serializer,
        responses=s.ApplicationDetailSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )


class SubmitView(_CaseAction):
    @_case_action_schema(_("Submit the case, or answer the supplement notice"))
    def post(self, request, number):
        return super().post(request, number)

    def act(self, request, app, data):
        services.application_submit(actor=request.user, application=app)


class WithdrawView(_CaseAction):
    action_serializer = s.WithdrawSerializer

    @_case_action_schema(_("Withdraw the case"), s.WithdrawSerializer)
    def post(self, request, number):
        return super().post(request, number)

    def act(self, request, app, data):
        services.application_withdraw(
            actor=request.user, application=app, reason=data.get("reason", "")
        )


class HandoverView(_CaseAction):
    action_serializer = s.HandoverSerializer

    @_case_action_schema(_("Hand the result over and close the case"), s.HandoverSerializer)
    def post(self, request, number):
        return super().post(request, number)

    def case(self, request, number) -> Application:
        # A decided online case is reached by its region's centre clerks (access.can_hand_over).
        return selectors.application_get_for_handover(user=request.user, number=number)

    def act(self, request, app, data):
        details = dict(data)
        method = details.pop("method")
        services.application_handover(actor=request.user, application=app, method=method, **details)


# --- Tasks --------------------------------------------------------------------------------


class TaskListView(APIView):
    pagination_class = TaskPagination

    @extend_schema(
        summary=_("The caller's inbox"),
        parameters=[
            OpenApiParameter("scope", OpenApiTypes.STR, enum=list(selectors.TASK_SCOPES)),
            OpenApiParameter("application", OpenApiTypes.STR),
            OpenApiParameter("kind", OpenApiTypes.STR),
            OpenApiParameter("warning", OpenApiTypes.STR, enum=["none", "yellow", "red"]),
            OpenApiParameter("item", OpenApiTypes.STR),
            OpenApiParameter("region", OpenApiTypes.STR),
        ],
        responses=s.TaskRowSerializer(many=True),
    )
    @calls_service
    def get(self, request):
        scope = request.query_params.get("scope") or "mine"
        if scope not in selectors.TASK_SCOPES:
            raise ApiError(
                "invalid", _("Unknown scope."), fields={"scope": [_("mine, queue or done.")]}
            )
        qs = selectors.task_list_for_user(
            user=request.user,
            scope=scope,
            filters={
                k: request.query_params.get(k)
                for k in ("application", "kind", "warning", "item", "region")
            },
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(s.TaskRowSerializer(page, many=True).data)


def _task_response(request, task_id) -> Response:
    task, app = selectors.task_detail_for_user(user=request.user, task_id=task_id)
    return Response(
        s.TaskDetailSerializer(task, context={"application": app, "request": request}).data
    )


class TaskDetailView(APIView):
    @extend_schema(summary=_("One task with its case"), responses=s.TaskDetailSerializer)
    @calls_service
    def get(self, request, task_id):
        return _task_response(request, task_id)


class _TaskAction(APIView):
    def act(self, request, task_id: int):  # pragma: no cover - overridden
        raise NotImplementedError

    @calls_service
    @idempotent
    def post(self, request, task_id):
        # The service finds the task through the caller's access rule as it locks the case
        # (``services.locking.task_case_locked``): a foreign task is 404 there.
        answer = self.act(request, task_id)
        if isinstance(answer, Response):  # an answer of the action's own
            return answer
        return _task_response(request, task_id)


def _task_action_schema(summary, request_serializer=None, response=s.TaskDetailSerializer):
    return extend_schema(
        summary=summary,
        request=request_serializer,
        responses=response,
        parameters=[IDEMPOTENCY_PARAMETER],
    )


def _task_row_response(task) -> Response:
    """The task as the inbox lists it, from the row the service read under the case lock (a
    claim or a release changes the task, not the case: its answer does not load the case)."""
    return Response(s.TaskRowSerializer(task).data)


class TaskClaimView(_TaskAction):
    @_task_action_schema(_("Claim the task"), response=s.TaskRowSerializer)
    def post(self, request, task_id):
        return super().post(request, task_id)

    def act(self, request, task_id):
        return _task_row_response(services.task_claim(task=task_id, actor=request.user))


class TaskReleaseView(_TaskAction):
    @_task_action_schema(_("Release the task to the queue"), response=s.TaskRowSerializer)
    def post(self, request, task_id):
        return super().post(request, task_id)

    def act(self, request, task_id):
        return _task_row_response(services.task_release(task=task_id, actor=request.user))


class TaskReassignView(_TaskAction):
    @_task_action_schema(_("Give the task to a colleague (head)"), s.ReassignSerializer)
    def post(self, request, task_id):
        return super().post(request, task_id)

    def act(self, request, task_id):
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        data = s.ReassignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data.get("department"):
            # A kind that goes to another department (a rectification, registered by the
            # ratings app) says so through its step.
            from workflow.steps import step_for

            step_for(task.kind).reassign_department(
                task=task, actor=request.user, department=data.validated_data["department"]
            )
            # The task is now the other department's: answer with it as it is, once.
            task.refresh_from_db()
            app = selectors.application_get_for_user(
                user=request.user, number=task.application.number
            )
            return Response(s.TaskDetailSerializer(task, context={"application": app}).data)
        user = (
            get_user_model()
            .objects.filter(username=data.validated_data.get("user", ""), is_active=True)
            .first()
        )
        services.task_reassign(task=task, actor=request.user, user=user)


class TaskCompleteView(_TaskAction):
    """The body is validated by the service with the task kind's decision serializer (the step
    registry's), the one definition the schema also shows."""

    @_task_action_schema(
        _("Complete the task with a decision"),
        s.TaskCompleteRequest,
        response=s.TaskOutcomeSerializer,
    )
    def post(self, request, task_id):
        return super().post(request, task_id)

    def act(self, request, task_id):
        body = request.data if isinstance(request.data, dict) else {}
        fields = {k: v for k, v in body.items() if k not in ("task", "actor")}
        decision = fields.pop("decision", "")
        if not isinstance(decision, str) or not decision:
            raise ApiError(
                "invalid",
                _("The submitted data is not valid."),
                fields={"decision": [_("This field is required.")]},
            )
        task = services.task_complete(task=task_id, actor=request.user, decision=decision, **fields)
        # The task and its case as the service left them: the case's summary, from the row
        # it held locked (its department rows read afresh), not the whole case read again.
        case = selectors.case_after_task(task.application)
        return Response(s.TaskOutcomeSerializer(task, context={"application": case}).data)


# --- Public -------------------------------------------------------------------------------


def _not_found() -> ApiError:
    return ApiError("not_found", _("Not found."), status_code=status.HTTP_404_NOT_FOUND)


class TrackView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [TrackThrottle]

    @extend_schema(
        summary=_("Public progress of one case"),
        parameters=[
            OpenApiParameter("number", OpenApiTypes.STR, required=True),
            OpenApiParameter("id_last4", OpenApiTypes.STR),
            OpenApiParameter("query_code", OpenApiTypes.STR),
        ],
        responses=s.TrackSerializer,
    )
    def get(self, request):
        found = track_lookup(
            number=request.query_params.get("number", ""),
            id_last4=request.query_params.get("id_last4"),
            query_code=request.query_params.get("query_code"),
        )
        if found.retry_after:
            raise exceptions.Throttled(wait=found.retry_after)
        if found.application is None:
            raise _not_found()
        app = found.application
        return Response(s.TrackSerializer(app).data)


class CertificateVerifyView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [TrackThrottle]

    @extend_schema(
        summary=_("Whether a certificate is genuine and valid"),
        parameters=[
            OpenApiParameter("number", OpenApiTypes.STR, required=True),
            OpenApiParameter("code", OpenApiTypes.STR, required=True),
        ],
        responses=s.CertificateVerifySerializer,
    )
    def get(self, request):
        cert = certificate_verify(
            number=request.query_params.get("number") or "",
            code=request.query_params.get("code") or "",
        )
        if cert is None:
            raise _not_found()
        return Response(s.CertificateVerifySerializer(cert).data)
