"""The catalogue page: search by name, keyword and pinyin initials, filters, pagination."""

import pytest
from django.urls import reverse
from django.utils import translation

from permits.models import Audience, Category, ItemStatus, OnlineDepth, ServiceModel
from tests.departments.factories import DepartmentFactory
from tests.permits.factories import ItemDepartmentFactory, ServiceItemFactory

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("portal:catalogue")


def names(response):
    return [item.name for item in response.context["items"]]


@pytest.fixture
def food(city, market_bureau):
    return ServiceItemFactory(
        name="食品经营许可",
        keywords="餐饮许可",
        region=city,
        lead_department=market_bureau,
        online_depth=OnlineDepth.ONLINE_PREREVIEW,
        audience=Audience.ENTERPRISE,
        published=True,
    )


@pytest.mark.parametrize("query", ["企业开办", "企业", "营业执照", "qykb", "QYKB", "qiyekaiban"])
def test_search_by_name_keyword_and_pinyin(client, qykb, food, query):
    response = client.get(CATALOGUE, {"q": query})
    assert names(response) == ["企业开办"]
    assert "企业开办" in response.content.decode()


def test_search_by_keyword_of_another_item(client, qykb, food):
    assert names(client.get(CATALOGUE, {"q": "餐饮"})) == ["食品经营许可"]


def test_result_card_shows_what_an_applicant_needs(client, qykb):
    qykb.max_visits = 1
    qykb.save()
    html = client.get(CATALOGUE, {"q": "qykb"}).content.decode()
    assert reverse("portal:item", args=[qykb.code]) in html
    with translation.override("zh-hans"):
        badges = [str(ServiceModel.PARALLEL.label), str(OnlineDepth.ONLINE_PREREVIEW.label)]
    for text in (
        "云浮市市场监督管理局",  # department
        "云浮市",  # region
        *badges,  # service model and online depth
        "3 个工作日",  # promised
        "20 个工作日",  # legal
        "最多跑一次",
    ):
        assert text in html, text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": Category.LICENSING}, ["企业开办", "食品经营许可"]),
        ({"category": Category.SOCIAL_SECURITY}, ["社会保险参保登记"]),
        ({"audience": Audience.PERSON}, ["社会保险参保登记"]),
        ({"audience": Audience.ENTERPRISE}, ["企业开办", "食品经营许可"]),
        ({"online_depth": OnlineDepth.FULL_ONLINE}, ["社会保险参保登记"]),
        ({"service_model": ServiceModel.PARALLEL}, ["企业开办"]),
        ({"department": "yf-rs"}, ["社会保险参保登记"]),
        ({"department": "yf-scjg", "q": "spjy"}, ["食品经营许可"]),
    ],
)
def test_filters(client, qykb, food, city, params, expected):
    social = DepartmentFactory(code="yf-rs", name="云浮市人力资源和社会保障局", region=city)
    ServiceItemFactory(
        name="社会保险参保登记",
        category=Category.SOCIAL_SECURITY,
        audience=Audience.PERSON,
        online_depth=OnlineDepth.FULL_ONLINE,
        region=city,
        lead_department=social,
        published=True,
    )
    assert sorted(names(client.get(CATALOGUE, params))) == sorted(expected)


def test_department_filter_matches_participating_departments(client, qykb):
    police = DepartmentFactory(code="yf-ga", name="云浮市公安局")
    ItemDepartmentFactory(item=qykb, department=police)
    assert names(client.get(CATALOGUE, {"department": "yf-ga"})) == ["企业开办"]


def test_region_filter(client, qykb, counties):
    ServiceItemFactory(name="个体工商户登记（新兴）", region=counties[3], published=True)
    # the county's own item and the city's it does not implement (issue 14 item 7)
    assert names(client.get(CATALOGUE, {"region": counties[3].code})) == [
        "企业开办",
        "个体工商户登记（新兴）",
    ]
    assert names(client.get(CATALOGUE, {"region": "445300"})) == ["企业开办"]


def test_filters_are_accessible_form_controls_that_work_without_javascript(client, qykb):
    html = client.get(CATALOGUE, {"category": "licensing"}).content.decode()
    assert f'<form class="os-card os-filter" method="get" action="{CATALOGUE}"' in html
    for name in ("q", "category", "department", "region", "audience", "online_depth"):
        assert f'<label class="form-label" for="id_{name}">' in html
        assert f'id="id_{name}" name="{name}"' in html
    assert '<option value="licensing" selected>' in html
    assert 'type="submit"' in html


def test_unknown_filter_values_are_ignored_not_errors(client, qykb):
    response = client.get(CATALOGUE, {"category": "nonsense", "audience": "x", "page": "abc"})
    assert response.status_code == 200
    assert names(response) == ["企业开办"]


def test_draft_suspended_and_retired(client, qykb):
    ServiceItemFactory(name="企业开办草稿", status=ItemStatus.DRAFT)
    ServiceItemFactory(name="企业开办废止", status=ItemStatus.RETIRED)
    ServiceItemFactory(name="企业开办暂停", status=ItemStatus.SUSPENDED)
    response = client.get(CATALOGUE, {"q": "企业开办"})
    assert sorted(names(response)) == ["企业开办", "企业开办暂停"]
    assert "暂停受理" in response.content.decode()


def test_empty_state(client, qykb):
    response = client.get(CATALOGUE, {"q": "没有这个事项"})
    html = response.content.decode()
    assert names(response) == []
    assert "没有找到符合条件的事项" in html
    assert "12345" in html


def test_pagination_keeps_the_filters(client, city, market_bureau):
    ServiceItemFactory.create_batch(
        25, region=city, lead_department=market_bureau, published=True, audience="enterprise"
    )
    first = client.get(CATALOGUE, {"audience": "enterprise"})
    assert len(first.context["items"]) == 10
    assert first.context["page_obj"].paginator.num_pages == 3
    html = first.content.decode()
    assert "?audience=enterprise&amp;page=2" in html
    third = client.get(CATALOGUE, {"audience": "enterprise", "page": 3})
    assert len(third.context["items"]) == 5
    assert "第 3 / 3 页，共 25 项" in third.content.decode()


@pytest.mark.parametrize("count", [5, 500])
def test_constant_number_of_queries(client, city, market_bureau, count, django_assert_num_queries):
    ServiceItemFactory.create_batch(
        count, region=city, lead_department=market_bureau, published=True, with_lead=False
    )
    # count + page of items + region options + department options
    with django_assert_num_queries(4):
        response = client.get(CATALOGUE, {"q": "cssx"})  # 测试事项: pinyin initials
    with django_assert_num_queries(4):
        response = client.get(CATALOGUE, {"category": "licensing", "page": 2})
    assert response.status_code == 200
