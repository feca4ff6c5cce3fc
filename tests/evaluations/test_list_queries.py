"""Query-count guard of the public ratings pages (issue 11 item 5): the city's and a
department's results read the same number of queries for 10 ratings as for 300."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from evaluations.models import Rating
from evaluations.signals import ratings_changed_send
from tests.evaluations.test_figures import _rating
from tests.workflow import factories as f

pytestmark = pytest.mark.django_db


def _queries(url: str) -> int:
    client = Client()
    assert client.get(url).status_code == 200  # warm (content types, translations)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_public_results_read_a_constant_number_of_queries():
    dept = f.department(name="住建局")
    pages = ("/ratings/?year=2026", f"/ratings/{dept.code}/?year=2026")

    def add(start: int, n: int) -> None:
        made = Rating.objects.bulk_create(
            [
                _rating(
                    start + i,
                    dept,
                    1 + i % 5,
                    reasons=["overdue"] if i % 5 < 2 else [],
                    comment="好",
                    comment_status="published",
                    comment_published="好",
                )
                for i in range(n)
            ]
        )
        ratings_changed_send([r.pk for r in made])  # the read models the page reads

    add(0, 10)
    few = [_queries(url) for url in pages]
    add(10, 290)
    many = [_queries(url) for url in pages]
    assert few == many
    assert 'data-testid="rating-total">300<' in Client().get(pages[0]).content.decode()
    assert max(many) <= 12
