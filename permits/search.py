"""What catalogue search matches: names, keywords and their pinyin (full and initials).

``build_search_text`` produces the text stored in ``ServiceItem.search_text``; ``search_terms``
turns what a user typed into the terms that must all occur in it. Both lower-case everything, so
``qykb``, ``QYKB``, ``qiye``, ``qiyekaiban`` and ``企业开办`` all find 企业开办.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

# Keywords are separated by commas (ASCII or full-width), the enumeration comma 、,
# semicolons or white space.
_KEYWORD_SPLIT = re.compile(r"[,，、;；\s]+")
_TERM_SPLIT = re.compile(r"[\s,，、;；]+")


def split_keywords(keywords: str) -> list[str]:
    """``"开办企业，营业执照、设立 公司"`` → ``["开办企业", "营业执照", "设立", "公司"]``."""
    return [k for k in _KEYWORD_SPLIT.split(keywords or "") if k]


def _variants(phrase: str) -> list[str]:
    """The phrase itself, its full pinyin and its pinyin initials, all lower-case.

    Characters that are not Chinese stay as they are (``ICP备案`` → ``icpbeian``, ``icpba``).
    """
    phrase = phrase.strip()
    if not phrase:
        return []
    full = "".join(lazy_pinyin(phrase, style=Style.NORMAL, errors="default"))
    initials = "".join(lazy_pinyin(phrase, style=Style.FIRST_LETTER, errors="default"))
    out: list[str] = []
    for variant in (phrase, full, initials):
        variant = re.sub(r"\s+", "", variant.lower())
        if variant and variant not in out:
            out.append(variant)
    return out


def build_search_text(*, name: str, keywords: str = "", code: str = "") -> str:
    """The lower-case, space-separated words search matches for one item.

    Each phrase (the name, each keyword) contributes itself, its full pinyin and its initials as
    separate words, so a term never matches across two phrases. The item code is included so that
    staff can type it.
    """
    words: list[str] = []
    for phrase in [name, *split_keywords(keywords)]:
        for variant in _variants(phrase):
            if variant not in words:
                words.append(variant)
    if code:
        words.append(code.lower())
    return " ".join(words)


def search_terms(query: str) -> list[str]:
    """The lower-case terms of a query; every term must occur in an item's search text."""
    return [t for t in _TERM_SPLIT.split((query or "").lower()) if t]
