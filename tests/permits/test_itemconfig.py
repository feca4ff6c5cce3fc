"""Each catalogue rule, with the Chinese text an administrator reads."""

import copy

import pytest

from permits.itemconfig import problems_by_path, validate_item_config


def parallel_config():
    return {
        "format": 1,
        "item": {
            "code": "445300-SCJ-QYKB",
            "name": "企业开办",
            "category": "licensing",
            "legal_basis": "《中华人民共和国市场主体登记管理条例》第三条",
            "audience": "enterprise",
            "service_model": "parallel",
            "region": "445300",
            "lead_department": "yf-scjg",
            "legal_days": 20,
            "promised_days": 3,
            "online_depth": "full_online",
            "consult_mode": "",
            "deemed_approval_allowed": False,
        },
        "departments": [
            {
                "code": "yf-scjg",
                "role": "lead",
                "position": 0,
                "time_limit_days": 1,
                "time_limit_unit": "working_day",
                "stages": ["undertake", "check", "sign"],
                "timeout_policy": "escalate",
            },
            {
                "code": "yf-gaj",
                "role": "parallel",
                "position": 1,
                "time_limit_days": 1,
                "time_limit_unit": "working_day",
                "stages": ["undertake"],
                "timeout_policy": "escalate",
            },
        ],
        "materials": [
            {
                "name": "营业执照申请书",
                "required": True,
                "tolerable": False,
                "accepted_types": ["pdf"],
                "max_size": 1024,
                "departments": ["yf-scjg"],
            }
        ],
        "form_fields": [
            {"name": "company_name", "label": "企业名称", "type": "text", "required": True},
        ],
    }


def core_config():
    config = parallel_config()
    config["item"].update(service_model="core_department", consult_mode="sequential")
    config["departments"][1]["role"] = "consult"
    return config


def errors(config):
    return problems_by_path(validate_item_config(config))


def test_valid_configurations_have_no_problems():
    assert errors(parallel_config()) == {}
    assert errors(core_config()) == {}


def test_promised_may_not_exceed_legal():
    config = parallel_config()
    config["item"]["promised_days"] = 21
    assert errors(config) == {
        "item.promised_days": ["承诺办结时限（21 个工作日）不得超过法定办结时限（20 个工作日）。"]
    }


def test_time_limits_are_positive_whole_days():
    config = parallel_config()
    config["item"]["legal_days"] = 0
    config["departments"][1]["time_limit_days"] = "2"
    got = errors(config)
    assert got["item.legal_days"] == ["时限须为不小于 1 的整数天数。"]
    assert got["departments[1].time_limit_days"] == ["时限须为不小于 1 的整数天数。"]


@pytest.mark.parametrize("code", ["abc", "qykb-0001", "445300 SCJ", "A" * 41])
def test_code_well_formed(code):
    config = parallel_config()
    config["item"]["code"] = code
    assert list(errors(config)) == ["item.code"]


def test_choice_values_checked():
    config = parallel_config()
    config["item"]["category"] = "shopping"
    config["departments"][1]["time_limit_unit"] = "fortnight"
    got = errors(config)
    assert got["item.category"][0].startswith("“shopping”不是允许的取值")
    assert "licensing" in got["item.category"][0]
    assert got["departments[1].time_limit_unit"][0].startswith("“fortnight”不是允许的取值")


