"""The disclosure section's RSS feed (django.contrib.syndication): the latest published articles."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from disclosure import selectors
from disclosure.models import Article


class LatestArticlesFeed(Feed):
    title = _("Yunfu government information disclosure")
    description = _("Notices, policies, interpretations and service guide changes.")

    def link(self) -> str:
        return reverse("disclosure:home")

    def items(self) -> list[Article]:
        return selectors.feed_items()

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary or item.body[:300]

    def item_link(self, item: Article) -> str:
        return reverse("disclosure:article", args=[item.pk])

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_categories(self, item: Article):
        return [str(item.get_kind_display())] + ([item.category.name] if item.category else [])
