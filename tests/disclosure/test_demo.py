"""seed_demo's disclosure step: notices and a policy with its interpretation, published through
the review rule by two different accounts; running it again changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from disclosure.demo import POLICY_TITLE, seed_disclosure
from disclosure.models import Article, Kind, State

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_notices_and_an_interpreted_policy(client):
    first = seed_disclosure()
    assert len(first.created) == 5 and not first.skipped
    again = seed_disclosure()
    assert not again.created and Article.objects.count() == 5

    policy = Article.objects.get(title=POLICY_TITLE)
    assert policy.kind == Kind.POLICY and policy.state == State.PUBLISHED
    assert policy.interpretations.get().state == State.PUBLISHED
    assert all(a.published_by_id != a.created_by_id for a in Article.objects.all())
    assert Article.objects.filter(kind=Kind.NOTICE).count() == 3
    page = client.get(reverse("disclosure:home")).content.decode()
    assert POLICY_TITLE in page
