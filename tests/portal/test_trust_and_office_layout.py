"""Issue 14, items 9 and 14 in HTML: the top bar inside the banner, the footer's filing numbers
and links, the accessibility statement, and the back office's own navigation."""

import re

import pytest
from django.urls import reverse

from departments.models import Level, Role
from tests.departments.factories import DepartmentFactory, RegionFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


def test_top_bar_sits_inside_the_banner_landmark(client):
    html = client.get(reverse("portal:home")).content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert 'class="os-topbar"' in header  # language, large text and log in are in the banner
    assert 'class="os-header"' in header
    assert html.count("<header") == 1


def test_footer_shows_the_filing_numbers_once_set(client, settings):
    settings.SITE_IDENTIFIER = "4453000001"
    settings.ICP_FILING_NUMBER = "粤ICP备12345678号"
    settings.PSB_FILING_NUMBER = "粤公网安备44530202000001号"
    settings.GOV_ERROR_REPORT_URL = "https://zfwzzc.www.gov.cn/"
    html = client.get(reverse("portal:home")).content.decode()
    footer = html[html.index("<footer") :]
    assert "网站标识码：4453000001" in footer
    assert "粤ICP备12345678号" in footer
    assert "粤公网安备44530202000001号" in footer
    assert '<a href="https://zfwzzc.www.gov.cn/" rel="noopener">我为政府网站找错</a>' in footer
    assert f'<a href="{reverse("accessibility")}">无障碍声明</a>' in footer


def test_footer_leaves_out_blank_filing_numbers(client, settings):
    settings.SITE_IDENTIFIER = settings.ICP_FILING_NUMBER = settings.PSB_FILING_NUMBER = ""
    html = client.get(reverse("portal:home")).content.decode()
    assert 'data-testid="site-filing"' not in html
    assert "网站标识码" not in html
    assert "无障碍声明" in html  # the statement is linked whatever the settings


def test_filing_settings_are_documented_and_blank_by_default():
    from pathlib import Path

    from django.conf import settings

    example = (Path(settings.BASE_DIR) / ".env.example").read_text(encoding="utf-8")
    for name in ("SITE_IDENTIFIER", "ICP_FILING_NUMBER", "PSB_FILING_NUMBER"):
        assert re.search(rf"^# {name}=$", example, re.M), name
    assert "# GOV_ERROR_REPORT_URL=https://zfwzzc.www.gov.cn/" in example


def test_accessibility_statement_page(client):
    response = client.get(reverse("accessibility"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "无障碍声明" in html
    assert "GB/T 37668-2019" in html and "长者模式" in html and "12345" in html


@pytest.fixture
def city_department():
    city = RegionFactory(code="445300", name="云浮市", level=Level.CITY)
    return DepartmentFactory(code="yf-scjg", name="云浮市市场监督管理局", region=city)


def office_html(client, user, name="workflow:home"):
    client.force_login(user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("role", "stage", "sees_inbox"),
    [
        (Role.REVIEWER, "undertake", True),
        (Role.CLERK, "", True),
        (Role.HEAD, "", True),
        (Role.SUPERVISOR, "", False),
    ],
)
def test_office_menu_offers_the_inbox_only_to_who_can_act(
    client, city_department, role, stage, sees_inbox
):
    user = UserFactory()
    region = city_department.region if role == Role.SUPERVISOR else None
    grant(user, city_department, role, stage=stage, region=region)
    html = office_html(client, user)
    for path in (reverse("workflow:inbox"), reverse("workflow:queue"), reverse("workflow:done")):
        assert (f'href="{path}"' in html) is sees_inbox, path


def test_office_has_the_header_container_and_no_citizen_navigation(client, city_department):
    user = UserFactory()
    grant(user, city_department, Role.REVIEWER, stage="undertake")
    html = office_html(client, user, "workflow:inbox")
    assert 'aria-label="主导航"' not in html  # the citizen menu
    assert f'href="{reverse("portal:my_cases")}"' not in html
    assert 'aria-label="后台导航"' in html
    assert re.search(r'<main id="main"[^>]*class="container os-office', html)
    assert "container-fluid" not in html
