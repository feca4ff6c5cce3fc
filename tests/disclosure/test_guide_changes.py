"""办事指南变更: publishing a new item version writes a published guide change; publishing an
unchanged item writes nothing; the note says what changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from disclosure.models import Article, Kind, State
from permits.services import item_publish

pytestmark = pytest.mark.django_db


def test_each_new_version_is_published_as_a_guide_change(client, parallel_item, admin_user):
    first = item_publish(item=parallel_item, actor=admin_user)
    item_publish(item=parallel_item, actor=admin_user)  # unchanged: same version, no note
    changes = Article.objects.filter(kind=Kind.GUIDE_CHANGE)
    assert changes.count() == 1
    note = changes.get()
    assert note.item_version == first and note.state == State.PUBLISHED
    assert "首次发布" in note.body

    parallel_item.promised_days = 2
    parallel_item.save()
    second = item_publish(item=parallel_item, actor=admin_user)
    note = Article.objects.get(item_version=second)
    assert "承诺办结时限：3 个工作日 → 2 个工作日" in note.body
    assert note.published_by == admin_user
    assert note.log.get().action == "published"

    page = client.get(reverse("disclosure:list", args=["guide-changes"])).content.decode()
    assert note.title in page
    detail = client.get(reverse("disclosure:article", args=[note.pk])).content.decode()
    assert reverse("portal:item", args=[parallel_item.code]) in detail
