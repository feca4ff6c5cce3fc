"""政务公开: drafts stay private (pages, search, RSS), the review rule, categories, attachments."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosure import services
from disclosure.models import Article, ArticleLog, Category, Kind, State
from onestop.errors import Conflict, Invalid, NotAllowed
from permits.uploads import UploadRejected
from tests.disclosure.conftest import make_article
from tests.workflow.factories import PDF_BYTES, image_file, pdf_file

pytestmark = pytest.mark.django_db


def _public_texts(client, q: str) -> str:
    pages = [
        client.get(reverse("disclosure:home")),
        client.get(reverse("disclosure:list", args=["notices"])),
        client.get(reverse("disclosure:search"), {"q": q}),
        client.get(reverse("disclosure:feed")),
    ]
    assert all(p.status_code == 200 for p in pages)
    return "".join(p.content.decode() for p in pages)


def _unmarked(response) -> str:
    """A page's text without the search's highlighting (``<mark>`` around the terms)."""
    return response.content.decode().replace("<mark>", "").replace("</mark>", "")


def test_a_draft_and_an_article_in_review_are_invisible_to_the_public(client, editor):
    draft = make_article(editor, title="未发布的草稿通知甲")
    in_review = make_article(editor, title="待审核的通知乙")
    services.article_submit(article=in_review, actor=editor)

    text = _public_texts(client, "通知")
    assert "未发布的草稿通知甲" not in text
    assert "待审核的通知乙" not in text
    for article in (draft, in_review):
        assert client.get(reverse("disclosure:article", args=[article.pk])).status_code == 404


def test_a_published_notice_is_found_by_search_and_listed_in_rss(client, editor, reviewer):
    article = make_article(
        editor, reviewer, title="关于元旦假期窗口服务安排的通告", body="窗口暂停"
    )
    make_article(editor, reviewer, title="另一条无关的公告")

    found = _unmarked(client.get(reverse("disclosure:search"), {"q": "元旦 窗口"}))
    assert "关于元旦假期窗口服务安排的通告" in found
    assert "另一条无关的公告" not in found
    # the body is searched too
    assert "关于元旦假期窗口服务安排的通告" in _unmarked(
        client.get(reverse("disclosure:search"), {"q": "暂停"})
    )
    feed = client.get(reverse("disclosure:feed"))
    assert feed["Content-Type"].startswith("application/rss+xml")
    assert "关于元旦假期窗口服务安排的通告" in feed.content.decode()
    assert reverse("disclosure:article", args=[article.pk]) in feed.content.decode()
    page = client.get(reverse("disclosure:article", args=[article.pk]))
    assert page.status_code == 200 and "窗口暂停" in page.content.decode()


def test_a_withdrawn_article_leaves_the_public_pages(client, editor, reviewer):
    article = make_article(editor, reviewer, title="即将撤回的通知")
    services.article_withdraw(article=article, actor=reviewer, note="内容有误")
    assert "即将撤回的通知" not in _public_texts(client, "撤回")
    assert client.get(reverse("disclosure:article", args=[article.pk])).status_code == 404


def test_the_author_cannot_publish_their_own_text(editor_reviewer, reviewer):
    article = make_article(editor_reviewer, title="自己写的通知")
    services.article_submit(article=article, actor=editor_reviewer)
    with pytest.raises(NotAllowed):
        services.article_publish(article=article, actor=editor_reviewer)
    article.refresh_from_db()
    assert article.state == State.IN_REVIEW

    services.article_publish(article=article, actor=reviewer)
    article.refresh_from_db()
    assert article.state == State.PUBLISHED
    assert article.published_by == reviewer and article.created_by == editor_reviewer
    log = list(ArticleLog.objects.filter(article=article).values_list("action", "actor__username"))
    assert log == [
        ("created", "gk-both"),
        ("submitted", "gk-both"),
        ("published", "gk-reviewer"),
    ]


def test_only_editors_write_and_only_reviewers_publish(editor, reviewer):
    with pytest.raises(NotAllowed):
        services.article_create(actor=reviewer, kind=Kind.NOTICE, title="审核员不能起草")
    article = make_article(editor)
    with pytest.raises(Conflict):  # a draft is sent to review first
        services.article_publish(article=article, actor=reviewer)
    services.article_submit(article=article, actor=editor)
    with pytest.raises(NotAllowed):
        services.article_publish(article=article, actor=editor)
    services.article_return(article=article, actor=reviewer, note="请补充依据")
    article.refresh_from_db()
    assert article.state == State.DRAFT
    assert ArticleLog.objects.filter(article=article, action="returned", note="请补充依据").exists()


def test_an_interpretation_names_its_policy_and_is_shown_beside_it(client, editor, reviewer):
    with pytest.raises(Invalid):
        services.article_create(actor=editor, kind=Kind.INTERPRETATION, title="无政策的解读")
    policy = make_article(
        editor, reviewer, kind=Kind.POLICY, title="实施方案", document_number="云府办〔2026〕12号"
    )
    reading = make_article(
        editor, reviewer, kind=Kind.INTERPRETATION, title="实施方案解读", policy=policy
    )
    page = client.get(reverse("disclosure:article", args=[policy.pk])).content.decode()
    assert "实施方案解读" in page and "云府办〔2026〕12号" in page
    page = client.get(reverse("disclosure:article", args=[reading.pk])).content.decode()
    assert reverse("disclosure:article", args=[policy.pk]) in page


def test_categories_filter_the_list(client, editor, reviewer):
    news = Category.objects.create(kind=Kind.NOTICE, code="work-news", name="工作动态")
    make_article(editor, reviewer, title="工作动态之一", category=news)
    make_article(editor, reviewer, title="没有栏目的通知")
    page = client.get(reverse("disclosure:list", args=["notices"]), {"category": "work-news"})
    text = page.content.decode()
    assert "工作动态之一" in text and "没有栏目的通知" not in text


class TestAttachments:
    def test_a_pdf_is_stored_under_a_generated_name_and_served_once_published(
        self, client, editor, reviewer, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        article = make_article(editor, title="带附件的通知")
        attachment = services.attachment_add(
            article=article, actor=editor, uploaded_file=pdf_file("通知全文.pdf")
        )
        assert attachment.display_name == "通知全文.pdf"
        assert attachment.file.name.startswith("disclosure/") and "通知" not in attachment.file.name
        url = reverse("disclosure:attachment", args=[article.pk, attachment.pk])
        assert client.get(url).status_code == 404  # still a draft

        services.article_submit(article=article, actor=editor)
        services.article_publish(article=article, actor=reviewer)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert "filename*=UTF-8''" in response["Content-Disposition"]

    @pytest.mark.parametrize(
        ("upload", "reason"),
        [
            (SimpleUploadedFile("空.pdf", b""), "empty"),
            (SimpleUploadedFile("脚本.html", b"<script>alert(1)</script>"), "type_not_accepted"),
            (SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00 not a pdf at all"), "type_mismatch"),
        ],
    )
    def test_the_material_upload_checks_refuse_bad_files(
        self, editor, settings, tmp_path, upload, reason
    ):
        settings.MEDIA_ROOT = tmp_path
        article = make_article(editor)
        with pytest.raises(UploadRejected) as caught:
            services.attachment_add(article=article, actor=editor, uploaded_file=upload)
        assert caught.value.reason == reason
        assert not article.attachments.exists()

    def test_a_png_renamed_pdf_is_refused(self, editor, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        article = make_article(editor)
        with pytest.raises(UploadRejected) as caught:
            services.attachment_add(
                article=article, actor=editor, uploaded_file=image_file("扫描件.pdf", kind="png")
            )
        assert caught.value.reason == "type_mismatch"

    def test_files_are_attached_to_drafts_only(self, editor, reviewer, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        article = make_article(editor, reviewer)
        with pytest.raises(Conflict):
            services.attachment_add(article=article, actor=editor, uploaded_file=pdf_file())


def test_public_pages_run_a_constant_number_of_queries(
    client, editor, reviewer, django_assert_max_num_queries
):
    def counts() -> list[int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        out = []
        for url in (
            reverse("disclosure:home"),
            reverse("disclosure:list", args=["notices"]),
            reverse("disclosure:search") + "?q=通知",
            reverse("disclosure:feed"),
            reverse("disclosure:article", args=[policy.pk]),
        ):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx))
        return out

    news = Category.objects.create(kind=Kind.NOTICE, code="news", name="工作动态")
    policy = make_article(editor, reviewer, kind=Kind.POLICY, title="政策一")
    make_article(editor, reviewer, title="通知一", category=news)
    small = counts()
    for n in range(12):
        make_article(editor, reviewer, title=f"通知{n}", category=news)
        make_article(editor, reviewer, kind=Kind.INTERPRETATION, title=f"解读{n}", policy=policy)
    assert counts() == small
    assert Article.objects.public().count() == 26
