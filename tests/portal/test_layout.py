"""The portal shell: base layout, language and large-text switches, error pages, office base."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def test_home_has_landmarks_skip_link_and_chinese_lang(client):
    response = client.get(reverse("portal:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in html
    assert 'href="#main"' in html and 'id="main"' in html
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in html
    assert "主办单位：云浮市政务服务和数据管理局" in html
    assert "云浮市“一站式”政务服务平台" in html


def test_english_on_request_by_accept_language(client):
    html = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en"' in html
    assert "Skip to main content" in html
    assert "Run by: 云浮市政务服务和数据管理局" in html


def test_language_switch_is_a_link_that_sticks(client):
    home = reverse("portal:home")
    html = client.get(home).content.decode()
    assert f'href="{reverse("portal:language")}?language=en&amp;next=/"' in html
    assert "csrfmiddlewaretoken" not in html  # nothing per visitor in a public page
    response = client.get(reverse("portal:language"), {"language": "en", "next": home})
    assert response.status_code == 302 and response["Location"] == home
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en"' in client.get(home).content.decode()
    client.get(reverse("portal:language"), {"language": "zh-hans", "next": home})
    assert '<html lang="zh-hans"' in client.get(home).content.decode()


def test_language_switch_ignores_unknown_languages(client):
    response = client.get(reverse("portal:language"), {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_django_set_language_still_works(client):
    home = reverse("portal:home")
    client.post(reverse("set_language"), {"language": "en", "next": home})
    assert '<html lang="en"' in client.get(home).content.decode()


def test_large_text_switch_persists_in_a_cookie_without_javascript(client):
    home = reverse("portal:home")
    assert 'class="large-text"' not in client.get(home).content.decode()
    response = client.get(reverse("portal:large_text"), {"large_text": "1", "next": home})
    assert response.status_code == 302 and response["Location"] == home
    assert response.cookies["onestop_large_text"].value == "1"
    html = client.get(home).content.decode()
    assert '<html lang="zh-hans" dir="ltr" class="large-text">' in html
    assert 'aria-pressed="true"' in html
    assert "large_text=0&amp;next=/" in html  # the link now turns it off
    client.get(reverse("portal:large_text"), {"large_text": "0", "next": home})
    assert 'class="large-text"' not in client.get(home).content.decode()


def test_large_text_switch_still_accepts_a_post(client):
    response = client.post(reverse("portal:large_text"), {"large_text": "1", "next": "/items/"})
    assert response["Location"] == "/items/"
    assert response.cookies["onestop_large_text"].value == "1"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "/ok\r\nSet-Cookie: x=1",
        "evil.example",
    ],
)
@pytest.mark.parametrize("name", ["portal:large_text", "portal:language"])
def test_switches_refuse_foreign_redirects(client, name, target):
    response = client.get(reverse(name), {"large_text": "1", "language": "en", "next": target})
    assert response["Location"] == reverse("portal:home")


def test_switches_go_back_to_a_same_site_referer_without_next(client):
    response = client.get(
        reverse("portal:large_text"),
        {"large_text": "1"},
        HTTP_REFERER="http://testserver/items/?q=qykb",
    )
    assert response["Location"] == "/items/?q=qykb"
    response = client.get(
        reverse("portal:large_text"), {"large_text": "1"}, HTTP_REFERER="http://evil.example/x"
    )
    assert response["Location"] == reverse("portal:home")


def test_switches_are_not_cached(client):
    response = client.get(reverse("portal:large_text"), {"large_text": "1"})
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_404_is_in_chinese(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_500_template_renders_without_request_or_database():
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "服务暂时不可用" in html
    assert "12345" in html


def test_403_template_is_in_chinese(rf):
    from django.template import loader

    html = loader.get_template("403.html").render({}, rf.get("/"))
    assert "无权访问" in html


def test_office_base_has_side_navigation_and_blocks(rf, django_user_model):
    user = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    request = RequestFactory().get("/office/")
    request.user = user
    request.COOKIES = {}
    template = Template(
        '{% extends "office_base.html" %}'
        "{% block office_title %}我的待办{% endblock %}"
        "{% block office_content %}<p>INBOX</p>{% endblock %}"
    )
    from django.template import RequestContext

    html = template.render(RequestContext(request, {}))
    assert "办事大厅后台" in html
    assert "<h1" in html and "我的待办" in html and "<p>INBOX</p>" in html
    assert "<aside" in html


def test_user_name_is_masked_in_header(client, django_user_model):
    from permits.models import Person

    user = django_user_model.objects.create_user("zhangsan", password="pw-123456")
    Person.objects.create(
        user=user, real_name="张三丰", id_number="11010519491231002X", phone="13800138000"
    )
    client.force_login(user)
    html = client.get(reverse("portal:home")).content.decode()
    assert "张**" in html
    assert "张三丰" not in html


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
ASSET_URL = re.compile(
    r"""(?:src|href|action)\s*=\s*["']\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//""", re.I
)


def test_no_external_asset_urls_in_templates_or_css():
    offenders = []
    files = [p for d in TEMPLATE_DIRS for p in d.rglob("*.html")]
    files += list((ROOT / "static").rglob("*.css")) + list((ROOT / "static").rglob("*.js"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        if ASSET_URL.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_vendor_assets_are_committed_with_their_licence():
    static = ROOT / "static" / "vendor"
    for name in ("bootstrap", "bootstrap-icons", "echarts"):
        assert (static / name / "LICENSE").read_text().strip()
    assert "Apache ECharts" in (static / "echarts/NOTICE").read_text()
    assert (static / "echarts/echarts.min.js").exists()
    assert (static / "bootstrap/css/bootstrap.min.css").exists()
    assert (static / "bootstrap/js/bootstrap.bundle.min.js").exists()
    assert (static / "bootstrap-icons/fonts/bootstrap-icons.woff2").exists()


def test_optional_url_tag_is_empty_for_unregistered_pages():
    html = Template(
        '{% load portal_tags %}{% optional_url "portal:no_such_page" as u %}[{{ u }}]'
        '{% optional_url "portal:no_such_page" "portal:home" as v %}[{{ v }}]'
    ).render(Context({}))
    assert html == "[][/]"
