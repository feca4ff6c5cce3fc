"""Public reads of the disclosure section: only published articles, in a constant number of
queries per page.

Search (``disclosure.search``): the query split into terms, every term matched as a substring
(``icontains``) of title, summary, text or document number, ranked title matches first, then
the newest (works on SQLite for the demo and on PostgreSQL alike). At the size of a city's
notices (thousands) a scan of the published rows is cheap; PostgreSQL full-text search with a
Chinese parser (zhparser) would need an extension the project does not install.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from disclosure.models import Article, Attachment, Category, Kind, State
from disclosure.search import search as search_articles

PUBLIC_KINDS = (Kind.NOTICE, Kind.POLICY, Kind.INTERPRETATION, Kind.GUIDE_CHANGE)


def article_public_list(
    *, kind: str | None = None, category: str | None = None, search: str = ""
) -> QuerySet[Article]:
    qs = Article.objects.public().select_related("category", "policy")
    if kind:
        qs = qs.filter(kind=kind)
    if category:
        qs = qs.filter(category__code=category)
    return search_articles(qs, search)


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
