"""The catalogue admin: inlines with the cross-row rules, lifecycle actions, read-only versions,
masked applicants."""

import re

import pytest
from django.urls import reverse

from permits.admin_forms import to_megabytes
from permits.models import ItemStatus, ItemVersion, Person, ServiceItem
from permits.services import item_publish
from tests.departments.factories import DepartmentFactory, RegionFactory
from tests.permits.factories import ServiceItemFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:permits_serviceitem_add")


@pytest.fixture
def world():
    city = RegionFactory(code="445300", name="云浮市", level="city")
    return {
        "city": city,
        "scjg": DepartmentFactory(code="yf-scjg", name="云浮市市场监督管理局", region=city),
        "gaj": DepartmentFactory(code="yf-gaj", name="云浮市公安局", region=city),
    }


def item_data(world, **overrides):
    data = {
        "code": "445300-SCJ-QYKB",
        "name": "企业开办",
        "keywords": "营业执照",
        "category": "licensing",
        "audience": "enterprise",
        "service_model": "parallel",
        "consult_mode": "",
        "region": world["city"].pk,
        "lead_department": world["scjg"].pk,
        "legal_days": "20",
        "promised_days": "3",
        "online_depth": "full_online",
        "max_visits": "0",
        "window_acceptance": "on",
        "is_free": "on",
        "popularity": "0",
    }
    data.update(overrides)
    return data


