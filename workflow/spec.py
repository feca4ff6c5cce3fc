"""Reading an item version's frozen configuration.

A case runs on the item version it was created under (``ItemVersion.snapshot``, keys ``item``,
``departments``, ``materials``, ``form_fields`` in the shapes of API.md's item detail), never on
the live item: editing an item does not change a case in flight. Everything the flow needs —
which departments take part, their roles, stages, limits and timeout policies, the materials and
the form — comes from here, so the flow has no code per item.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from departments.models import Department
from permits.choices import default_extension_rule
from permits.models import DepartmentRole, ItemVersion, material_generated_online

ONE_STAGE = ("undertake",)
LEGAL_ACCEPTANCE_DAYS = 5  # 行政许可法 第三十二条: acceptance decided within five working days
# Categories whose process-centred cases give one outcome per department (API.md ``outcome``).
JOINT_RESULT_CATEGORIES = frozenset({"annual_inspection", "declaration"})


@dataclass(frozen=True)
class DepartmentSpec:
    department_id: int
    code: str
    name: str
    role: str
    position: int
    time_limit_days: int | None
    time_limit_unit: str
    stages: tuple[str, ...]
    timeout_policy: str
    duty: str = ""


@dataclass(frozen=True)
class MaterialSpec:
    id: int
    name: str
    required: bool
    tolerable: bool
    accepted_types: tuple[str, ...]
    max_size: int
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_key(self) -> bool:
        """Required and not tolerable: submission is refused while it is missing."""
        return self.required and not self.tolerable

    @property
    def generated_online(self) -> bool:
        """Produced from the application form (在线生成): never demanded as an upload."""
        return material_generated_online(self.raw.get("copies"))


@dataclass(frozen=True)
class VersionSpec:
    version_id: int
    item: Mapping[str, Any]
    departments: tuple[DepartmentSpec, ...]
    materials: tuple[MaterialSpec, ...]
    form_fields: tuple[Mapping[str, Any], ...]

    @property
    def lead(self) -> DepartmentSpec | None:
        return next((d for d in self.departments if d.role == DepartmentRole.LEAD), None)

    @property
    def participants(self) -> tuple[DepartmentSpec, ...]:
        """The departments that review in parallel (not the lead; not consulted ones)."""
        return tuple(d for d in self.departments if d.role == DepartmentRole.PARALLEL)

    def material(self, requirement_id: Any) -> MaterialSpec | None:
        try:
            wanted = int(requirement_id)
        except (TypeError, ValueError):
            return None
        return next((m for m in self.materials if m.id == wanted), None)

    def _item(self, key: str, default: Any = None) -> Any:
        return self.item.get(key, default)

    @property
    def onsite_inspection(self) -> bool:
        return bool(self._item("onsite_inspection", False))

    @property
    def promised_days(self) -> int | None:
        return self._item("promised_days")

    @property
    def legal_days(self) -> int | None:
        return self._item("legal_days")

    @property
    def acceptance_days(self) -> int:
        """Working days the lead has to decide on acceptance: the law's five, or the item's
        promised limit when that is shorter (a 1-working-day item is not accepted in 5). The
        acceptance task's due and the submitted page both read this."""
        promised = self.promised_days
        if promised:
            return min(LEGAL_ACCEPTANCE_DAYS, int(promised))
        return LEGAL_ACCEPTANCE_DAYS

    @property
    def service_model(self) -> str:
        return self._item("service_model", "")

    @property
    def extension_rule(self) -> str:
        """Which extension of 第四十二条 the cases get (``permits.choices.ExtensionRule``): the
        item's own setting, else by its model — joint (45 + 15) for parallel licensing and a
        core department with consulted departments (统一办理), single (20 + 10) otherwise."""
        rule = self._item("extension_rule") or ""
        if rule:
            return rule
        others = any(d.role in ("parallel", "consult") for d in self.departments)
        return default_extension_rule(self.service_model, with_other_departments=others)

    @property
    def result_name(self) -> str:
        return self._item("result_name") or self._item("name", "")

    @property
    def establishes_enterprise(self) -> bool:
        """Whether the outcome of a case is a new enterprise (企业开办, issue 14 item 1): the
        item's form asks for the enterprise to be established by the field named
        ``company_name`` (with ``company_type`` and ``legal_rep_name`` when present;
        docs/catalogue-format.md)."""
        return any(f.get("name") == ESTABLISHED_NAME_FIELD for f in self.form_fields)

    @property
    def result_validity_months(self) -> int | None:
        return self._item("result_validity_months")

    # --- Process-centred items (workflow.flows.process_centred) ---

    @property
    def dispatch_catalogue(self) -> tuple[DepartmentSpec, ...]:
        """The departments the item usually dispatches to (role ``dispatch``): the triage
        page's suggestions and the default limits of a dispatch."""
        return tuple(d for d in self.departments if d.role == DepartmentRole.DISPATCH)

    @property
    def joint_result(self) -> bool:
        """Joint annual inspections (联合年检) and online declarations (网上申报): every
        department states an outcome (passed / failed) and the answer carries each one."""
        return self._item("category", "") in JOINT_RESULT_CATEGORIES

    @property
    def return_window_days(self) -> int:
        """Working days after the dispatch within which a department may return the case
        (Shandong's rules: 2); the item may set its own (``return_window_days``)."""
        value = self._item("return_window_days")
        return int(value) if value else int(getattr(settings, "PROCESS_RETURN_WINDOW_DAYS", 2))

    @property
    def max_returns(self) -> int:
        """How many returns the case may have before the office must handle it itself or
        dispatch with ``may_return: false`` (default 2; the item may set ``max_returns``)."""
        value = self._item("max_returns")
        return int(value) if value else int(getattr(settings, "PROCESS_MAX_RETURNS", 2))


