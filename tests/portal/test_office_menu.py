"""The back-office menu links the intake pages for those who enter cases (issue 8: the hotline
page; issue 10: walk-in intake and the queue desk), and not for a reviewer."""

import pytest

from departments.models import Role
from tests.workflow import factories as f

pytestmark = pytest.mark.django_db

LINKS = ("/centres/intake/", "/centres/desk/", "/office/hotline/")


def _menu(client, user) -> str:
    client.force_login(user)
    page = client.get("/office/")
    assert page.status_code == 200
    return page.content.decode()


def test_a_clerk_finds_the_intake_pages_in_the_menu(client):
    dept = f.department()
    html = _menu(client, f.staff(dept, role=Role.CLERK))
    for url in LINKS:
        assert f'href="{url}"' in html, url
    assert "窗口受理" in html and "热线来电" in html


def test_a_reviewer_does_not(client):
    dept = f.department()
    html = _menu(client, f.staff(dept))
    for url in LINKS:
        assert f'href="{url}"' not in html, url
