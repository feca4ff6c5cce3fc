"""Query-count guard of the notifications list (issue 11 item 5): the same number of queries
for 3 notices as for 60."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification
from tests.workflow import factories as f

pytestmark = pytest.mark.django_db


def test_notification_list_queries_do_not_grow_with_the_notices(client):
    user = f.user()
    client.force_login(user)
    url = reverse("notifications:list")

    def add(n: int) -> None:
        Notification.objects.bulk_create(
            [
                Notification(recipient=user, kind="general", title=f"通知{i}", body="正文")
                for i in range(n)
            ]
        )

    def count() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add(3)
    few = count()
    add(57)
    assert count() == few
    assert few <= 12
