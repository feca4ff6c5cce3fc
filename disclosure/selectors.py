"""Public reads of the disclosure section: only published articles, in a constant number of
queries per page.

Search is a plain ``icontains`` over title, summary, text and document number (works on SQLite
for the demo and on PostgreSQL alike; no ranking). At the size of a city's notices (thousands)
a scan of the published rows is cheap; PostgreSQL full-text search with a Chinese parser
(zhparser) would need an extension the project does not install.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from disclosure.models import Article, Attachment, Category, Kind, State

PUBLIC_KINDS = (Kind.NOTICE, Kind.POLICY, Kind.INTERPRETATION, Kind.GUIDE_CHANGE)


def article_public_list(
    *, kind: str | None = None, category: str | None = None, search: str = ""
) -> QuerySet[Article]:
    qs = Article.objects.public().select_related("category", "policy")
    if kind:
        qs = qs.filter(kind=kind)
    if category:
        qs = qs.filter(category__code=category)
    search = (search or "").strip()[:100]
    if search:
        q = Q()
        for word in search.split()[:5]:
            q &= (
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(body__icontains=word)
                | Q(document_number__icontains=word)
            )
        qs = qs.filter(q)
    return qs.order_by("-published_at", "-pk")


def article_latest(*, kind: str, limit: int = 5) -> list[Article]:
    return list(
        Article.objects.public()
        .filter(kind=kind)
        .select_related("category")
        .order_by("-published_at", "-pk")[:limit]
    )


def article_public_get(*, pk: int) -> Article:
    """A published article with its attachments, its policy or its published interpretations;
    ``Article.DoesNotExist`` for a draft exactly as for a missing one."""
    return (
        Article.objects.public()
        .select_related("category", "policy", "item")
        .prefetch_related(
            "attachments",
            Prefetch(
                "interpretations",
                queryset=Article.objects.public().order_by("-published_at"),
                to_attr="public_interpretations",
            ),
        )
        .get(pk=pk)
    )


def attachment_public_get(*, article_pk: int, pk: int) -> Attachment:
    return Attachment.objects.select_related("article").get(
        pk=pk, article_id=article_pk, article__state=State.PUBLISHED
    )


def categories(kind: str | None = None) -> list[Category]:
    qs = Category.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs)


def feed_items(limit: int = 30) -> list[Article]:
    return list(
        Article.objects.public().select_related("category").order_by("-published_at")[:limit]
    )


def latest_notices(limit: int = 5) -> list[Article]:
    """The newest published notices (通知公告) for the portal's home page: one query."""
    return article_latest(kind=Kind.NOTICE, limit=limit)
