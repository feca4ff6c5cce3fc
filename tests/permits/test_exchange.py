"""Catalogue exchange: export/import round trip, all-or-nothing, idempotency."""

import copy
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from permits.exchange import catalogue_export, catalogue_import
from permits.models import ItemStatus, ItemVersion, MaterialRequirement, ServiceItem
from permits.services import item_publish

pytestmark = pytest.mark.django_db


def run(command, *args):
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def export_items():
    return catalogue_export()["items"]


@pytest.fixture
def exported(tmp_path, parallel_item):
    item_publish(item=parallel_item, actor=None)
    path = tmp_path / "catalogue.json"
    out, _ = run("export_catalogue", str(path))
    assert "已导出 1 个事项" in out
    return path


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def write(path, data):
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_export_format(exported):
    data = load(exported)
    assert data["format"] == "yunfu-catalogue" and data["version"] == 1
    [item] = data["items"]
    assert item["code"] == "445300-SCJ-QYKB"
    assert item["status"] == "published"
    assert item["region"] == "445300" and item["lead_department"] == "yf-scjg"
    assert [d["code"] for d in item["departments"]] == ["yf-scjg", "yf-gaj", "yf-sw"]
    assert "id" not in item["materials"][0]
    assert item["materials"][0]["departments"] == ["yf-scjg"]
    assert [f["name"] for f in item["form_fields"]] == ["company_name", "company_type"]


def test_importing_the_same_file_twice_changes_nothing(exported):
    before = ServiceItem.objects.get(code="445300-SCJ-QYKB").updated_at
    with translation.override("en"):
        out, _ = run("import_catalogue", str(exported))
    assert "0 created, 0 updated, 1 unchanged" in out
    out, _ = run("import_catalogue", str(exported))
    assert "新增 0 个，更新 0 个，未变 1 个" in out
    assert ServiceItem.objects.get(code="445300-SCJ-QYKB").updated_at == before
    assert ItemVersion.objects.count() == 1


def test_round_trip_restores_the_exported_catalogue(exported, tmp_path):
    data = load(exported)
    # Given a second, new item in the file and local edits to the first
    new = copy.deepcopy(data["items"][0])
    new.update(code="445300-SCJ-QYZX", name="企业注销", status="draft")
    data["items"].append(new)
    write(exported, data)
    item = ServiceItem.objects.get(code="445300-SCJ-QYKB")
    material_ids = set(item.materials.values_list("pk", flat=True))
    item.promised_days = 1
    item.save()
    item.form_fields.filter(name="company_type").delete()
    item.materials.filter(name="住所使用证明").update(tolerable=False)

    # When the file is imported
    out, _ = run("import_catalogue", str(exported))

    # Then the catalogue equals the file again
    assert "新增 1 个，更新 1 个，未变 0 个" in out
    assert "新增: 445300-SCJ-QYZX" in out and "更新: 445300-SCJ-QYKB" in out
    again = export_items()
    for got, want in zip(again, sorted(data["items"], key=lambda i: i["code"]), strict=True):
        assert got == want
    # materials matched by name keep their ids (applications point at them)
    assert set(item.materials.values_list("pk", flat=True)) == material_ids
    # the restored configuration is exactly version 1's, so that version is kept
    item.refresh_from_db()
    assert item.current_version.number == 1
    assert ItemVersion.objects.count() == 1
    assert ServiceItem.objects.get(code="445300-SCJ-QYZX").status == ItemStatus.DRAFT


def test_changed_published_item_gets_the_next_version(exported):
    data = load(exported)
    data["items"][0]["promised_days"] = 2
    write(exported, data)
    run("import_catalogue", str(exported))
    item = ServiceItem.objects.get(code="445300-SCJ-QYKB")
    assert item.current_version.number == 2
    assert item.current_version.snapshot["item"]["promised_days"] == 2


def test_items_imported_as_published_get_a_version(exported):
    data = load(exported)
    data["items"][0].update(code="445300-SCJ-NEW001", status="published")
    write(exported, data)
    run("import_catalogue", str(exported))
    item = ServiceItem.objects.get(code="445300-SCJ-NEW001")
    assert item.status == ItemStatus.PUBLISHED
    assert item.current_version.number == 1
    assert item.current_version.snapshot["item"]["code"] == "445300-SCJ-NEW001"


