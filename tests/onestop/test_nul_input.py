"""A NUL character (``%00``, ``\\u0000``) in a URL or a JSON body answers 400, never 500.

On PostgreSQL any text lookup with a NUL raised ``ValueError`` ("A string literal cannot contain
NUL"), so ``/api/v1/applications/%00/``, ``/api/v1/tasks/?item=%00``, ``/items/%00/``, the public
track and verify endpoints and a handler scope of ``["A\\u0000"]`` all answered 500. SQLite takes
the NUL, so run this file on PostgreSQL too (CI does).
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.permits.applicant_factories import HandlerFactory, PersonFactory

pytestmark = pytest.mark.django_db

API_URLS = [
    "/api/v1/applications/%00/",
    "/api/v1/applications/?item=%00",
    "/api/v1/applications/?status=%00",
    "/api/v1/applications/YF%00/materials/",
    "/api/v1/tasks/?scope=queue&application=%00",
    "/api/v1/tasks/?scope=queue&item=%00",
    "/api/v1/tasks/?scope=queue&region=%00",
    "/api/v1/tasks/?%00=1",
    "/api/v1/track/?number=%00&id_last4=1234",
    "/api/v1/certificates/verify/?number=%00&code=%00",
    "/api/v1/enterprises/%00/handlers/",
]


@pytest.mark.parametrize("url", API_URLS)
def test_api_url_with_nul_is_400_in_the_error_shape(url):
    client = APIClient()
    client.force_authenticate(PersonFactory().user)
    response = client.get(url)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"] == {}
    assert "不允许" in body["detail"]


@pytest.mark.parametrize("url", ["/items/%00/", "/items/?q=%00", "/?region=%00"])
def test_page_with_nul_is_the_400_page(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "无法识别" in response.content.decode()


def test_plain_urls_still_pass(client):
    assert client.get("/items/?q=qykb").status_code == 200


def test_json_body_with_nul_is_400():
    owner = HandlerFactory(enterprise__credit_code="91445300MA4UX1234G")
    colleague = PersonFactory()
    client = APIClient()
    client.force_authenticate(owner.person.user)
    response = client.post(
        "/api/v1/enterprises/91445300MA4UX1234G/handlers/",
        {"username": colleague.user.username, "scope": ["A\x00B"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
