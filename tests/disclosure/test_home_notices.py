"""The portal home shows the latest published notices (通知公告) with a link to /gongkai/; drafts
and other kinds never, and at most five."""

from __future__ import annotations

import pytest
from django.urls import reverse

from disclosure import selectors, services
from disclosure.models import Kind
from tests.disclosure.conftest import make_article

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_the_latest_published_notices(client, editor, reviewer):
    published = [make_article(editor, reviewer, title=f"关于首页公告的通知{n}") for n in range(7)]
    draft = make_article(editor, title="尚未发布的草稿通知")
    policy = make_article(editor, reviewer, kind=Kind.POLICY, title="首页不列的政策文件")

    html = client.get(reverse("portal:home")).content.decode()
    shown = [a for a in published if a.title in html]
    assert shown == published[-5:]  # the newest five
    assert draft.title not in html and policy.title not in html
    assert f'href="{reverse("disclosure:home")}"' in html
    assert reverse("disclosure:article", args=[published[-1].pk]) in html


def test_latest_notices_is_one_query(editor, reviewer, django_assert_num_queries):
    for n in range(3):
        make_article(editor, reviewer, title=f"通知{n}")
    with django_assert_num_queries(1):
        notices = selectors.latest_notices(3)
        assert [a.category for a in notices] == [None, None, None]


def test_the_home_page_without_notices_says_so(client, db):
    html = client.get(reverse("portal:home")).content.decode()
    assert reverse("disclosure:home") in html


def test_a_notice_published_or_withdrawn_shows_at_once_on_the_cached_home_page(
    client, editor, reviewer, django_capture_on_commit_callbacks
):
    # Anonymous visitors get the home page from the public pages' cache (portal/pagecache.py):
    # publishing or withdrawing a notice makes it a new version, never a stale list.
    home = reverse("portal:home")
    client.get(home)
    assert client.get(home)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        notice = make_article(editor, reviewer, title="关于缓存首页即时更新的通知")
    response = client.get(home)
    assert response["X-Page-Cache"] == "miss" and notice.title in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.article_withdraw(article=notice, actor=reviewer)
    assert notice.title not in client.get(home).content.decode()
