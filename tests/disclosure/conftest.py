"""Fixtures of the disclosure tests: an editor, two reviewers, articles in each state, decided
cases of persons and enterprises."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from disclosure import services
from disclosure.models import Article, Kind
from permits.models import Application
from tests.permits.conftest import admin_user, parallel_item  # noqa: F401 - shared fixtures
from tests.workflow import factories as f

_seq = itertools.count(1)


def _user(username: str, *codenames: str):
    user = get_user_model().objects.create_user(username=username, password="pw-123456")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="disclosure", codename__in=codenames)
    )
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def editor(db):
    return _user("gk-editor", "add_article", "change_article", "view_article")


@pytest.fixture
def reviewer(db):
    return _user("gk-reviewer", "review_article", "view_article")


@pytest.fixture
def editor_reviewer(db):
    """Holds both rights: may write, and may publish others' texts but not their own."""
    return _user("gk-both", "add_article", "change_article", "review_article", "view_article")


def make_article(editor, reviewer=None, *, kind=Kind.NOTICE, title=None, **fields) -> Article:
    """A draft by ``editor``; published by ``reviewer`` when given."""
    article = services.article_create(
        actor=editor, kind=kind, title=title or f"关于测试事项的通知{next(_seq)}", **fields
    )
    if reviewer is not None:
        services.article_submit(article=article, actor=editor)
        services.article_publish(article=article, actor=reviewer)
    return article


@pytest.fixture
def city_world(db):
    reg = f.region()
    lead = f.department(name="云浮市市场监督管理局", reg=reg)
    item = f.published_item(lead=lead)
    return {"region": reg, "lead": lead, "item": item}


def decided_case(
    world,
    *,
    person=None,
    enterprise=None,
    decision="approved",
    decided_at=None,
    due_at=None,
    service_item=None,
    feed=True,
) -> Application:
    n = next(_seq)
    item = service_item or world["item"]
    decided_at = decided_at or timezone.now() - dt.timedelta(days=1)
    app = Application.objects.create(
        number=f"YF20261203{n:05d}",
        item=item,
        item_version=item.current_version,
        applicant_person=person,
        applicant_enterprise=enterprise,
        status=decision,
        decision=decision,
        region=item.region,
        lead_department=item.lead_department,
        submitted_at=decided_at - dt.timedelta(days=5),
        accepted_at=decided_at - dt.timedelta(days=4),
        decided_at=decided_at,
        due_at=due_at,
    )
    if feed:
        # 办件公示's monthly figures, as the statistics feed refreshes them after the decision's
        # event commits (a test's transaction never commits; feed_event runs the whole feed)
        from disclosure.month_figures import refresh

        refresh([app.pk])
    return app


def feed_event(app: Application, action: str, *, at=None):
    """Append ``action`` to the case's log and feed it to the statistics (and so to the
    read models hanging on the feed) as the after-commit callback would."""
    from stats.ingest import ingest_events
    from workflow.services.events import event_append

    event = event_append(application=app, actor=None, action=action, at=at)
    ingest_events([event.pk])
    return event