# The form fields of an establishment item (企业开办) that name the enterprise it creates.
ESTABLISHED_NAME_FIELD = "company_name"
ESTABLISHED_TYPE_FIELD = "company_type"
ESTABLISHED_REPRESENTATIVE_FIELD = "legal_rep_name"


def _stages(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = {"one": ["undertake"], "three": ["undertake", "check", "sign"]}.get(raw, [raw])
    stages = tuple(str(s) for s in (raw or ()) if s)
    return stages or ONE_STAGE


def _department_code(entry: Mapping[str, Any]) -> str:
    dep = entry.get("department")
    if isinstance(dep, Mapping):
        return str(dep.get("code", ""))
    return str(entry.get("code") or entry.get("department_code") or dep or "")


def _item_dict(version: ItemVersion, snapshot: Mapping[str, Any]) -> dict[str, Any]:
    item = dict(snapshot.get("item") or {})
    live = version.item
    # Older or partial snapshots: fall back to the item's own fields for what they lack.
    for key in (
        "code",
        "name",
        "service_model",
        "legal_days",
        "promised_days",
        "onsite_inspection",
        "result_name",
        "result_validity_months",
        "allows_anonymous",
        "consult_mode",
        "extension_rule",
        "category",
    ):
        item.setdefault(key, getattr(live, key, None))
    return item


# Department code → id, as version_spec resolves a snapshot's departments: read once per
# process, forgotten when a department is saved or deleted here and after _CODES_TTL seconds
# (a department created by another process is simply not known yet: it is read).
_CODES_TTL = 600.0
_codes: dict[str, int] = {}
_codes_read_at = 0.0


def department_ids(codes: set[str]) -> dict[str, int]:
    """The ids of the departments with these codes (those that exist)."""
    global _codes_read_at
    now = time.monotonic()
    if now - _codes_read_at > _CODES_TTL:
        _codes.clear()
        _codes_read_at = now
    missing = codes - _codes.keys()
    if missing:
        _codes.update(Department.objects.filter(code__in=missing).values_list("code", "pk"))
    return {code: _codes[code] for code in codes if code in _codes}


def _forget_department_ids(**_kwargs) -> None:
    _codes.clear()


post_save.connect(_forget_department_ids, sender=Department, dispatch_uid="spec_department_ids")
post_delete.connect(
    _forget_department_ids, sender=Department, dispatch_uid="spec_department_ids_delete"
)


def version_spec(version: ItemVersion) -> VersionSpec:
    """The version's configuration as typed values (cached on the version object)."""
    cached = getattr(version, "_workflow_spec", None)
    if cached is not None:
        return cached
    snapshot: Mapping[str, Any] = version.snapshot or {}
    raw_departments: Sequence[Mapping[str, Any]] = snapshot.get("departments") or []
    codes = {_department_code(d) for d in raw_departments} - {""}
    by_code = department_ids(codes)
    departments = []
    for entry in raw_departments:
        code = _department_code(entry)
        dep_id = entry.get("department_id") or by_code.get(code)
        if dep_id is None:
            continue
        departments.append(
            DepartmentSpec(
                department_id=int(dep_id),
                code=code,
                name=str(entry.get("name", "")),
                role=str(entry.get("role", "")),
                position=int(entry.get("position") or 0),
                time_limit_days=entry.get("time_limit_days"),
                time_limit_unit=str(entry.get("time_limit_unit") or "working_day"),
                stages=_stages(entry.get("stages")),
                timeout_policy=str(entry.get("timeout_policy") or "escalate"),
                duty=str(entry.get("duty") or ""),
            )
        )
    departments.sort(key=lambda d: (d.role != DepartmentRole.LEAD, d.position, d.code))
    materials = tuple(
        MaterialSpec(
            id=int(m["id"]),
            name=str(m.get("name", "")),
            required=bool(m.get("required", True)),
            tolerable=bool(m.get("tolerable", False)),
            accepted_types=tuple(m.get("accepted_types") or ()),
            max_size=int(m.get("max_size") or 0),
            raw=m,
        )
        for m in (snapshot.get("materials") or [])
        if m.get("id") is not None
    )
    spec = VersionSpec(
        version_id=version.pk,
        item=_item_dict(version, snapshot),
        departments=tuple(departments),
        materials=materials,
        form_fields=tuple(snapshot.get("form_fields") or ()),
    )
    version._workflow_spec = spec
    return spec