def test_suspended_and_retired_statuses_go_through_the_lifecycle(exported):
    data = load(exported)
    suspended = {**copy.deepcopy(data["items"][0]), "code": "445300-SCJ-S00001"}
    suspended["status"] = "suspended"
    data["items"][0]["status"] = "retired"
    data["items"].append(suspended)
    write(exported, data)
    run("import_catalogue", str(exported))
    assert ServiceItem.objects.get(code="445300-SCJ-QYKB").status == ItemStatus.RETIRED
    item = ServiceItem.objects.get(code="445300-SCJ-S00001")
    assert item.status == ItemStatus.SUSPENDED and item.current_version.number == 1


class TestBadFilesChangeNothing:
    def expect_problems(self, path, *problems):
        err = StringIO()
        with pytest.raises(CommandError, match="未导入任何内容"):
            call_command("import_catalogue", str(path), stdout=StringIO(), stderr=err)
        for problem in problems:
            assert problem in err.getvalue(), (problem, err.getvalue())

    def test_one_bad_item_and_nothing_is_imported(self, exported):
        data = load(exported)
        good = {**copy.deepcopy(data["items"][0]), "code": "445300-SCJ-GOOD01", "status": "draft"}
        bad = copy.deepcopy(data["items"][0])
        bad.update(code="445300-SCJ-BAD001", promised_days=30)
        bad["departments"][1]["code"] = "yf-nowhere"
        bad["departments"][2]["stages"] = ["sign"]
        bad["form_fields"][1]["name"] = "company_name"
        bad["region"] = "999999"
        data["items"] = [good, bad]
        write(exported, data)
        before = export_items()

        self.expect_problems(
            exported,
            "items[1].region: 没有编码为“999999”的行政区划。",
            "items[1].departments[1].code: 没有编码为“yf-nowhere”的部门。",
        )
        assert not ServiceItem.objects.filter(code__in=["445300-SCJ-GOOD01"]).exists()
        assert export_items() == before

    def test_catalogue_rules_with_paths(self, exported):
        data = load(exported)
        item = data["items"][0]
        item["promised_days"] = 30
        item["departments"][2]["stages"] = ["sign"]
        item["form_fields"][1]["name"] = "company_name"
        item["materials"][0]["accepted_types"] = ["docx"]
        write(exported, data)
        before = export_items()
        self.expect_problems(
            exported,
            "items[0].promised_days: 承诺办结时限（30 个工作日）不得超过法定办结时限",
            "items[0].departments[2].stages: 审查环节须从承办开始",
            "items[0].form_fields[1].name: 字段名“company_name”重复使用。",
            "items[0].materials[0].accepted_types: 请从 pdf、jpg、png 和 ofd 中选择",
        )
        assert export_items() == before

    def test_parallel_rule(self, exported):
        data = load(exported)
        data["items"][0]["departments"] = data["items"][0]["departments"][:1]
        data["items"][0]["materials"][0]["departments"] = []
        write(exported, data)
        self.expect_problems(
            exported, "items[0].departments: 并联审批事项至少需要一个协办（并联审查）部门。"
        )

    def test_field_types_and_unknown_keys(self, exported):
        data = load(exported)
        data["items"][0]["legal_days"] = "20"
        data["items"][0]["colour"] = "red"
        data["items"][0]["category"] = "shopping"
        write(exported, data)
        self.expect_problems(
            exported,
            "items[0].legal_days: 请填写 JSON 数字或布尔值，而不是文本。",
            "items[0].colour: 未知的键。",
            "items[0].category: ",
        )

    def test_duplicate_codes(self, exported):
        data = load(exported)
        data["items"].append(copy.deepcopy(data["items"][0]))
        write(exported, data)
        self.expect_problems(exported, "items[1].code: 编码 445300-SCJ-QYKB 已被 items[0] 使用。")

    def test_status_cannot_go_back(self, exported):
        data = load(exported)
        data["items"][0]["status"] = "draft"
        write(exported, data)
        self.expect_problems(
            exported, "items[0].status: 该事项在目录中的状态为“已发布”，不能变为“草稿”。"
        )

    def test_wrong_format_and_broken_json(self, exported, tmp_path):
        write(exported, {"format": "other", "version": 2, "items": {}})
        self.expect_problems(
            exported,
            "format: 格式名称须为“yunfu-catalogue”。",
            "version: 本程序只能读取第 1 版格式。",
            "items: 请填写事项列表。",
        )
        broken = tmp_path / "broken.json"
        broken.write_text('{"items": [', encoding="utf-8")
        with pytest.raises(CommandError, match="不是有效的 JSON（第 1 行"):
            call_command("import_catalogue", str(broken))


