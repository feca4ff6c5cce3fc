"""The editors' screen (Django admin): an editor writes a notice with an attachment and sends it
to review; the reviewer publishes it with the list action; an author holding both rights cannot
publish their own text from the admin either."""

from __future__ import annotations

import pytest
from django.urls import reverse

from disclosure.models import Article, State
from tests.disclosure.conftest import make_article
from tests.workflow.factories import pdf_file

pytestmark = pytest.mark.django_db


def _staff(user):
    user.is_staff = True
    user.save()
    return user


def test_write_attach_submit_and_publish_through_the_admin(
    client, editor, reviewer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(_staff(editor))
    response = client.post(
        reverse("admin:disclosure_article_add"),
        {
            "kind": "notice",
            "title": "后台撰写的通知",
            "summary": "",
            "body": "正文",
            "document_number": "",
            "issuer": "",
            "upload": pdf_file("通知.pdf"),
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
            "log-TOTAL_FORMS": "0",
            "log-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(title="后台撰写的通知")
    assert article.created_by == editor and article.attachments.count() == 1

    changelist = reverse("admin:disclosure_article_changelist")
    client.post(changelist, {"action": "submit", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.state == State.IN_REVIEW

    client.force_login(_staff(reviewer))
    client.post(changelist, {"action": "publish", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.state == State.PUBLISHED and article.published_by == reviewer


def test_the_admin_action_refuses_publishing_ones_own_text(client, editor_reviewer):
    article = make_article(editor_reviewer, title="自审自发")
    from disclosure import services

    services.article_submit(article=article, actor=editor_reviewer)
    client.force_login(_staff(editor_reviewer))
    response = client.post(
        reverse("admin:disclosure_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk]},
        follow=True,
    )
    article.refresh_from_db()
    assert article.state == State.IN_REVIEW
    assert "撰稿人不能发布自己撰写的信息" in response.content.decode()


def test_an_admin_edit_of_a_draft_is_logged_with_the_fields_changed(client, editor):
    article = make_article(editor, title="待修改的通知", body="旧正文")
    client.force_login(_staff(editor))
    response = client.post(
        reverse("admin:disclosure_article_change", args=[article.pk]),
        {
            "kind": "notice",
            "title": "修改后的通知",
            "summary": "",
            "body": "新正文",
            "document_number": "",
            "issuer": "",
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
            "log-TOTAL_FORMS": "1",
            "log-INITIAL_FORMS": "1",
            "log-0-id": str(article.log.get().pk),
            "log-0-article": str(article.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert (article.title, article.body, article.state) == ("修改后的通知", "新正文", State.DRAFT)
    created, edited = article.log.order_by("at", "pk")
    assert created.action == "created"
    assert (edited.action, edited.actor, edited.state_after) == ("edited", editor, State.DRAFT)
    assert "title" in edited.note and "body" in edited.note and "summary" not in edited.note
    assert "新正文" not in edited.note  # the fields are named, their text is not copied


def test_an_unchanged_save_writes_no_log_and_a_non_draft_cannot_be_edited(editor, reviewer):
    from disclosure import services
    from onestop.errors import Conflict

    article = make_article(editor, title="不变的通知")
    assert (
        services.article_update(article=article, actor=editor, changes={"title": "不变的通知"})
        == []
    )
    assert article.log.count() == 1
    services.article_submit(article=article, actor=editor)
    with pytest.raises(Conflict):
        services.article_update(article=article, actor=editor, changes={"title": "偷改"})
    article.refresh_from_db()
    assert article.title == "不变的通知"
