"""Endpoints of process-centred intake (API.md Applications; mounted under ``/api/v1/``):

* ``POST applications/anonymous/`` — an anonymous complaint; 201 ``{number, query_code}``, the
  code shown this once (followed with ``GET track/?number=&query_code=``).
* ``POST applications/{number}/calls/`` — a repeated call linked to the open case (重复件).
* ``GET|POST applications/{number}/petition-reviews/`` — a petition's 复查 / 复核 requests;
  ``POST petition-reviews/{id}/decide/`` and ``…/hearing/`` by the reviewing authority.
* ``POST applications/{number}/petition-extension/`` — the one extension (≤ 30 days).

Thin views: validate, call one ``workflow.intake.services`` function, serialize.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from permits.choices import RequestKind
from workflow.api import serializers as s
from workflow.api.views import IDEMPOTENCY_PARAMETER, _application_for, _detail, calls_service
from workflow.exceptions import NotFound
from workflow.intake import services
from workflow.intake.models import PetitionReview, ReviewLevel, ReviewOutcome
from workflow.tracking import TrackThrottle


class AnonymousThrottle(TrackThrottle):
    """Anonymous filings per client address (kiosks exempt), ``ANONYMOUS_FILING_RATE``."""

    scope = "anonymous_filing"

    def get_rate(self):
        return getattr(settings, "ANONYMOUS_FILING_RATE", "10/min")


class AnonymousInSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=40, help_text=gettext_lazy("The item code."))
    form = serializers.DictField(required=False, default=dict)
    request_kind = serializers.ChoiceField(choices=RequestKind.choices, required=False)


class AnonymousOutSerializer(serializers.Serializer):
    number = serializers.CharField()
    query_code = serializers.CharField(
        help_text=gettext_lazy("Shown once: only its hash is kept. Track with number + code.")
    )
    status = serializers.CharField()


class CallInSerializer(serializers.Serializer):
    caller = s.CallerInSerializer()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReviewInSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=ReviewLevel.choices)
    reasons = serializers.CharField(max_length=4000)


class DecideInSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ReviewOutcome.choices)
    opinion = serializers.CharField(max_length=4000)


class HearingInSerializer(serializers.Serializer):
    started = serializers.BooleanField(help_text=gettext_lazy("true starts, false ends it."))


class ExtensionInSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=30)
    reasons = serializers.CharField(max_length=4000)


class PetitionReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    application = serializers.CharField(source="application.number")
    level = serializers.CharField()
    authority = s.RefSerializer()
    requested_at = serializers.DateTimeField()
    reasons = serializers.CharField()
    due_at = serializers.DateTimeField()
    hearing_since = serializers.DateTimeField(allow_null=True)
    hearing_days = serializers.IntegerField()
    decided_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    opinion = serializers.CharField()


class AnonymousCreateView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonymousThrottle]

    @extend_schema(
        summary=_("File an anonymous complaint"),
        request=AnonymousInSerializer,
        responses={201: AnonymousOutSerializer},
    )
    @calls_service
    def post(self, request):
        data = AnonymousInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        app, code = services.anonymous_file(
            item=v["item"], form=v.get("form") or {}, request_kind=v.get("request_kind")
        )
        body = {"number": app.number, "query_code": code, "status": app.status}
        return Response(AnonymousOutSerializer(body).data, status=status.HTTP_201_CREATED)


class CallLinkView(APIView):
    @extend_schema(
        summary=_("Link a repeated call to the open case (重复件)"),
        request=CallInSerializer,
        responses={201: s.ApplicationDetailSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @calls_service
    def post(self, request, number):
        data = CallInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        app = _application_for(request, number)
        services.call_link(
            actor=request.user,
            application=app,
            caller=data.validated_data["caller"],
            note=data.validated_data.get("note", ""),
        )
        return Response(_detail(request, number), status=status.HTTP_201_CREATED)


class PetitionReviewListView(APIView):
    @extend_schema(
        summary=_("A petition's 复查 / 复核"), responses=PetitionReviewSerializer(many=True)
    )
    @calls_service
    def get(self, request, number):
        app = _application_for(request, number)
        rows = app.petition_reviews.select_related("authority", "application")
        return Response(PetitionReviewSerializer(rows, many=True).data)

    @extend_schema(
        summary=_("Ask for a petition's 复查 or 复核"),
        request=ReviewInSerializer,
        responses={201: PetitionReviewSerializer},
    )
    @calls_service
    def post(self, request, number):
        data = ReviewInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        app = _application_for(request, number)
        review = services.petition_review_request(
            actor=request.user, application=app, **data.validated_data
        )
        return Response(PetitionReviewSerializer(review).data, status=status.HTTP_201_CREATED)


def _review_id(review_id: int) -> int:
    if not PetitionReview.objects.filter(pk=review_id).exists():
        raise NotFound()
    return review_id


class PetitionReviewDecideView(APIView):
    @extend_schema(
        summary=_("Decide a 复查 or 复核 (the reviewing authority)"),
        request=DecideInSerializer,
        responses=PetitionReviewSerializer,
    )
    @calls_service
    def post(self, request, review_id):
        data = DecideInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.petition_review_decide(
            actor=request.user, review=_review_id(review_id), **data.validated_data
        )
        return Response(PetitionReviewSerializer(review).data)


class PetitionHearingView(APIView):
    @extend_schema(
        summary=_("Start or end a 复核 hearing (not counted in its limit)"),
        request=HearingInSerializer,
        responses=PetitionReviewSerializer,
    )
    @calls_service
    def post(self, request, review_id):
        data = HearingInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.petition_hearing(
            actor=request.user,
            review=_review_id(review_id),
            start=data.validated_data["started"],
        )
        return Response(PetitionReviewSerializer(review).data)


class PetitionExtensionView(APIView):
    @extend_schema(
        summary=_("Extend a petition's handling once (≤ 30 days, the unit head)"),
        request=ExtensionInSerializer,
        responses=s.ApplicationDetailSerializer,
    )
    @calls_service
    def post(self, request, number):
        data = ExtensionInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        app = _application_for(request, number)
        services.petition_extend(actor=request.user, application=app, **data.validated_data)
        return Response(_detail(request, number))
