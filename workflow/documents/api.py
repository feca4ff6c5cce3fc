"""``GET /api/v1/applications/{number}/documents/`` (API.md): the notices and results generated
for the case, for anyone who may see it — ``[{id, kind, name, created_at, url}]``; ``url``
downloads the PDF. Listing makes (and stores) any notice the case reached that is not stored
yet for its current data."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from workflow import selectors
from workflow.api.views import calls_service
from workflow.documents.content import TITLES
from workflow.documents.models import DocumentKind
from workflow.documents.services import document_get, documents_available


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    name = serializers.CharField()
    created_at = serializers.DateTimeField()
    url = serializers.CharField()


class DocumentListView(APIView):
    @extend_schema(
        summary=_("The case's notices and results (PDF)"),
        responses=DocumentSerializer(many=True),
    )
    @calls_service
    def get(self, request, number):
        app = selectors.application_get_for_user(user=request.user, number=number, detail=False)
        rows = []
        for entry in documents_available(actor=request.user, application=app):
            document = document_get(actor=request.user, application=app, kind=entry["kind"])
            rows.append(
                {
                    "id": document.pk,
                    "kind": document.kind,
                    "name": TITLES[document.kind],
                    "created_at": document.created_at,
                    "url": request.build_absolute_uri(
                        reverse("documents:file", args=[app.number, document.kind])
                    ),
                }
            )
        return Response(DocumentSerializer(rows, many=True).data)