class TestParallel:
    def test_needs_a_parallel_department(self):
        config = parallel_config()
        del config["departments"][1]
        assert errors(config) == {"departments": ["并联审批事项至少需要一个协办（并联审查）部门。"]}

    def test_exactly_one_lead(self):
        config = parallel_config()
        config["departments"][1]["role"] = "lead"
        got = errors(config)["departments"]
        assert "一个事项有且只有一个牵头部门（当前为 2 个）。" in got

    def test_no_lead(self):
        config = parallel_config()
        config["departments"][0]["role"] = "parallel"
        config["departments"][0]["code"] = "yf-sw"
        assert "一个事项有且只有一个牵头部门（当前为 0 个）。" in errors(config)["departments"]

    def test_lead_row_is_the_items_lead_department(self):
        config = parallel_config()
        config["item"]["lead_department"] = "yf-sw"
        assert errors(config) == {
            "departments": ["牵头部门须为事项的实施部门（yf-sw），而不是 yf-scjg。"],
        }

    def test_no_consultations(self):
        config = parallel_config()
        extra = {**config["departments"][1], "code": "yf-sw", "role": "consult"}
        config["departments"].append(extra)
        assert errors(config) == {"departments": ["并联审批事项不设征求意见部门，请设为并联审查。"]}

    def test_lead_does_not_take_part_twice(self):
        config = parallel_config()
        config["departments"][1]["code"] = "yf-scjg"
        assert errors(config) == {"departments": ["牵头部门不能同时以其他角色参与。"]}

    def test_a_department_takes_part_once(self):
        config = parallel_config()
        config["departments"].append(copy.deepcopy(config["departments"][1]))
        assert errors(config) == {"departments": ["同一部门只能参与一次：yf-gaj 出现了多次。"]}


class TestCoreDepartment:
    def test_needs_consult_department(self):
        config = core_config()
        del config["departments"][1]
        assert errors(config) == {"departments": ["核心部门模式的事项至少需要一个征求意见部门。"]}

    def test_needs_consult_mode(self):
        config = core_config()
        config["item"]["consult_mode"] = ""
        assert errors(config) == {"item.consult_mode": ["核心部门模式的事项须设置征求意见方式。"]}

    def test_no_parallel_review(self):
        config = core_config()
        config["departments"].append(
            {**config["departments"][1], "code": "yf-sw", "role": "parallel", "position": 2}
        )
        assert errors(config) == {
            "departments": ["核心部门模式的事项以征求意见方式参与，不设并联审查部门。"]
        }

    def test_sequential_consultations_need_distinct_positions(self):
        config = core_config()
        config["departments"].append({**config["departments"][1], "code": "yf-sw"})
        assert errors(config) == {"departments": ["依次征求意见的部门须设置不同的顺序号。"]}
        config["item"]["consult_mode"] = "parallel"
        assert errors(config) == {}


def test_consult_mode_only_for_core_department():
    config = parallel_config()
    config["item"]["consult_mode"] = "parallel"
    assert errors(config) == {"item.consult_mode": ["只有核心部门模式的事项才设置征求意见方式。"]}


def test_single_department_has_only_the_lead():
    config = parallel_config()
    config["item"]["service_model"] = "single_department"
    assert errors(config) == {"departments": ["单部门办理的事项只能有牵头部门。"]}
    del config["departments"][1]
    assert errors(config) == {}


def test_process_centred_has_only_the_coordinating_office():
    config = parallel_config()
    config["item"]["service_model"] = "process_centred"
    assert errors(config) == {
        "departments": [
            "以流程为中心的事项只设统筹协调机构和分拨目录（通常承办的部门），承办部门在分拨时确定。"
        ]
    }
    del config["departments"][1]
    assert errors(config) == {}
    del config["departments"][0]
    assert errors(config) == {"departments": ["一个事项有且只有一个牵头部门（当前为 0 个）。"]}


@pytest.mark.parametrize(
    "stages", [[], ["check"], ["undertake", "sign", "check"], ["undertake", "undertake"], "one"]
)
def test_stages_valid(stages):
    config = parallel_config()
    config["departments"][1]["stages"] = stages
    assert errors(config) == {
        "departments[1].stages": ["审查环节须从承办开始，并按承办 → 审核 → 签发的顺序排列。"]
    }


class TestDeemedApproval:
    def test_only_where_the_item_allows_it(self):
        config = parallel_config()
        config["departments"][1]["timeout_policy"] = "deemed_approval"
        got = errors(config)["departments[1].timeout_policy"][0]
        assert got.startswith("只有事项规定允许时才能适用逾期视为同意")
        config["item"]["deemed_approval_allowed"] = True
        assert errors(config) == {}

    def test_never_for_the_lead(self):
        config = parallel_config()
        config["item"]["deemed_approval_allowed"] = True
        config["departments"][0]["timeout_policy"] = "deemed_approval"
        assert errors(config) == {
            "departments[0].timeout_policy": ["牵头部门负责作出决定，不能设置为逾期视为同意。"]
        }


