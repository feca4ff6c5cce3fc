"""政务公开 search (disclosure.search): terms split on spaces and punctuation, all must match,
Chinese matched as substrings; title matches rank before body matches, newer first among
equals; the terms are highlighted with the text escaped; the query count does not grow with
the results; drafts are never found."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disclosure import search
from tests.disclosure.conftest import make_article

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: int):
    return time_machine.travel(datetime(2026, 11, day, 10, 0, tzinfo=SHANGHAI), tick=False)


def _publish(editor, reviewer, day: int, **fields):
    with _at(day):
        return make_article(editor, reviewer, **fields)


def _found(client, q: str) -> list[int]:
    with _at(30):
        response = client.get(reverse("disclosure:search"), {"q": q})
    assert response.status_code == 200
    return [a.pk for a in response.context["articles"]]


def test_title_matches_rank_before_body_matches_and_newer_first(client, editor, reviewer):
    in_body = _publish(
        editor, reviewer, 20, title="关于调整办公时间的通知", body="社保窗口自12月起延长服务。"
    )
    old_title = _publish(editor, reviewer, 2, title="社保卡申领指南", body="携带身份证。")
    new_title = _publish(editor, reviewer, 10, title="社保缴费基数调整公告", body="详见附件。")
    with _at(6):
        make_article(editor, title="社保草稿通知", body="社保")  # a draft: never found
    _publish(editor, reviewer, 5, title="无关公告", body="无关。")

    # the body-only match, although the newest, comes after both title matches
    assert _found(client, "社保") == [new_title.pk, old_title.pk, in_body.pk]
    # all terms must match; a term in the title counts before the others' dates
    assert _found(client, "社保 窗口") == [in_body.pk]
    assert _found(client, "社保，指南") == [old_title.pk]
    # more terms in the title first
    assert _found(client, "社保 调整") == [new_title.pk, in_body.pk]


def test_chinese_without_spaces_is_matched_as_a_substring(client, editor, reviewer):
    article = _publish(editor, reviewer, 3, title="关于营业执照办理流程优化的通知")
    assert _found(client, "营业执照") == [article.pk]
    assert _found(client, "执照办理") == [article.pk]
    assert _found(client, "执照 流程优化") == [article.pk]
    assert _found(client, "执照　驾驶") == []  # an ideographic space splits too


def test_the_terms_are_highlighted_and_the_text_escaped(client, editor, reviewer):
    _publish(
        editor,
        reviewer,
        4,
        title="窗口<script>alert(1)</script>调整",
        body="自即日起<b>综合窗口</b>延长服务",
    )
    with _at(30):
        page = client.get(reverse("disclosure:search"), {"q": "窗口"}).content.decode()
    assert "<script>alert(1)" not in page and "<b>综合" not in page
    assert "<mark>窗口</mark>&lt;script&gt;alert(1)&lt;/script&gt;调整" in page
    assert "&lt;b&gt;综合<mark>窗口</mark>&lt;/b&gt;延长服务" in page  # the excerpt

    hostile = '"><img src=x onerror=alert(1)>'
    with _at(30):
        page = client.get(reverse("disclosure:search"), {"q": hostile}).content.decode()
    assert "<img src=x" not in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page  # the query echoed, escaped


def test_highlight_never_marks_inside_an_entity():
    assert search.highlight("A & B", ["amp"]) == "A &amp; B"
    assert search.highlight("Tom & tom", ["TOM"]) == "<mark>Tom</mark> &amp; <mark>tom</mark>"
    assert search.terms("  元旦，窗口  元旦 (服务)《通知》") == ["元旦", "窗口", "服务", "通知"]
    assert search.terms("一 二 三 四 五 六") == ["一", "二", "三", "四", "五"]
    text = "甲" * 100 + "窗口" + "乙" * 100
    assert search.excerpt(text, ["窗口"], width=3) == "…甲甲甲窗口乙乙乙…"


def test_the_search_costs_the_same_queries_for_few_or_many_results(client, editor, reviewer):
    def queries() -> int:
        with _at(30), CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("disclosure:search"), {"q": "通知 窗口"}).status_code == 200
        return len(ctx)

    for day in (1, 2):
        _publish(editor, reviewer, day, title=f"窗口通知{day}", body="窗口")
    few = queries()
    for day in range(3, 13):
        _publish(editor, reviewer, day, title=f"窗口服务通知{day}", body="综合窗口")
    assert queries() == few
