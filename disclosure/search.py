"""Search in 政务公开 (docs/disclosure.md, "Search"): the query's terms, the filter, the rank
and the highlighting of the results.

* **Terms.** The query is split on white space and punctuation (ASCII and Chinese: ，。、；：
  ？！“”《》（）【】 …) into at most ``MAX_TERMS`` terms; a Chinese phrase written without spaces
  is one term, matched as a substring (``营业执照`` finds ``关于营业执照办理的通知``). There is no
  Chinese word segmenter: PostgreSQL has no Chinese parser here (zhparser is not installed),
  and a substring match finds what a segmenter would, and more.
* **Filter.** Every term must occur in the title, the summary, the text or the document
  number (``icontains``: case-insensitive; the same SQL on SQLite and PostgreSQL).
* **Rank.** Articles with more terms in the title first, then more terms in the summary or
  document number, then the newest (``published_at``), then the higher id: a notice with the
  word in its title comes before one with it only in its text.
* **Highlight.** :func:`highlight` escapes the text and wraps each occurrence of a term in
  ``<mark>``; :func:`excerpt` is the part of the text around the first term found.

No extra query: the rank is two annotations of the list's own query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY = 100
MAX_TERMS = 5
EXCERPT = 60  # characters either side of the first term in an excerpt

SEPARATORS = re.compile(
    r"[\s\u3000,.;:!?'\"()\[\]{}<>/\\|+=*&^%$#@~`"
    r"，。、；：？！“”‘’（）《》〈〉【】「」『』·…—～]+"
)


def terms(query: str | None) -> list[str]:
    """The query's search terms: split on white space and punctuation, duplicates (ignoring
    case) dropped, at most ``MAX_TERMS``."""
    seen: set[str] = set()
    out: list[str] = []
    for part in SEPARATORS.split((query or "").strip()[:MAX_QUERY]):
        if part and part.casefold() not in seen:
            seen.add(part.casefold())
            out.append(part)
    return out[:MAX_TERMS]


def _hits(fields: Sequence[str], words: Iterable[str]):
    """How many of ``words`` occur in any of ``fields`` (an SQL expression)."""
    total = Value(0, output_field=IntegerField())
    for word in words:
        found = Q()
        for name in fields:
            found |= Q(**{f"{name}__icontains": word})
        total = total + Case(When(found, then=Value(1)), default=Value(0))
    return total


def search(qs: QuerySet, query: str | None) -> QuerySet:
    """``qs`` filtered to the articles holding every term, ranked; unchanged (newest first)
    without terms."""
    words = terms(query)
    if not words:
        return qs.order_by("-published_at", "-pk")
    for word in words:
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(body__icontains=word)
            | Q(document_number__icontains=word)
        )
    return qs.annotate(
        title_hits=_hits(["title"], words),
        summary_hits=_hits(["summary", "document_number"], words),
    ).order_by("-title_hits", "-summary_hits", "-published_at", "-pk")


def _pattern(words: Sequence[str]) -> re.Pattern | None:
    words = sorted({w for w in words if w}, key=len, reverse=True)  # the longest first
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def highlight(text: str | None, words: Sequence[str]) -> SafeString:
    """``text`` escaped, each occurrence of a term wrapped in ``<mark>`` (the text is split
    on the terms before escaping, so a term never matches inside an entity)."""
    text = str(text or "")
    pattern = _pattern(words)
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703 - every piece escaped above


def excerpt(text: str | None, words: Sequence[str], width: int = EXCERPT) -> str:
    """The part of ``text`` around the first term it holds ("" when it holds none), with
    ``…`` where it was cut; white space runs become one space."""
    text = " ".join(str(text or "").split())
    pattern = _pattern(words)
    match = pattern.search(text) if pattern else None
    if match is None:
        return ""
    start, end = max(0, match.start() - width), min(len(text), match.end() + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
