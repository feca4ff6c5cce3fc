"""The end of the newcomer's journey (issue 2 item 10): log in as each demo role.

The demo data is seeded once (``seed_demo``, as ``make demo`` does) and one account of every
role logs in through the real login page, at the desktop and at a 390×844 phone: staff land on
the back office's workbench (``/office/``) listing their departments and roles, citizens and
enterprise handlers on their own page. Each landing page fits the phone's width and has no
serious or critical axe violation; a screenshot is taken, then the account logs out through the
header's button.

One test, one seed, one browser: ``live_server`` tests run on ``transactional_db``, which
empties the database after every test, so splitting this per role would reseed each time.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from departments.selectors import staff_roles_for_user
from portal.accounts_views import CITIZEN_HOME_NAMES
from portal.navigation import optional_reverse
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll, login, url

pytestmark = pytest.mark.e2e

# One demo account per role (README, "Demo accounts"): username → kind of landing page.
DEMO_ROLES = {
    "citizen": "citizen",  # person applicant
    "enterprise": "citizen",  # enterprise handler (经办人)
    "clerk": "staff",  # window clerk
    "scjg_undertake": "staff",  # reviewer · 承办
    "head_scjg": "staff",  # department head
    "supervisor": "staff",  # supervisor scoped to a region
    "admin": "staff",  # catalogue admin, superuser
}


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)
    users = get_user_model().objects.in_bulk(list(DEMO_ROLES), field_name="username")
    assert set(users) == set(DEMO_ROLES), "seed_demo lost a demo account named in the README"
    return users


def log_in_and_check_landing(page, live_server, shot, user, kind: str) -> None:
    login(page, live_server, user.username)
    path = page.url.removeprefix(live_server.url).split("?")[0]
    if kind == "staff":
        assert path == url(live_server, "workflow:home").removeprefix(live_server.url), (
            f"{user.username} (staff) landed on {path}, not the back office"
        )
        roles_card = page.locator("section[aria-labelledby=os-roles-title]")
        text = roles_card.inner_text()
        roles = staff_roles_for_user(user=user)
        assert roles, f"{user.username} has no staff role in the demo"
        for role in roles:
            assert role.department.name in text, (user.username, role.department.name)
            assert str(role.get_role_display()) in text, (user.username, role.role)
    else:
        expected = optional_reverse(*CITIZEN_HOME_NAMES)
        assert path == expected, f"{user.username} landed on {path}, expected {expected}"
        assert page.url.find("/office/") == -1
    assert page.get_by_role("heading", level=1).inner_text().strip()
    shot(page, f"{user.username} landing")
    assert_no_horizontal_scroll(page)
    assert_accessible(page)

    # Log out with the header's button: back on the home page, anonymous again
    with page.expect_navigation():
        page.locator("form[action$='/logout/'] button[type=submit]").first.click()
    assert page.url.split("?")[0] == url(live_server, "portal:home")
    assert page.get_by_role("link", name="登录").first.is_visible()


def test_newcomer_logs_in_as_each_demo_role(page, phone_page, live_server, shot, demo):
    failures = []
    for username, kind in DEMO_ROLES.items():
        for viewport_page in (page, phone_page):
            try:
                log_in_and_check_landing(viewport_page, live_server, shot, demo[username], kind)
            except (AssertionError, pytest.fail.Exception) as error:  # report every role
                failures.append(f"[{viewport_page.viewport_name}] {username}: {error}")
    assert not failures, "\n".join(failures)
