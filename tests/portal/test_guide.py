"""The item guide (办事指南): every field of a seeded item, the departments' picture, apply."""

import html as htmllib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import path, reverse
from django.utils import translation

from permits.models import ConsultMode, DepartmentRole, ItemStatus, OnlineDepth, ServiceModel
from portal import urls as portal_urls
from tests.departments.factories import DepartmentFactory
from tests.permits.factories import (
    CompleteItemFactory,
    ItemDepartmentFactory,
    ServiceItemFactory,
)

pytestmark = pytest.mark.django_db


def guide(client, item):
    return client.get(reverse("portal:item", args=[item.code]))


def text_of(response) -> str:
    """The page's visible text, tags removed, whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_guide_shows_every_field_of_the_item(client, qykb):
    response = guide(client, qykb)
    assert response.status_code == 200
    text = text_of(response)

    with translation.override("zh-hans"):
        labels = [
            str(qykb.get_audience_display()),
            str(qykb.get_service_model_display()),
            str(qykb.get_online_depth_display()),
        ]
    expected = [
        qykb.name,
        qykb.code,
        "行政许可",  # category
        *labels,
        qykb.lead_department.name,
        qykb.region.name,
        "开办企业，营业执照、公司设立",  # keywords
        qykb.conditions,
        "《中华人民共和国市场主体登记管理条例》第三条",  # legal basis, first line
        "《中华人民共和国公司法》第二十九条",  # legal basis, second line
        "网上申请 → 市场监管部门受理",  # procedure
        "法定办结时限 20 个工作日",
        "承诺办结时限 3 个工作日",
        "最多跑一次",
        "不收费",
        "需现场核查",
        "营业执照",  # result
        "有效期 360 个月",
        "0766-8812345",  # enquiry phone
        "0766-8898123",  # complaint phone
        "云浮市政务服务中心一楼综合受理窗口",
        "周一至周五 上午9:00-12:00",
        "支持窗口受理",
    ]
    for value in expected:
        assert value in text, value


def test_guide_materials_table(client, qykb):
    text = text_of(guide(client, qykb))
    for value in (
        "公司登记（备案）申请书",
        "法定代表人签署",
        "必需·核心材料",
        "PDF",
        "不超过 5 MB",
        "原件1份",
        "申请人自备",
        "住所使用证明",
        "必需·可容缺",
        "PDF / JPG / PNG",
        "复印件1份",
        "产权单位出具",
        "公司章程",
        "非必需",
        "OFD",
    ):
        assert value in text, value


def test_material_sample_link_and_needing_departments(client, qykb, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    material = qykb.materials.get(name="住所使用证明")
    material.sample = SimpleUploadedFile("yangbiao.pdf", b"%PDF-1.4 sample")
    material.save()
    material.departments.add(qykb.lead_department)

    response = guide(client, qykb)
    assert f'href="{material.sample.url}" download' in response.content.decode()
    assert "需用部门： 云浮市市场监督管理局" in text_of(response)


def test_guide_form_preview(client, qykb):
    text = text_of(guide(client, qykb))
    for value in ("拟设立企业名称", "企业类型", "有限责任公司、股份有限公司、个人独资企业"):
        assert value in text, value
    assert "注册资本（万元）" in text and "认缴出资额" in text and "选填" in text


def test_parallel_branches_are_drawn_between_acceptance_and_decision(client, qykb):
    response = guide(client, qykb)
    body = response.content.decode()
    text = text_of(response)

    branches = re.search(r'<ul class="os-branches[^"]*">(.*?)</ul>', body, re.S).group(1)
    assert branches.count('<li class="os-branch">') == 5
    for n in range(1, 6):
        assert f"协办部门{n}局" in branches
        assert f"审查事项{n}" in branches
    assert "并联审批：5 个协办部门同步收到网上通知，同时审查" in text
    assert "汇总：所有部门均出具意见后进入下一环节" in text
    # the first department has three stages, the second counts calendar days, the third
    # is deemed to approve when overdue
    with translation.override("zh-hans"):
        from departments.models import Stage

        stages = " ".join(str(s.label) for s in Stage)
    assert stages in text
    assert "办理时限：2 个自然日" in text
    assert "逾期视为同意" in text
    # order: acceptance, the parallel review, the join, the inspection, the decision
    order = [
        text.index("牵头部门 · 受理"),
        text.index("并联审批"),
        text.index("汇总"),
        text.index("现场核查 核查人员"),
        text.index("牵头部门 · 审查与决定"),
    ]
    assert order == sorted(order)


@pytest.mark.parametrize("mode", [ConsultMode.SEQUENTIAL, ConsultMode.PARALLEL])
def test_core_department_consultation_order(client, city, market_bureau, mode):
    item = CompleteItemFactory(
        code="11445300MB2C00003D",
        name="出入境证件办理",
        service_model=ServiceModel.CORE_DEPARTMENT,
        consult_mode=mode,
        region=city,
        lead_department=market_bureau,
        parallel_departments=3,
    )
    assert item.departments.filter(role=DepartmentRole.CONSULT).count() == 3
    response = guide(client, item)
    body, text = response.content.decode(), text_of(response)
    assert "核心部门 · 受理" in text
    if mode == ConsultMode.SEQUENTIAL:
        assert "依次征求意见：各部门按顺序逐一出具意见" in text
        sequence = re.search(
            r'<ol class="os-branches os-consult-sequence[^"]*">(.*?)</ol>', body, re.S
        )
        found = re.findall(r"协办部门(\d)局", sequence.group(1))
        assert found == ["1", "2", "3"]
    else:
        assert "同时征求意见：各部门同时出具意见" in text
        assert "os-consult-sequence" not in body


def test_process_centred_dispatch_picture(client, city):
    hotline = DepartmentFactory(
        code="yf-12345", name="云浮市12345政务服务便民热线中心", region=city
    )
    item = ServiceItemFactory(
        name="投诉",
        service_model=ServiceModel.PROCESS_CENTRED,
        region=city,
        lead_department=hotline,
        published=True,
    )
    text = text_of(guide(client, item))
    assert "协调机构 云浮市12345政务服务便民热线中心" in text
    assert "分拨办理" in text and "相关职能部门" in text
    assert "统一答复申请人" in text

    ItemDepartmentFactory(item=item, department=DepartmentFactory(name="云浮市市场监督管理局"))
    text = text_of(guide(client, item))
    assert "相关职能部门" not in text and "云浮市市场监督管理局" in text


def test_apply_button_links_to_the_real_wizard(client, qykb):
    # The wizard (portal/cases) is on main: the button is a link to it, not a disabled note.
    from django.urls import reverse

    body = guide(client, qykb).content.decode()
    assert f'href="{reverse("portal:apply", args=[qykb.code])}"' in body
    assert "在线申请功能即将开通" not in body


def _urls_with_apply():
    from django.urls import include

    from onestop import urls as root

    patterns = [
        *portal_urls.urlpatterns,
        path("items/<str:code>/apply/", lambda r, code: None, name="apply"),
    ]
    return [p for p in root.urlpatterns if getattr(p, "app_name", None) != "portal"] + [
        path("", include((patterns, "portal")))
    ]


def test_apply_button_links_to_the_wizard_once_registered(client, qykb):
    module = type("urls", (), {"urlpatterns": _urls_with_apply()})
    with override_settings(ROOT_URLCONF=module):
        body = guide(client, qykb).content.decode()
    assert f'href="/items/{qykb.code}/apply/"' in body
    assert "在线申请功能即将开通" not in body


def test_suspended_item_shows_a_banner_and_no_apply_button(client, qykb):
    qykb.status = ItemStatus.SUSPENDED
    qykb.save()
    response = guide(client, qykb)
    body = response.content.decode()
    assert response.status_code == 200
    assert "本事项已暂停受理" in body
    assert 'role="alert"' in body
    assert "在线办理" not in body


def test_window_only_item_says_so_instead_of_an_apply_button(client, qykb):
    qykb.online_depth = OnlineDepth.WINDOW_ONLY
    qykb.save()
    body = guide(client, qykb).content.decode()
    assert "本事项仅支持窗口办理" in body
    assert "在线办理" not in body


@pytest.mark.parametrize("status", [ItemStatus.DRAFT, ItemStatus.RETIRED])
def test_draft_and_retired_items_answer_404(client, qykb, status):
    qykb.status = status
    qykb.save()
    assert guide(client, qykb).status_code == 404


def test_unknown_code_answers_404(client):
    assert client.get(reverse("portal:item", args=["NO-SUCH-CODE"])).status_code == 404


def test_guide_query_count_does_not_grow_with_departments(client, qykb, django_assert_num_queries):
    # item, departments, materials, materials' departments, form fields
    with django_assert_num_queries(5):
        guide(client, qykb)
    for n in range(6):
        ItemDepartmentFactory(item=qykb, department=DepartmentFactory(name=f"新增部门{n}"))
    with django_assert_num_queries(5):
        guide(client, qykb)


def test_item_content_stays_chinese_in_english(client, qykb):
    response = client.get(reverse("portal:item", args=[qykb.code]), HTTP_ACCEPT_LANGUAGE="en")
    text = text_of(response)
    assert '<html lang="en"' in response.content.decode()
    assert "Service guide" in text and "Materials" in text
    assert "企业开办" in text and "公司登记（备案）申请书" in text


def test_items_without_an_online_flow_say_so_instead_of_offering_the_wizard(
    client, db, monkeypatch
):
    """An item whose flow is switched off (not in the flow registry): the guide must not
    pretend."""
    from tests.permits.factories import CompleteItemFactory
    from workflow.flows import registry

    monkeypatch.delitem(registry.FLOWS, "process_centred")

    item = CompleteItemFactory(service_model="process_centred")
    response = client.get(f"/items/{item.code}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "此类事项暂未开通在线办理" in body
    assert f"/items/{item.code}/apply/" not in body
    # no online badges in the guide's head or in the catalogue (issue 14 item 8)
    head = body.split('id="guide-title"')[1].split("os-guide-actions")[0]
    assert "暂未开通在线办理" in head
    assert "全程网办" not in head and "零跑动" not in head
    card = client.get("/items/").content.decode().split(f'id="item-{item.code}"')[1]
    card = card.split("</article>")[0]
    assert "暂未开通在线办理" in card
    assert "全程网办" not in card and "零跑动" not in card


def test_items_with_an_online_flow_keep_their_online_badges(client, db):
    from tests.permits.factories import CompleteItemFactory

    item = CompleteItemFactory(service_model="parallel", online_depth="full_online", max_visits=0)
    body = client.get(f"/items/{item.code}/").content.decode()
    head = body.split('id="guide-title"')[1].split("os-guide-actions")[0]
    assert "全程网办" in head and "零跑动" in head and "暂未开通在线办理" not in head
