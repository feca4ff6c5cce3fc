"""seed_demo rates the demo's finished 企业开办 case (evaluations.demo) after the cases in flight
are made, with a reviewed comment, so the public ratings page has this month's figures on first
look; seeding again adds nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from evaluations.choices import CommentStatus
from evaluations.demo import COMMENT, ITEM
from evaluations.models import Rating
from tests.workflow.test_demo_inflight import seed

pytestmark = pytest.mark.django_db


def test_the_demo_rates_its_finished_case_and_the_ratings_page_shows_it(client):
    seed()
    rating = Rating.objects.get()
    assert rating.application.item.code == ITEM
    assert rating.application.created_by.username == "citizen2"
    assert rating.level == 5 and rating.comment_status == CommentStatus.PUBLISHED
    seed()
    assert Rating.objects.count() == 1

    page = client.get(reverse("portal:rating_results")).content.decode()
    assert COMMENT in page
