"""The rules an item's configuration must satisfy (the snapshot format of
``permits.itemconfig``), written once for the admin, publishing, import and the models' own
``clean()``. Plain data in, ``Problem`` rows out: this module reads no model, so the catalogue
models can ask it without an import cycle (it names only ``permits.choices`` and
``permits.validators``)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from permits.choices import (
    Audience,
    Category,
    ConsultMode,
    DepartmentRole,
    ExtensionRule,
    FieldType,
    FileType,
    OnlineDepth,
    ServiceModel,
    TimeLimitUnit,
    TimeoutPolicy,
)
from permits.validators import field_name_validator, item_code_validator

STAGE_ORDER = ["undertake", "check", "sign"]
# Administrative-power items (行政许可, 行政确认) exist only by law: their guide states the
# provisions that create them (设定依据), and an item without them is not published.
LEGAL_BASIS_REQUIRED: frozenset[str] = frozenset({Category.LICENSING, Category.CONFIRMATION})


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (``section``, row ``index``, ``field``) and why (``message``)."""

    section: str  # "item", "departments", "materials" or "form_fields"
    index: int | None
    field: str | None
    message: str

    @property
    def path(self) -> str:
        """``item.promised_days``, ``departments[1].role``, ``form_fields[0].name``,
        ``departments`` (a rule about the whole list)."""
        out = self.section if self.index is None else f"{self.section}[{self.index}]"
        return f"{out}.{self.field}" if self.field else out

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def problems_by_path(problems: list[Problem]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in problems:
        out.setdefault(p.path, []).append(p.message)
    return out


def _choice_problem(value: Any, choices: type[models.TextChoices]) -> str | None:
    if value not in choices.values:
        return _("“%(value)s” is not one of the allowed values: %(allowed)s.") % {
            "value": value,
            "allowed": ", ".join(choices.values),
        }
    return None


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _regex_problem(validator, value: Any) -> str | None:
    try:
        validator(value if isinstance(value, str) else "")
    except ValidationError as exc:
        return str(exc.messages[0])
    return None


def stages_problem(stages: Any) -> str | None:
    """Stages start with undertake and keep the order undertake → check → sign."""
    if (
        not isinstance(stages, list)
        or not stages
        or any(s not in STAGE_ORDER for s in stages)
        or len(set(stages)) != len(stages)
        or stages != sorted(stages, key=STAGE_ORDER.index)
        or stages[0] != "undertake"
    ):
        return _("Stages start with undertake and follow undertake → check → sign.")
    return None


def accepted_types_problem(types: Any) -> str | None:
    if not isinstance(types, list) or not types or any(t not in FileType.values for t in types):
        return _("Choose accepted file types among pdf, jpg, png and ofd.")
    return None


def _extension_rule_problem(rule: str) -> str | None:
    return _choice_problem(rule, ExtensionRule) if rule else None


def validate_item_fields(item: dict[str, Any]) -> list[Problem]:
    """The rules about the item's own fields."""
    problems: list[Problem] = []

    def add(field: str, message: str | None) -> None:
        if message:
            problems.append(Problem("item", None, field, message))

    add("code", _regex_problem(item_code_validator, item.get("code")))
    if not str(item.get("name") or "").strip():
        add("name", _("Every item needs a name."))
    for field, choices in (
        ("category", Category),
        ("audience", Audience),
        ("service_model", ServiceModel),
        ("online_depth", OnlineDepth),
    ):
        add(field, _choice_problem(item.get(field), choices))
    legal, promised = item.get("legal_days"), item.get("promised_days")
    for field, value in (("legal_days", legal), ("promised_days", promised)):
        if not _positive_int(value):
            add(field, _("A time limit is a whole number of days, at least 1."))
    if _positive_int(legal) and _positive_int(promised) and promised > legal:
        add(
            "promised_days",
            _(
                "The promised time limit (%(promised)s working days) may not exceed the legal "
                "time limit (%(legal)s working days)."
            )
            % {"promised": promised, "legal": legal},
        )
    consult_mode = item.get("consult_mode") or ""
    if item.get("service_model") == ServiceModel.CORE_DEPARTMENT:
        if not consult_mode:
            add("consult_mode", _("A core-department item needs a consult mode."))
        else:
            add("consult_mode", _choice_problem(consult_mode, ConsultMode))
    elif consult_mode:
        add("consult_mode", _("Only a core-department item has a consult mode."))
    add("extension_rule", _extension_rule_problem(item.get("extension_rule") or ""))
    legal_basis = str(item.get("legal_basis") or "").strip()
    if item.get("category") in LEGAL_BASIS_REQUIRED and not legal_basis:
        add(
            "legal_basis",
            _(
                "An item of the category %(category)s needs its legal basis: the provisions "
                "that create it."
            )
            % {"category": Category(item["category"]).label},
        )
    if not item.get("region"):
        add("region", _("Every item belongs to a region."))
    if not item.get("lead_department"):
        add("lead_department", _("Every item needs a lead department."))
    return problems


def validate_departments(item: dict[str, Any], departments: list[dict]) -> list[Problem]:
    """How departments take part, per service model (DESIGN.md §3/§4)."""
    problems: list[Problem] = []
    model = item.get("service_model")
    lead_code = item.get("lead_department")

    for i, row in enumerate(departments):

        def add(field: str, message: str | None, i: int = i) -> None:
            if message:
                problems.append(Problem("departments", i, field, message))

        if not row.get("code"):
            add("code", _("Choose a department."))
        add("role", _choice_problem(row.get("role"), DepartmentRole))
        if not _positive_int(row.get("time_limit_days")):
            add("time_limit_days", _("A time limit is a whole number of days, at least 1."))
        add("time_limit_unit", _choice_problem(row.get("time_limit_unit"), TimeLimitUnit))
        add("stages", stages_problem(row.get("stages")))
        policy = row.get("timeout_policy")
        add("timeout_policy", _choice_problem(policy, TimeoutPolicy))
        if policy == TimeoutPolicy.DEEMED_APPROVAL:
            if row.get("role") == DepartmentRole.LEAD:
                add(
                    "timeout_policy",
                    _("The lead department decides; it cannot be deemed to approve."),
                )
            elif not item.get("deemed_approval_allowed"):
                add(
                    "timeout_policy",
                    _(
                        "Deemed approval is only possible when the item's rules allow it "
                        "(tick “deemed approval allowed” on the item)."
                    ),
                )

    def add_list(message: str) -> None:
        problems.append(Problem("departments", None, None, message))

    by_role = Counter(row.get("role") for row in departments)
    leads = [row for row in departments if row.get("role") == DepartmentRole.LEAD]
    if len(leads) != 1:
        add_list(
            _("An item has exactly one lead department (it now has %(n)s).") % {"n": len(leads)}
        )
    elif lead_code and leads[0].get("code") != lead_code:
        add_list(
            _(
                "The lead row must be the item's implementing department "
                "(%(expected)s), not %(found)s."
            )
            % {"expected": lead_code, "found": leads[0].get("code")}
        )
    codes = [row.get("code") for row in departments if row.get("code")]
    if lead_code and codes.count(lead_code) > 1:
        add_list(_("The lead department cannot also take part in another role."))
    duplicates = sorted({c for c in codes if codes.count(c) > 1 and c != lead_code})
    if duplicates:
        add_list(
            _("A department takes part only once: %(codes)s appears more than once.")
            % {"codes": ", ".join(duplicates)}
        )

    if model == ServiceModel.PARALLEL:
        if by_role[DepartmentRole.PARALLEL] < 1:
            add_list(_("A parallel item needs at least one parallel department."))
        if by_role[DepartmentRole.CONSULT]:
            add_list(_("A parallel item has no consulted departments; use parallel review."))
    elif model == ServiceModel.CORE_DEPARTMENT:
        if by_role[DepartmentRole.CONSULT] < 1:
            add_list(_("A core-department item needs at least one consulted department."))
        if by_role[DepartmentRole.PARALLEL]:
            add_list(_("A core-department item consults departments; it has no parallel review."))
        if item.get("consult_mode") == ConsultMode.SEQUENTIAL:
            positions = [row.get("position") for row in departments if row.get("role") == "consult"]
            if len(set(positions)) != len(positions):
                add_list(_("Departments consulted in sequence need different positions."))
    elif model == ServiceModel.SINGLE_DEPARTMENT:
        if len(departments) > len(leads):
            add_list(_("A single-department item has only its lead department."))
    elif (
        model == ServiceModel.PROCESS_CENTRED
        and len(departments) > len(leads) + by_role[DepartmentRole.DISPATCH]
    ):
        add_list(
            _(
                "A process-centred item has its coordinating office and its dispatch catalogue "
                "(who usually handles it); the departments are chosen when the case is "
                "dispatched."
            )
        )
    if model != ServiceModel.PROCESS_CENTRED and by_role[DepartmentRole.DISPATCH]:
        add_list(_("Only a process-centred item has a dispatch catalogue."))
    return problems


_SAMPLE_RE = re.compile(r"^samples/[^\\]*$")


def validate_materials(materials: list[dict], department_codes: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, m in enumerate(materials):

        def add(field: str, message: str | None, i: int = i) -> None:
            if message:
                problems.append(Problem("materials", i, field, message))

        name = str(m.get("name") or "").strip()
        if not name:
            add("name", _("Every material needs a name."))
        elif name in seen:
            add("name", _("Two materials of this item are named “%(name)s”.") % {"name": name})
        seen.add(name)
        add("accepted_types", accepted_types_problem(m.get("accepted_types")))
        if m.get("tolerable") and not m.get("required"):
            add("tolerable", _("Only a required material can be tolerated as missing."))
        if not _positive_int(m.get("max_size")):
            add("max_size", _("The maximum size is a whole number of bytes, at least 1."))
        sample = m.get("sample") or ""
        if sample and (not _SAMPLE_RE.match(sample) or ".." in sample):
            add("sample", _("A sample file lives under samples/."))
        unknown = sorted(set(m.get("departments") or []) - department_codes)
        if unknown:
            add(
                "departments",
                _("Only departments taking part in the item can need a material: %(codes)s.")
                % {"codes": ", ".join(unknown)},
            )
    return problems


def validate_form_fields(fields: list[dict]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, f in enumerate(fields):

        def add(field: str, message: str | None, i: int = i) -> None:
            if message:
                problems.append(Problem("form_fields", i, field, message))

        name = f.get("name")
        name_problem = _regex_problem(field_name_validator, name)
        add("name", name_problem)
        if not name_problem and name in seen:
            add("name", _("The field name “%(name)s” is used twice.") % {"name": name})
        seen.add(name)
        if not str(f.get("label") or "").strip():
            add("label", _("Every form field needs a label."))
        add("type", _choice_problem(f.get("type"), FieldType))
        choices = f.get("choices")
        if f.get("type") in (FieldType.CHOICE, FieldType.MULTICHOICE) and not choices:
            add("choices", _("A choice field needs at least one choice."))
        elif choices is not None and not isinstance(choices, list):
            add("choices", _("Choices are a list."))
        validation = f.get("validation")
        if validation is not None and not isinstance(validation, dict):
            add("validation", _("Validation rules are an object."))
    return problems


def validate_item_config(config: dict[str, Any]) -> list[Problem]:
    """Every rule of the catalogue, on a configuration in the snapshot format.

    Returns the problems found (an empty list when the configuration is valid); callers decide
    how to show them (the admin on its forms, publishing and import as an exception).
    Department codes are compared as given; whether they exist is the caller's concern.
    """
    item = config.get("item") or {}
    departments = list(config.get("departments") or [])
    materials = list(config.get("materials") or [])
    form_fields = list(config.get("form_fields") or [])
    department_codes = {row.get("code") for row in departments if row.get("code")}
    if item.get("lead_department"):
        department_codes.add(item["lead_department"])
    return [
        *validate_item_fields(item),
        *validate_departments(item, departments),
        *validate_materials(materials, department_codes),
        *validate_form_fields(form_fields),
    ]
