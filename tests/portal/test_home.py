"""The home page: the unified entry (统一入口)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from permits.models import Audience, Category, ServiceModel
from tests.permits.factories import ServiceItemFactory

pytestmark = pytest.mark.django_db


def test_home_shows_every_category_with_its_count(client, qykb):
    ServiceItemFactory(name="社会保险参保登记", category=Category.SOCIAL_SECURITY, published=True)
    ServiceItemFactory(name="草稿事项", category=Category.SOCIAL_SECURITY)  # draft: not counted

    response = client.get(reverse("portal:home"))

    rows = {c["category"]: c for c in response.context["service_categories"]}
    rows.update({c["category"]: c for c in response.context["interaction_categories"]})
    assert set(rows) == {value for value, _ in Category.choices}
    assert rows["licensing"]["count"] == 1
    assert rows["social_security"]["count"] == 1
    html = response.content.decode()
    assert "行政许可" in html and "社会保障" in html and "12345" in html
    assert f"{reverse('portal:catalogue')}?category=social_security" in html


def test_home_lists_popular_items_most_popular_first(client, qykb):
    ServiceItemFactory(name="住房公积金提取", published=True, popularity=500)
    ServiceItemFactory(name="未发布的事项", popularity=900)

    response = client.get(reverse("portal:home"))

    names = [item.name for item in response.context["popular"]]
    assert names[:2] == ["住房公积金提取", "企业开办"]
    assert "未发布的事项" not in names
    assert reverse("portal:item", args=[qykb.code]) in response.content.decode()


def test_audience_tab_filters_popular_items(client, qykb):
    ServiceItemFactory(name="户口迁移", audience=Audience.PERSON, published=True)
    ServiceItemFactory(name="政策咨询", audience=Audience.BOTH, published=True)

    person = [i.name for i in client.get("/?audience=person").context["popular"]]
    enterprise = [i.name for i in client.get("/?audience=enterprise").context["popular"]]

    assert sorted(person) == ["户口迁移", "政策咨询"]
    assert sorted(enterprise) == ["企业开办", "政策咨询"]
    html = client.get("/?audience=person").content.decode()
    assert 'aria-current="page"><i class="bi bi-person"' in html


def test_category_counts_follow_the_audience_tab_and_region(client, qykb, counties):
    ServiceItemFactory(category=Category.LICENSING, audience=Audience.PERSON, published=True)
    ServiceItemFactory(
        category=Category.LICENSING, audience=Audience.PERSON, region=counties[0], published=True
    )

    def licensing(query):
        rows = client.get("/" + query).context["service_categories"]
        return next(c["count"] for c in rows if c["category"] == "licensing")

    assert licensing("") == 3
    assert licensing("?audience=person") == 2
    assert licensing("?audience=enterprise") == 1
    assert licensing(f"?audience=person&region={counties[0].code}") == 1


def test_region_choice_lists_city_and_counties_and_filters(client, qykb, counties):
    luoding = counties[2]
    ServiceItemFactory(name="食品经营许可（罗定）", region=luoding, published=True)

    response = client.get(reverse("portal:home"))
    html = response.content.decode()
    for name in ("云城区", "云安区", "罗定市", "新兴县", "郁南县", "市本级"):
        assert name in html

    # a county also lists the city's items it does not implement itself (issue 14 item 7)
    names = [i.name for i in client.get(f"/?region={luoding.code}").context["popular"]]
    assert names == ["企业开办", "食品经营许可（罗定）"]


def test_county_without_own_items_shows_the_citys(client, qykb, counties):
    """Issue 14 item 7: 云安区 showed "该区域暂未发布事项" although the city's items serve it."""
    response = client.get("/", {"region": counties[1].code})
    assert [i.name for i in response.context["popular"]] == ["企业开办"]
    assert "该区域暂未发布事项" not in response.content.decode()
    counts = {c["category"]: c["count"] for c in response.context["service_categories"]}
    assert counts[qykb.category] == 1


def test_county_own_item_replaces_the_citys(client, qykb, counties, market_bureau):
    luoding = counties[2]
    ServiceItemFactory(
        code="445381-SCJG-QYKB", name="企业开办", region=luoding, published=True, popularity=1
    )
    popular = client.get("/", {"region": luoding.code}).context["popular"]
    assert [i.code for i in popular] == ["445381-SCJG-QYKB"]


def test_unknown_audience_or_region_is_ignored(client, qykb):
    response = client.get("/?audience=aliens&region=999999")
    assert response.status_code == 200
    assert response.context["audience"] == ""
    assert response.context["region"] == ""
    assert [i.name for i in response.context["popular"]] == ["企业开办"]


def test_home_search_box_goes_to_the_catalogue(client, qykb):
    html = client.get(reverse("portal:home")).content.decode()
    assert f'action="{reverse("portal:catalogue")}" method="get"' in html
    assert 'name="q"' in html


def test_quick_links_lead_somewhere_real_or_say_coming_soon(client, qykb):
    html = client.get(reverse("portal:home")).content.decode()
    nav = re.search(r'<nav class="os-quick-links".*?</nav>', html, re.S).group(0)
    tiles = re.findall(r"<li class=\"col\">(.*?)</li>", nav, re.S)
    assert len(tiles) == 4
    for label in ("进度查询", "我的办件", "证照核验", "投诉建议"):
        tile = next(t for t in tiles if label in t)
        link = re.search(r'href="([^"]+)"', tile)
        if link:
            # a page another part of the project registered: it answers (or asks to log in)
            assert client.get(link.group(1)).status_code in (200, 302), label
        else:
            assert "即将开通" in tile, label
    # Complaints fall back to the complaint items of the catalogue.
    assert f'href="{reverse("portal:catalogue")}?category=complaint"' in nav


def test_home_explains_the_three_service_models(client, qykb):
    html = client.get(reverse("portal:home")).content.decode()
    with translation.override("zh-hans"):
        models = [ServiceModel.PARALLEL, ServiceModel.CORE_DEPARTMENT, ServiceModel.PROCESS_CENTRED]
        for model in models:
            assert str(model.label) in html
    assert "协调机构" in html  # the process-centred explanation, in Chinese


def test_home_runs_a_constant_number_of_queries(
    client, qykb, counties, django_assert_num_queries, settings
):
    settings.PUBLIC_PAGE_CACHE = False  # the render itself (cached pages: test_pagecache.py)
    client.get(reverse("portal:home"))  # warm caches (content types, translations)
    # regions, categories, popular items, and the latest notices (disclosure)
    with django_assert_num_queries(4):
        client.get(reverse("portal:home"))
    ServiceItemFactory.create_batch(30, published=True)
    with django_assert_num_queries(4):
        client.get(reverse("portal:home"))