class TestMaterials:
    @pytest.mark.parametrize("types", [[], ["exe"], ["pdf", "doc"], "pdf"])
    def test_accepted_types(self, types):
        config = parallel_config()
        config["materials"][0]["accepted_types"] = types
        assert errors(config) == {
            "materials[0].accepted_types": ["请从 pdf、jpg、png 和 ofd 中选择可接受的文件类型。"]
        }

    def test_tolerable_only_if_required(self):
        config = parallel_config()
        config["materials"][0].update(required=False, tolerable=True)
        assert errors(config) == {"materials[0].tolerable": ["只有必交材料才能容缺。"]}

    def test_names_unique(self):
        config = parallel_config()
        config["materials"].append(copy.deepcopy(config["materials"][0]))
        got = errors(config)
        assert got["materials[1].name"] == ["本事项有两份材料同名：“营业执照申请书”。"]

    def test_departments_must_take_part(self):
        config = parallel_config()
        config["materials"][0]["departments"] = ["yf-scjg", "yf-wjj"]
        assert errors(config) == {
            "materials[0].departments": ["只有参与本事项的部门才能要求该材料：yf-wjj。"]
        }

    def test_max_size_and_sample(self):
        config = parallel_config()
        config["materials"][0].update(max_size=0, sample="../etc/passwd")
        got = errors(config)
        assert got["materials[0].max_size"] == ["文件大小上限须为不小于 1 的整数字节数。"]
        assert got["materials[0].sample"] == ["样表文件须位于 samples/ 目录下。"]


class TestFormFields:
    def test_names_unique_per_item(self):
        config = parallel_config()
        config["form_fields"].append({**config["form_fields"][0], "label": "名称"})
        assert errors(config) == {"form_fields[1].name": ["字段名“company_name”重复使用。"]}

    @pytest.mark.parametrize("name", ["CompanyName", "1st", "名称", "", "a-b"])
    def test_names_well_formed(self, name):
        config = parallel_config()
        config["form_fields"][0]["name"] = name
        assert errors(config) == {
            "form_fields[0].name": ["字段名须以小写字母开头，只能包含 a-z、0-9 和下划线“_”。"]
        }

    def test_choice_needs_choices(self):
        config = parallel_config()
        config["form_fields"][0]["type"] = "choice"
        assert errors(config) == {"form_fields[0].choices": ["选择类字段至少需要一个选项。"]}

    def test_label_and_type(self):
        config = parallel_config()
        config["form_fields"][0].update(label=" ", type="slider")
        got = errors(config)
        assert got["form_fields[0].label"] == ["表单字段须有显示名称。"]
        assert got["form_fields[0].type"][0].startswith("“slider”不是允许的取值")


class TestLegalBasis:
    """Administrative-power items (行政许可, 行政确认) are published only with their 设定依据."""

    @pytest.mark.parametrize("category", ["licensing", "confirmation"])
    @pytest.mark.parametrize("legal_basis", ["", "  \n ", None])
    def test_required_where_the_category_says(self, category, legal_basis):
        config = parallel_config()
        config["item"].update(category=category, legal_basis=legal_basis)
        label = {"licensing": "行政许可", "confirmation": "行政确认"}[category]
        assert problems_by_path(validate_item_config(config)) == {
            "item.legal_basis": [f"{label}类事项须填写设定依据（设定该事项的法律法规条款）。"]
        }

    @pytest.mark.parametrize("category", ["public_service", "enquiry", "complaint"])
    def test_not_required_for_public_services_and_requests(self, category):
        config = parallel_config()
        config["item"].update(category=category, legal_basis="")
        assert "item.legal_basis" not in problems_by_path(validate_item_config(config))
