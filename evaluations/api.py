"""The rating endpoints of API.md (Ratings): ``POST /api/v1/applications/{number}/rating/``."""

from __future__ import annotations

from datetime import date

from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from logins.permissions import HasServiceScope
from onestop.api import ApiError
from onestop.errors import NotFound
from permits.models import Application

from . import export, services
from .choices import Channel


class RatingInSerializer(serializers.Serializer):
    level = serializers.IntegerField(
        min_value=1, max_value=5, help_text=_("5 非常满意 … 1 非常不满意")
    )
    tags = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RatingOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    level = serializers.IntegerField()
    tags = serializers.ListField(child=serializers.CharField())
    reasons = serializers.ListField(child=serializers.CharField())
    rated_at = serializers.DateTimeField()


class ApplicationRatingView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=_("Rate the case's answer (once per answer)"),
        request=RatingInSerializer,
        responses={201: RatingOutSerializer},
    )
    def post(self, request, number):
        body = request.data if isinstance(request.data, dict) else {}
        app = Application.objects.filter(number=number).first()
        if app is None:
            raise NotFound()
        rating = services.rating_submit(
            actor=request.user,
            application=app,
            level=body.get("level"),
            tags=body.get("tags") or [],
            comment=body.get("comment") or "",
            channel=Channel.API,  # an app or another client of the API (评价渠道 api)
        )
        return Response(RatingOutSerializer(rating).data, status=status.HTTP_201_CREATED)


class RatingByLinkView(APIView):
    """The holder of the signed SMS link rates without logging in (API.md Ratings): 404
    ``not_found`` for a link we did not sign, 410 ``expired`` past its validity, 409
    ``conflict`` once used (or the answer rated in the site meanwhile)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        summary=_("Rate an answer through the signed link (no login)"),
        request=RatingInSerializer,
        responses={201: RatingOutSerializer},
    )
    def post(self, request, token):
        body = request.data if isinstance(request.data, dict) else {}
        rating = services.rating_submit_by_link(
            token=token,
            level=body.get("level"),
            tags=body.get("tags") or [],
            comment=body.get("comment") or "",
        )
        return Response(RatingOutSerializer(rating).data, status=status.HTTP_201_CREATED)


class RatingsExportView(APIView):
    """The reporting feed for another government system (a service client with the
    ``ratings.export`` scope): the ratings rated from ``from`` to ``to`` (dates, inclusive) as
    JSON lines (``application/x-ndjson``), one record each (docs/ratings-export.md)."""

    permission_classes = [HasServiceScope]
    required_scope = "ratings.export"

    @extend_schema(
        summary=_("Export the ratings of a period as JSON lines (service clients)"),
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True),
        ],
        responses={(200, "application/x-ndjson"): OpenApiTypes.STR},
    )
    def get(self, request):
        try:
            start = date.fromisoformat(request.query_params.get("from") or "")
            end = date.fromisoformat(request.query_params.get("to") or "")
        except ValueError:
            raise ApiError(
                "invalid",
                _("The submitted data is not valid."),
                fields={"from": [_("Give dates as YYYY-MM-DD.")]},
            ) from None
        if end < start or (end - start).days > 366:
            raise ApiError(
                "invalid",
                _("The submitted data is not valid."),
                fields={"to": [_("The period runs forwards and at most a year.")]},
            )
        return StreamingHttpResponse(
            export.json_lines(start, end), content_type="application/x-ndjson; charset=utf-8"
        )


__all__ = ["ApiError", "ApplicationRatingView", "RatingByLinkView", "RatingsExportView"]