def test_dry_run_saves_nothing(exported):
    data = load(exported)
    data["items"][0]["code"] = "445300-SCJ-DRY001"
    write(exported, data)
    out, _ = run("import_catalogue", str(exported), "--dry-run")
    assert "试运行" in out and "新增 1 个" in out
    assert not ServiceItem.objects.filter(code="445300-SCJ-DRY001").exists()


def test_import_matches_materials_by_name(parallel_item):
    data = catalogue_export()
    data["items"][0]["materials"][0]["max_size"] = 2048
    ids = dict(MaterialRequirement.objects.values_list("name", "pk"))
    report = catalogue_import(data=data)
    assert report.updated == ["445300-SCJ-QYKB"]
    assert dict(MaterialRequirement.objects.values_list("name", "pk")) == ids
    assert MaterialRequirement.objects.get(pk=ids["企业设立登记申请书"]).max_size == 2048


def test_export_runs_a_constant_number_of_queries(parallel_item, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        catalogue_export()


def test_the_documented_example_imports():
    from pathlib import Path

    from django.conf import settings

    from tests.departments.factories import DepartmentFactory, RegionFactory

    doc = (Path(settings.BASE_DIR) / "docs" / "catalogue-format.md").read_text(encoding="utf-8")
    example = json.loads(doc.split("## Example", 1)[1].split("```json", 1)[1].split("```", 1)[0])
    city = RegionFactory(code="445300", name="云浮市", level="city")
    for code in ("yf-scjg", "yf-gaj", "yf-sw"):
        DepartmentFactory(code=code, region=city)
    report = catalogue_import(data=example)
    assert report.created == ["445300-SCJ-QYKB"]
    item = ServiceItem.objects.get(code="445300-SCJ-QYKB")
    assert item.status == ItemStatus.PUBLISHED and item.current_version.number == 1
    assert catalogue_import(data=example).unchanged == ["445300-SCJ-QYKB"]


# --- Regions and departments in the file ------------------------------------------------------


def documented_example() -> dict:
    from pathlib import Path

    from django.conf import settings

    doc = (Path(settings.BASE_DIR) / "docs" / "catalogue-format.md").read_text(encoding="utf-8")
    return json.loads(doc.split("## Example", 1)[1].split("```json", 1)[1].split("```", 1)[0])


def with_structure(data: dict) -> dict:
    """The documented example, carrying the regions and departments its item refers to."""
    return {
        **data,
        "regions": [
            {"code": "445300", "name": "云浮市", "level": "city"},
            {
                "code": "445381",
                "name": "罗定市",
                "level": "county",
                "parent": "445300",
                "position": 3,
            },
        ],
        "departments": [
            {"code": "yf-scjg", "name": "云浮市市场监督管理局", "region": "445300"},
            {"code": "yf-gaj", "name": "云浮市公安局", "region": "445300", "phone": "0766-8831110"},
            {"code": "yf-sw", "name": "国家税务总局云浮市税务局", "region": "445300"},
            {
                "code": "ld-scjg",
                "name": "罗定市市场监督管理局",
                "short_name": "罗定市市场监管局",
                "region": "445381",
                "parent": "yf-scjg",
                "kind": "permitting",
            },
        ],
    }


def test_a_file_brings_its_regions_and_departments():
    from departments.models import Department, Region

    # Given an empty database and a file that carries the structure its item uses
    data = with_structure(documented_example())

    # When it is imported
    report = catalogue_import(data=data)

    # Then the regions and departments exist, levels and parents as the file says, and the item
    assert report.structure == {
        "regions.created": ["445300", "445381"],
        "departments.created": ["yf-scjg", "yf-gaj", "yf-sw", "ld-scjg"],
    }
    assert report.created == ["445300-SCJ-QYKB"]
    ld = Department.objects.get(code="ld-scjg")
    assert (ld.parent.code, ld.region.code, ld.level, ld.short_name) == (
        "yf-scjg",
        "445381",
        "county",
        "罗定市市场监管局",
    )
    assert Region.objects.get(code="445381").parent.code == "445300"
    assert Department.objects.get(code="yf-gaj").phone == "0766-8831110"

    # And importing it again changes nothing at all
    again = catalogue_import(data=data)
    assert again.structure == {} and again.unchanged == ["445300-SCJ-QYKB"]


def test_structure_is_upserted_by_code_and_the_rest_left_alone():
    from departments.models import Department
    from tests.departments.factories import DepartmentFactory, RegionFactory

    city = RegionFactory(code="445300", name="云浮", level="city")
    DepartmentFactory(code="yf-scjg", name="旧名称", region=city)
    other = DepartmentFactory(code="yf-other", name="不在文件里", region=city)
    data = with_structure(documented_example())

    report = catalogue_import(data=data)

    assert report.structure["regions.updated"] == ["445300"]
    assert report.structure["departments.updated"] == ["yf-scjg"]
    assert Department.objects.get(code="yf-scjg").name == "云浮市市场监督管理局"
    assert Department.objects.get(pk=other.pk).name == "不在文件里"


def test_bad_structure_is_reported_with_paths_and_nothing_is_written(tmp_path):
    from departments.models import Department, Region

    data = with_structure(documented_example())
    data["regions"].append({"code": "445321", "name": "新兴县", "level": "shire"})
    data["regions"].insert(
        0, {"code": "445302001", "name": "街道", "level": "town", "parent": "445302"}
    )
    data["departments"].append({"code": "yf-gaj", "name": "重复", "region": "445300"})
    data["departments"].append({"code": "xx-scjg", "name": "新兴", "region": "445399"})
    data["departments"].append({"code": "yf-X", "name": "大写", "region": "445300", "colour": 1})
    data["items"][0]["departments"][0]["code"] = "yf-nowhere"
    path = write(tmp_path / "bad.json", data)

    err = StringIO()
    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command("import_catalogue", str(path), stdout=StringIO(), stderr=err)

    for problem in (
        "regions[0].parent: 没有编码为“445302”的行政区划。",
        "regions[3].level: ",
        "departments[4].code: 编码 yf-gaj 已被 departments[1] 使用。",
        "departments[5].region: 没有编码为“445399”的行政区划。",
        "departments[6].code: ",
        "departments[6].colour: 未知的键。",
        "items[0].departments[0].code: 没有编码为“yf-nowhere”的部门。",
    ):
        assert problem in err.getvalue(), (problem, err.getvalue())
    assert not Region.objects.exists() and not Department.objects.exists()


def test_a_row_cannot_become_its_own_ancestor():
    from permits.exchange import CatalogueImportInvalid
    from tests.departments.factories import DepartmentFactory, RegionFactory

    city = RegionFactory(code="445300", level="city")
    parent = DepartmentFactory(code="yf-a", region=city)
    DepartmentFactory(code="yf-b", region=city, parent=parent)
    data = {
        "format": "yunfu-catalogue",
        "version": 1,
        "departments": [{"code": "yf-a", "name": "甲", "region": "445300", "parent": "yf-b"}],
        "items": [],
    }
    with translation.override("en"), pytest.raises(CatalogueImportInvalid) as exc:
        catalogue_import(data=data)
    assert exc.value.problems == ["departments[0].parent: A row cannot be its own ancestor."]


def test_keep_popularity_leaves_the_portals_counter_alone(parallel_item):
    data = catalogue_export()
    ServiceItem.objects.filter(code="445300-SCJ-QYKB").update(popularity=7)
    new = {**copy.deepcopy(data["items"][0]), "code": "445300-SCJ-NEW001", "popularity": 40}
    data["items"] = [{**data["items"][0], "popularity": 99}, new]

    report = catalogue_import(data=data, keep_popularity=True)

    # The existing item keeps its popularity (and is otherwise unchanged); the new one seeds it
    assert report.unchanged == ["445300-SCJ-QYKB"] and report.created == ["445300-SCJ-NEW001"]
    popularity = dict(ServiceItem.objects.values_list("code", "popularity"))
    assert popularity == {"445300-SCJ-QYKB": 7, "445300-SCJ-NEW001": 40}

    # Without it the file's value is imported, as before
    assert catalogue_import(data=data).updated == ["445300-SCJ-QYKB"]
    assert ServiceItem.objects.get(code="445300-SCJ-QYKB").popularity == 99


def test_the_demo_catalogue_imports_into_an_empty_database():
    from departments.models import Department, Region
    from permits import demo

    # The demo's catalogue.json carries its regions and departments: nothing needs to exist
    out, _ = run("import_catalogue", str(demo.CATALOGUE_FILE), "--dry-run")
    assert f"新增 {len(demo.ITEMS)} 个，更新 0 个，未变 0 个" in out
    assert not Region.objects.exists() and not Department.objects.exists()