def formset(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def department_row(dept, role, position, stages=("undertake",)):
    return {
        "department": dept.pk,
        "role": role,
        "position": str(position),
        "time_limit_days": "2",
        "time_limit_unit": "working_day",
        "stages": list(stages),
        "timeout_policy": "escalate",
    }


def post_data(world, *, item=None, departments=None, materials=(), fields=()):
    if departments is None:
        departments = [
            department_row(world["scjg"], "lead", 0, ("undertake", "check", "sign")),
            department_row(world["gaj"], "parallel", 1),
        ]
    return {
        **item_data(world, **(item or {})),
        **formset("departments", departments),
        **formset("materials", list(materials)),
        **formset("form_fields", list(fields)),
    }


def material_row(name, **extra):
    return {
        "name": name,
        "required": "on",
        "accepted_types": ["pdf", "jpg"],
        "max_size": "1",  # MB
        "position": "0",
        **extra,
    }


def field_row(name, label="企业名称", **extra):
    return {
        "name": name,
        "label": label,
        "type": "text",
        "required": "on",
        "position": "0",
        **extra,
    }


class TestAddItem:
    def test_valid_item_is_saved_as_draft(self, admin_client, world):
        data = post_data(
            world,
            materials=[material_row("企业设立登记申请书", departments=[world["scjg"].pk])],
            fields=[
                field_row("company_name"),
                field_row("company_type", "企业类型", type="choice", choices="llc|有限责任公司"),
            ],
        )
        response = admin_client.post(ADD_URL, data)
        assert response.status_code == 302, response.context["errors"]
        item = ServiceItem.objects.get(code="445300-SCJ-QYKB")
        assert item.status == ItemStatus.DRAFT
        assert "qykb" in item.search_text
        assert list(item.departments.values_list("role", "stages")) == [
            ("lead", ["undertake", "check", "sign"]),
            ("parallel", ["undertake"]),
        ]
        material = item.materials.get()
        assert material.accepted_types == ["pdf", "jpg"]
        assert list(material.departments.all()) == [world["scjg"]]
        assert item.form_fields.get(name="company_type").choices == [["llc", "有限责任公司"]]

    def test_promised_over_legal_is_refused(self, admin_client, world):
        response = admin_client.post(ADD_URL, post_data(world, item={"promised_days": "30"}))
        assert response.status_code == 200
        self_assert_contains(
            response, "承诺办结时限（30 个工作日）不得超过法定办结时限（20 个工作日）。"
        )
        assert not ServiceItem.objects.exists()

    def test_parallel_item_without_parallel_department(self, admin_client, world):
        data = post_data(world, departments=[department_row(world["scjg"], "lead", 0)])
        response = admin_client.post(ADD_URL, data)
        self_assert_contains(response, "并联审批事项至少需要一个协办（并联审查）部门。")
        self_assert_contains(response, "请更正上方各部分中标出的错误。")
        assert not ServiceItem.objects.exists()

    def test_lead_row_must_be_the_items_lead(self, admin_client, world):
        data = post_data(
            world,
            departments=[
                department_row(world["gaj"], "lead", 0),
                department_row(world["scjg"], "parallel", 1),
            ],
        )
        response = admin_client.post(ADD_URL, data)
        self_assert_contains(response, "牵头部门须为事项的实施部门（yf-scjg），而不是 yf-gaj。")

    def test_core_department_item_needs_consultations_and_mode(self, admin_client, world):
        data = post_data(world, item={"service_model": "core_department"})
        response = admin_client.post(ADD_URL, data)
        self_assert_contains(response, "核心部门模式的事项须设置征求意见方式。")
        data = post_data(
            world, item={"service_model": "core_department", "consult_mode": "parallel"}
        )
        response = admin_client.post(ADD_URL, data)
        self_assert_contains(response, "核心部门模式的事项至少需要一个征求意见部门。")

    def test_duplicate_form_field_names(self, admin_client, world):
        data = post_data(
            world, fields=[field_row("company_name"), field_row("company_name", "名称")]
        )
        response = admin_client.post(ADD_URL, data)
        self_assert_contains(response, "字段名“company_name”重复使用。")
        assert not ServiceItem.objects.exists()

    def test_stage_order_and_material_types(self, admin_client, world):
        data = post_data(
            world,
            departments=[
                department_row(world["scjg"], "lead", 0, ("check",)),
                department_row(world["gaj"], "parallel", 1),
            ],
            materials=[material_row("申请书", required="", tolerable="on")],
        )
        response = admin_client.post(ADD_URL, data)
        self_assert_contains(response, "审查环节须从承办开始，并按承办 → 审核 → 签发的顺序排列。")
        self_assert_contains(response, "只有必交材料才能容缺。")

    def test_material_departments_must_take_part(self, admin_client, world):
        other = DepartmentFactory(code="yf-wjj", region=world["city"])
        data = post_data(world, materials=[material_row("申请书", departments=[other.pk])])
        response = admin_client.post(ADD_URL, data)
        self_assert_contains(response, "只有参与本事项的部门才能要求该材料：yf-wjj。")

    def test_duplicate_code(self, admin_client, world):
        ServiceItemFactory(code="445300-SCJ-QYKB")
        response = admin_client.post(ADD_URL, post_data(world))
        self_assert_contains(response, "已有事项使用此编码。")


def self_assert_contains(response, text):
    assert response.status_code == 200
    body = response.content.decode()
    assert text in body, text


class TestActions:
    def changelist(self):
        return reverse("admin:permits_serviceitem_changelist")

    def act(self, client, action, *items):
        return client.post(
            self.changelist(),
            {"action": action, "_selected_action": [i.pk for i in items]},
            follow=True,
        )

    def test_publish_suspend_resume_retire(self, admin_client, parallel_item):
        response = self.act(admin_client, "publish", parallel_item)
        assert "已发布 1 个事项。" in response.content.decode()
        parallel_item.refresh_from_db()
        assert parallel_item.status == ItemStatus.PUBLISHED
        assert parallel_item.current_version.number == 1

        self.act(admin_client, "suspend", parallel_item)
        parallel_item.refresh_from_db()
        assert parallel_item.status == ItemStatus.SUSPENDED

        response = self.act(admin_client, "resume", parallel_item)
        assert "已恢复 1 个事项。" in response.content.decode()
        self.act(admin_client, "retire", parallel_item)
        parallel_item.refresh_from_db()
        assert parallel_item.status == ItemStatus.RETIRED

    def test_errors_are_shown_in_chinese(self, admin_client, parallel_item):
        parallel_item.departments.filter(role="parallel").delete()
        response = self.act(admin_client, "publish", parallel_item)
        body = response.content.decode()
        assert "事项配置不符合规则。" in body
        assert "并联审批事项至少需要一个协办（并联审查）部门。" in body
        response = self.act(admin_client, "suspend", parallel_item)
        assert "只有已发布的事项才能暂停。" in response.content.decode()

    def test_changelist_filters_and_pinyin_search(self, admin_client, parallel_item):
        ServiceItemFactory(name="食品经营许可")
        url = self.changelist()
        body = admin_client.get(url, {"q": "qykb"}).content.decode()
        assert "445300-SCJ-QYKB" in body
        assert "食品经营许可" not in body
        for param in ("status", "category", "service_model"):
            assert admin_client.get(url, {param: "x"}).status_code in (200, 302)
        assert admin_client.get(url, {"status__exact": "draft"}).status_code == 200


def repost_data(item) -> dict:
    """The change page of ``item`` posted back as it is (every row, every field)."""
    from django.forms.models import model_to_dict

    data = {}
    for name, value in model_to_dict(item).items():
        if value is None or name in ("id", "status", "current_version", "search_text"):
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = value
    for prefix, rows in (
        ("departments", item.departments.all()),
        ("materials", item.materials.all()),
        ("form_fields", item.form_fields.all()),
    ):
        rows = list(rows)
        encoded = []
        for row in rows:
            values = {}
            for name, value in model_to_dict(row).items():
                if name == "item":
                    values[name] = item.pk
                elif name == "departments":
                    values[name] = [d.pk for d in value]
                elif isinstance(value, bool):
                    if value:
                        values[name] = "on"
                elif name == "choices":
                    values[name] = "\n".join(value)
                elif name == "validation":
                    values[name] = "{}"
                elif name == "max_size":
                    values[name] = to_megabytes(value)  # the form takes MB
                elif value is not None and name != "sample":
                    values[name] = value
            encoded.append(values)
        data.update(formset(prefix, encoded, initial=len(rows)))
    return data


def test_saving_a_published_item_publishes_the_change(admin_client, parallel_item):
    item_publish(item=parallel_item, actor=None)
    url = reverse("admin:permits_serviceitem_change", args=[parallel_item.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    # Re-post the page as it is, with one change.
    data = repost_data(parallel_item)
    data["promised_days"] = "2"
    response = admin_client.post(url, data, follow=True)
    assert "已发布为第 2 版" in response.content.decode(), response.content.decode()[:3000]
    parallel_item.refresh_from_db()
    assert parallel_item.current_version.number == 2
    assert parallel_item.current_version.snapshot["item"]["promised_days"] == 2
    assert ItemVersion.objects.get(number=1).snapshot["item"]["promised_days"] == 3


class TestVersionAdminIsReadOnly:
    def test_no_add_change_delete(self, admin_client, parallel_item):
        version = item_publish(item=parallel_item, actor=None)
        assert admin_client.get(reverse("admin:permits_itemversion_add")).status_code == 403
        change = reverse("admin:permits_itemversion_change", args=[version.pk])
        page = admin_client.get(change)
        assert page.status_code == 200
        assert "企业开办" in page.content.decode()
        assert admin_client.post(change, {"number": 9}).status_code == 403
        delete = reverse("admin:permits_itemversion_delete", args=[version.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
        assert ItemVersion.objects.get(pk=version.pk).number == 1

    def test_published_items_cannot_be_deleted(self, admin_client, parallel_item):
        item_publish(item=parallel_item, actor=None)
        delete = reverse("admin:permits_serviceitem_delete", args=[parallel_item.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403


def test_person_list_masks_id_numbers(admin_client):
    Person.objects.create(
        real_name="张三丰",
        id_type="resident_id",
        id_number="44530219900101123X",
        phone="13812345678",
    )
    body = admin_client.get(reverse("admin:permits_person_changelist")).content.decode()
    assert "445**************X" in body
    assert "44530219900101123X" not in body
    assert "13812345678" not in body and "138****5678" in body
    assert "张三丰" not in body


# --- Issue 14 item 13: sizes in MB, the legal basis, a branded Chinese admin ------------------


def test_material_size_is_entered_in_megabytes(admin_client, world):
    data = post_data(world, materials=[material_row("企业设立登记申请书", max_size="10")])
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["errors"]
    item = ServiceItem.objects.get(code="445300-SCJ-QYKB")
    material = item.materials.get()
    assert material.max_size == 10 * 1024 * 1024  # 10 means 10 MB, kept in bytes
    page = admin_client.get(reverse("admin:permits_serviceitem_change", args=[item.pk]))
    body = page.content.decode()
    assert 'name="materials-0-max_size" value="10"' in body
    assert "文件大小上限（MB）" in body


def test_an_untouched_odd_size_keeps_its_bytes(admin_client, parallel_item):
    material = parallel_item.materials.first()
    material.max_size = 1_000_000  # not a whole number of hundredths of a MB
    material.save()
    url = reverse("admin:permits_serviceitem_change", args=[parallel_item.pk])
    response = admin_client.post(url, repost_data(parallel_item))
    assert response.status_code == 302, response.context["errors"]
    material.refresh_from_db()
    assert material.max_size == 1_000_000


@pytest.mark.parametrize("size", ["0", "2048", "abc"])
def test_material_size_out_of_range_is_refused(admin_client, world, size):
    data = post_data(world, materials=[material_row("企业设立登记申请书", max_size=size)])
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert not ServiceItem.objects.filter(code="445300-SCJ-QYKB").exists()


LEGAL_BASIS_MESSAGE = "行政许可类事项须填写设定依据（设定该事项的法律法规条款）。"


def test_publishing_without_legal_basis_is_refused(admin_client, parallel_item):
    ServiceItem.objects.filter(pk=parallel_item.pk).update(legal_basis="")
    response = TestActions().act(admin_client, "publish", parallel_item)
    assert LEGAL_BASIS_MESSAGE in response.content.decode()
    parallel_item.refresh_from_db()
    assert parallel_item.status == ItemStatus.DRAFT
    # A draft may still be saved without it.
    url = reverse("admin:permits_serviceitem_change", args=[parallel_item.pk])
    assert admin_client.post(url, repost_data(parallel_item)).status_code == 302


def test_a_published_item_cannot_lose_its_legal_basis(admin_client, parallel_item):
    item_publish(item=parallel_item, actor=None)
    url = reverse("admin:permits_serviceitem_change", args=[parallel_item.pk])
    data = repost_data(parallel_item)
    data["legal_basis"] = "  "
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert LEGAL_BASIS_MESSAGE in str(response.context["adminform"].form.errors["legal_basis"])
    parallel_item.refresh_from_db()
    assert parallel_item.legal_basis.strip()


def test_admin_is_branded_chinese_with_one_workflow_section(admin_client):
    from django.contrib import admin
    from viewflow.workflow.models import Process, Task

    body = admin_client.get(reverse("admin:index")).content.decode()
    assert "云浮市“一站式”政务服务平台 · 管理后台" in body
    assert "<title>事项与部门管理 | 云浮市“一站式”政务服务平台管理后台</title>" in body
    assert "Django" not in body and "Process list" not in body
    assert body.count(">业务流程<") == 1
    assert not admin.site.is_registered(Process) and not admin.site.is_registered(Task)


def test_item_page_inputs_are_labelled_and_use_no_two_box_chooser(admin_client, parallel_item):
    url = reverse("admin:permits_serviceitem_change", args=[parallel_item.pk])
    body = admin_client.get(url).content.decode()
    for name in (
        "departments-0-department",
        "departments-0-position",
        "departments-0-duty",
        "departments-0-DELETE",
        "form_fields-0-choices",
    ):
        tag = re.search(rf'<(?:input|select|textarea)[^>]*name="{name}"[^>]*>', body)
        assert tag and "aria-label=" in tag.group(0), name
    assert "SelectFilter2.js" not in body
    assert 'type="checkbox" name="materials-0-departments"' in body


def test_admin_chooser_strings_are_chinese(admin_client):
    body = admin_client.get(reverse("admin:jsi18n")).content.decode()
    assert '"Choose all %s": "\\u5168\\u9009%s"' in body  # 全选%s
