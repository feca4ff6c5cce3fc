"""The centre's booking and the public ratings can be found (issue 14, a newcomer's walk): the
footer links them, and "my appointments" offers each centre's booking page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.workflow import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def test_the_footer_links_appointments_and_the_public_ratings(client):
    page = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("centres:my_appointments")}"' in page and "预约办事" in page
    assert f'href="{reverse("portal:rating_results")}"' in page and "好差评公示" in page


def test_my_appointments_offers_each_centres_booking(client):
    region = f.region()
    centre = f.centre(region, f.department(reg=region))
    user, _person = f.citizen()
    client.force_login(user)
    page = client.get(reverse("centres:my_appointments")).content.decode()
    assert 'data-testid="book-links"' in page
    assert reverse("centres:book", args=[centre.code]) in page and centre.name in page
