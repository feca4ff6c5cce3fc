"""``{% load disclosure_search %}``: a search result's title and excerpt with the query's terms
marked (``disclosure.search``; the text is escaped first)."""

from __future__ import annotations

from django import template

from disclosure import search

register = template.Library()


@register.filter
def highlight(text, terms):
    return search.highlight(text, terms or ())


@register.filter
def search_excerpt(article, terms):
    """The part of the summary (else of the text) around the first term it holds, marked;
    "" without terms or when neither holds one."""
    if not terms:
        return ""
    for text in (article.summary, article.body):
        part = search.excerpt(text, terms)
        if part:
            return search.highlight(part, terms)
    return ""
