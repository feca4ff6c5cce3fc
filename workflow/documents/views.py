"""Downloading a case's document (PDF) and the list of them for the API: for anyone who may
see the case (``workflow.access`` through the selector; a foreign case answers 404)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from permits.exceptions import NotFound
from permits.uploads import file_response
from workflow import selectors
from workflow.documents.services import document_get


@login_required
@require_GET
def document_file(request: HttpRequest, number: str, kind: str) -> HttpResponse:
    try:
        application = selectors.application_get_for_user(
            user=request.user, number=number, detail=False
        )
        document = document_get(actor=request.user, application=application, kind=kind)
    except NotFound as exc:
        raise Http404 from exc
    return file_response(
        name=document.file.name,
        display_name=document.name,
        file_type="pdf",
        inline=request.GET.get("download") != "1",
    )
