"""The application form spec: one validation for the API and the portal's form."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import translation

from permits.formspec import (
    FormDataInvalid,
    build_form,
    clean_form_data,
    display_rows,
    normalise_choices,
)
from permits.validators import credit_code_check_char, resident_id_check_char

ID_17 = "44530219900307123"
VALID_ID = ID_17 + resident_id_check_char(ID_17)
BAD_ID = ID_17 + ("0" if VALID_ID[-1] != "0" else "1")
CODE_17 = "91445300MA4UX0K0X"
VALID_CODE = CODE_17 + credit_code_check_char(CODE_17)
BAD_CODE = CODE_17 + ("0" if VALID_CODE[-1] != "0" else "1")


def spec(name, type_, *, required=True, choices=None, validation=None, label=None):
    return {
        "name": name,
        "label": label or name,
        "type": type_,
        "required": required,
        "choices": choices or [],
        "validation": validation or {},
        "help_text": "",
    }


FIELDS = [
    spec("company_name", "text", label="企业名称"),
    spec("scope", "textarea", required=False),
    spec("capital", "number", validation={"min": 0, "max": 1000000}),
    spec("founded_on", "date", required=False),
    spec("kind", "choice", choices=[{"value": "llc", "label": "有限责任公司"}, "个体"]),
    spec("extras", "multichoice", required=False, choices=[["seal", "刻章"], ["tax", "税务"]]),
    spec("has_premises", "bool"),
    spec("legal_rep_id", "id_number"),
    spec("credit_code", "credit_code", required=False),
    spec("phone", "phone"),
    spec("email", "email", required=False),
    spec("address", "address"),
]

GOOD = {
    "company_name": " 云浮石材有限公司 ",
    "scope": "石材加工\n销售",
    "capital": "500000",
    "founded_on": "2026-03-01",
    "kind": "llc",
    "extras": ["tax", "seal", "tax"],
    "has_premises": False,
    "legal_rep_id": VALID_ID.lower(),
    "credit_code": VALID_CODE,
    "phone": "13800138000",
    "email": "a@example.cn",
    "address": "云浮市云城区某路1号",
}


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def errors_of(data, fields=FIELDS, **kwargs):
    with pytest.raises(FormDataInvalid) as caught:
        clean_form_data(fields=fields, data=data, **kwargs)
    # the API shape nests the same messages under "form"
    assert caught.value.fields == {"form": caught.value.errors}
    return caught.value.errors


def test_good_data_is_cleaned_to_json_ready_values():
    cleaned = clean_form_data(fields=FIELDS, data=GOOD)

    assert cleaned == {
        "company_name": "云浮石材有限公司",
        "scope": "石材加工\n销售",
        "capital": 500000,
        "founded_on": "2026-03-01",
        "kind": "llc",
        "extras": ["seal", "tax"],  # configured order, no duplicates
        "has_premises": False,
        "legal_rep_id": VALID_ID.upper(),
        "credit_code": VALID_CODE,
        "phone": "13800138000",
        "email": "a@example.cn",
        "address": "云浮市云城区某路1号",
    }


def test_required_fields_missing_are_each_reported_in_chinese():
    errors = errors_of({})
    assert set(errors) == {
        "company_name",
        "capital",
        "kind",
        "has_premises",
        "legal_rep_id",
        "phone",
        "address",
    }
    assert "必填" in errors["company_name"][0]


def test_partial_mode_skips_required_but_checks_what_is_given():
    assert clean_form_data(fields=FIELDS, data={"company_name": "甲"}, partial=True) == {
        "company_name": "甲"
    }
    errors = errors_of({"phone": "12345"}, partial=True)
    assert list(errors) == ["phone"]


def test_unknown_fields_are_refused():
    errors = errors_of({**GOOD, "is_admin": True})
    assert list(errors) == ["is_admin"]


def test_form_data_must_be_an_object():
    errors = errors_of(["not", "a", "dict"])
    assert "non_field_errors" in errors


def test_false_is_an_answer_for_a_required_bool():
    cleaned = clean_form_data(fields=FIELDS, data={**GOOD, "has_premises": "false"})
    assert cleaned["has_premises"] is False


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("company_name", "x" * 201),
        ("company_name", ["list"]),
        ("capital", "abc"),
        ("capital", "-1"),
        ("capital", "1000001"),
        ("capital", True),
        ("capital", "NaN"),
        ("capital", "Infinity"),
        ("founded_on", "2026-02-30"),
        ("founded_on", "01/03/2026"),
        ("kind", "corp"),
        ("kind", ["llc"]),
        ("extras", ["seal", "bank"]),
        ("extras", {"seal": True}),
        ("has_premises", "maybe"),
        ("legal_rep_id", BAD_ID),
        ("legal_rep_id", "12345"),
        ("credit_code", BAD_CODE),
        ("credit_code", "91445300MA4UX0K0"),
        ("phone", "1380013800"),
        ("phone", "23800138000"),
        ("email", "not-an-email"),
        ("address", "a" * 201),
    ],
)
def test_each_type_refuses_bad_values(field, value):
    errors = errors_of({**GOOD, field: value})
    assert list(errors) == [field]
    assert errors[field][0]  # a message, in Chinese
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors[field][0])


def test_id_number_message_names_the_standard():
    errors = errors_of({**GOOD, "legal_rep_id": BAD_ID})
    assert "GB 11643" in errors["legal_rep_id"][0]


def test_credit_code_message_names_the_standard():
    errors = errors_of({**GOOD, "credit_code": BAD_CODE})
    assert "GB 32100" in errors["credit_code"][0]


def test_other_id_types_are_checked_for_shape_only():
    fields = [spec("passport", "id_number", validation={"id_type": "passport"})]
    assert clean_form_data(fields=fields, data={"passport": "E12345678"}) == {
        "passport": "E12345678"
    }
    assert "passport" in errors_of({"passport": "E1 <script>"}, fields=fields)


def test_landline_and_plus86_phones_are_accepted():
    fields = [spec("phone", "phone")]
    assert clean_form_data(fields=fields, data={"phone": "0766-8888888"})["phone"] == (
        "0766-8888888"
    )
    assert clean_form_data(fields=fields, data={"phone": "+86 138 0013 8000"})["phone"] == (
        "13800138000"
    )


def test_text_rules_min_max_and_pattern():
    fields = [
        spec(
            "plate",
            "text",
            validation={
                "min_length": 2,
                "max_length": 8,
                "pattern": r"粤W[A-Z0-9]{5}",
                "pattern_message": "请输入云浮车牌号",
            },
        )
    ]
    assert clean_form_data(fields=fields, data={"plate": "粤WA1234"}) == {"plate": "粤WA1234"}
    assert errors_of({"plate": "粤"}, fields=fields)["plate"][0].startswith("请至少输入")
    assert errors_of({"plate": "粤W123456789"}, fields=fields)
    assert errors_of({"plate": "粤AA1234"}, fields=fields)["plate"] == ["请输入云浮车牌号"]


def test_a_broken_pattern_in_the_configuration_does_not_lock_applicants_out():
    fields = [spec("x", "text", validation={"pattern": "("})]
    assert clean_form_data(fields=fields, data={"x": "ok"}) == {"x": "ok"}


def test_single_line_text_has_no_line_breaks_and_no_control_characters():
    fields = [spec("x", "text")]
    assert clean_form_data(fields=fields, data={"x": "a\nb"}) == {"x": "a b"}
    assert errors_of({"x": "a\x00b"}, fields=fields)


def test_numbers_integer_rule_and_floats():
    fields = [spec("n", "number", validation={"integer": True})]
    assert errors_of({"n": "1.5"}, fields=fields)
    assert clean_form_data(fields=[spec("n", "number")], data={"n": "1.5"}) == {"n": 1.5}
    assert clean_form_data(fields=[spec("n", "number")], data={"n": 3}) == {"n": 3}


def test_dates_accept_date_objects_and_limits():
    fields = [spec("d", "date", validation={"min": "2020-01-01", "max": "2030-12-31"})]
    assert clean_form_data(fields=fields, data={"d": dt.date(2026, 1, 2)}) == {"d": "2026-01-02"}
    assert errors_of({"d": "2019-12-31"}, fields=fields)
    assert errors_of({"d": "2031-01-01"}, fields=fields)


def test_required_multichoice_needs_one_choice():
    fields = [spec("m", "multichoice", choices=["a", "b"])]
    assert list(errors_of({"m": []}, fields=fields)) == ["m"]
    assert list(errors_of({"m": [""]}, fields=fields)) == ["m"]


def test_normalise_choices_accepts_three_shapes():
    assert normalise_choices(["a", ["b", "乙"], {"value": "c", "label": "丙"}]) == [
        ("a", "a"),
        ("b", "乙"),
        ("c", "丙"),
    ]


def test_display_rows_show_labels_for_choices_and_yes_no():
    rows = display_rows(FIELDS, clean_form_data(fields=FIELDS, data=GOOD))
    by_name = {row["name"]: row for row in rows}
    assert by_name["kind"]["value"] == "有限责任公司"
    assert by_name["extras"]["value"] == "刻章、税务"
    assert by_name["has_premises"]["value"] == "否"
    assert by_name["company_name"]["label"] == "企业名称"


# --- The Django form built from the same spec --------------------------------------------------


def post(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = value
    return query


def test_django_form_gives_the_same_cleaned_data_as_the_api():
    data = {**GOOD, "has_premises": "false"}
    form = build_form(FIELDS, data=post(data))

    assert form.is_valid(), form.errors
    assert form.cleaned_data == clean_form_data(fields=FIELDS, data=data)


def test_django_form_puts_errors_next_to_each_field():
    form = build_form(FIELDS, data=post({**GOOD, "phone": "123", "legal_rep_id": BAD_ID}))

    assert not form.is_valid()
    assert set(form.errors) == {"phone", "legal_rep_id"}
    assert "GB 11643" in form.errors["legal_rep_id"][0]


def test_django_form_partial_mode_for_drafts():
    form = build_form(FIELDS, data=post({"company_name": "甲"}), partial=True)
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"company_name": "甲"}


def test_django_form_shows_stored_draft_values():
    stored = clean_form_data(fields=FIELDS, data=GOOD)
    form = build_form(FIELDS, stored=stored)
    html = form.as_div()

    assert "云浮石材有限公司" in html
    assert 'value="false" aria-required="true"' in html or 'value="false"' in html
    assert form["has_premises"].value() == "false"
    assert form["extras"].value() == ["seal", "tax"]
    assert 'type="date"' in html
    assert form.fields["company_name"].is_required is True
    assert form.fields["scope"].is_required is False
