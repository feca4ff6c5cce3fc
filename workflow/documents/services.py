"""Generating and reading a case's documents (PDF notices and the certificate).

``document_get(actor=, application=, kind=)`` answers the stored document of that kind for
anyone who may see the case (``workflow.access``; a foreign case is ``NotFound``), generating
it when the case has reached that notice and nothing stored matches the case's current data
(the fingerprint of the notice's content): a notice is made once and made again only when what
it says changed. The file goes through Django's storage API (``STORAGES``). Appends
``document_generated`` when a new one is stored."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from django.core.files.base import ContentFile
from django.db import transaction

from permits.choices import EventAction
from permits.event_notes import system_note
from permits.models import Application
from workflow import access
from workflow.documents.content import BUILDERS, TITLES, available_kinds
from workflow.documents.models import CaseDocument, DocumentKind
from workflow.documents.pdf import render
from workflow.exceptions import NotFound
from workflow.services.events import event_append


def _visible(actor, application: Application) -> None:
    if not access.can_view_application(actor, application):
        raise NotFound()


def documents_available(*, actor, application: Application) -> list[dict]:
    """The kinds the case has reached, for pages and the API: ``[{kind, name}]``."""
    _visible(actor, application)
    # ``name``: the notice's official Chinese title (the PDF's); ``label``: its name in the
    # reader's language, for pages in English.
    return [
        {"kind": k, "name": TITLES[k], "label": DocumentKind(k).label}
        for k in available_kinds(application)
    ]


def documents_for_page(user, application: Application) -> list[dict]:
    """``documents_available`` for a page that already checked access (empty otherwise)."""
    if not access.can_view_application(user, application):
        return []
    # ``name``: the notice's official Chinese title (the PDF's); ``label``: its name in the
    # reader's language, for pages in English.
    return [
        {"kind": k, "name": TITLES[k], "label": DocumentKind(k).label}
        for k in available_kinds(application)
    ]


def document_get(*, actor, application: Application, kind: str) -> CaseDocument:
    """The current document of ``kind`` (generated and stored when needed)."""
    _visible(actor, application)
    if kind not in DocumentKind.values or kind not in available_kinds(application):
        raise NotFound()
    content = BUILDERS[kind](application)
    fingerprint = hashlib.sha256(
        json.dumps(asdict(content), ensure_ascii=False, sort_keys=True, default=str).encode()
    ).hexdigest()
    existing = (
        CaseDocument.objects.filter(application=application, kind=kind, fingerprint=fingerprint)
        .order_by("-created_at", "-pk")
        .first()
    )
    if existing is not None:
        return existing
    data = render(content)
    with transaction.atomic():
        document = CaseDocument(
            application=application,
            kind=kind,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            fingerprint=fingerprint,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        document.file.save(f"{kind}-{fingerprint[:12]}.pdf", ContentFile(data), save=False)
        document.save()
        event_append(
            application=application,
            actor=actor,
            action=EventAction.DOCUMENT_GENERATED,
            before=application.status,
            after=application.status,
            note=system_note(DocumentKind(kind).label),
            data={"document": document.pk, "kind": kind, "sha256": document.sha256},
        )
    return document
