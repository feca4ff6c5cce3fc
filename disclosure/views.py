"""Public pages of 政务公开 (no login): the section's home, lists per kind with categories and
search, an article with its attachments, 办件公示 and the open-data downloads. Thin: the
selectors read (a constant number of queries per page), the templates render."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from disclosure import opendata, publication, search, selectors
from disclosure.models import Article, Attachment, Kind
from onestop.reporting import replica_status
from permits.uploads import file_response

PAGE_SIZE = 15
KIND_SLUGS = {
    "notices": Kind.NOTICE,
    "policies": Kind.POLICY,
    "interpretations": Kind.INTERPRETATION,
    "guide-changes": Kind.GUIDE_CHANGE,
}
SLUG_OF_KIND = {kind: slug for slug, kind in KIND_SLUGS.items()}


def _sections() -> list[dict]:
    return [{"slug": slug, "kind": kind, "label": kind.label} for slug, kind in KIND_SLUGS.items()]


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    latest = {kind: selectors.article_latest(kind=kind, limit=5) for kind in KIND_SLUGS.values()}
    return render(
        request,
        "disclosure/home.html",
        {
            "sections": [{**s, "articles": latest[s["kind"]]} for s in _sections()],
            "kind_slugs": SLUG_OF_KIND,
        },
    )


@require_GET
def article_list(request: HttpRequest, section: str | None = None) -> HttpResponse:
    kind = KIND_SLUGS.get(section) if section else None
    if section and kind is None:
        raise Http404
    q = (request.GET.get("q") or "").strip()[:100]
    category = (request.GET.get("category") or "").strip()[:40]
    articles = selectors.article_public_list(kind=kind, category=category or None, search=q)
    page_obj = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/list.html",
        {
            "section": section or "",
            "kind": kind,
            "title": kind.label if kind else _("Search the disclosure section"),
            "q": q,
            "terms": search.terms(q),
            "category": category,
            "categories": selectors.categories(kind) if kind else [],
            "page_obj": page_obj,
            "articles": page_obj.object_list,
            "sections": _sections(),
            "kind_slugs": SLUG_OF_KIND,
        },
    )


@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        article = selectors.article_public_get(pk=pk)
    except Article.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "disclosure/article.html",
        {
            "article": article,
            "section": SLUG_OF_KIND.get(article.kind, ""),
            "paragraphs": [p for p in article.body.splitlines() if p.strip()],
        },
    )


@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment: int) -> HttpResponse:
    try:
        row = selectors.attachment_public_get(article_pk=pk, pk=attachment)
    except Attachment.DoesNotExist as exc:
        raise Http404 from exc
    response = file_response(
        name=row.file.name, display_name=row.display_name, file_type=row.file_type, inline=True
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _period(request: HttpRequest) -> tuple[dt.datetime, dt.datetime, int]:
    try:
        months = int(request.GET.get("months") or 12)
    except ValueError:
        months = 12
    months = min(max(months, 1), 36)
    start, end = publication.recent_months(months)
    return start, end, months


@require_GET
def case_publication(request: HttpRequest) -> HttpResponse:
    """办件公示: the latest completed cases and each department's figures by month."""
    status = replica_status()
    start, end, months = _period(request)
    return render(
        request,
        "disclosure/cases.html",
        {
            "cases": publication.completed_cases(),
            "figures": publication.department_month_figures(start=start, end=end),
            "months": months,
            "replica": status,
        },
    )


def _dataset(name: str):
    dataset = opendata.get(name)
    if dataset is None:
        raise Http404
    return dataset


def _months(request: HttpRequest) -> int:
    try:
        months = int(request.GET.get("months") or 12)
    except ValueError:
        months = 12
    return min(max(months, 1), 36)


@require_GET
def open_data(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    dataset = _dataset(name)
    status = replica_status()
    period = dataset.period(_months(request))
    rows = dataset.rows(period)
    stamp = period.iso.replace("-", "").replace("/", "-")
    if fmt == "csv":
        response = HttpResponse(
            opendata.as_csv(dataset, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        doc = opendata.document(dataset, period=period, status=status, rows=rows)
        response = HttpResponse(opendata.as_json(doc), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{dataset.name}-{stamp}.{fmt}"'
    if status.replica:
        response["X-Replica-Lag-Seconds"] = status.lag_display or "unknown"
    return response


@require_GET
def open_data_schema(request: HttpRequest, name: str) -> HttpResponse:
    dataset = _dataset(name)
    return HttpResponse(opendata.schema_text(dataset), content_type="application/schema+json")


@require_GET
def open_data_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "disclosure/open_data.html",
        {"replica": replica_status(), "datasets": list(opendata.DATASETS.values())},
    )
