"""Catalogue exchange (实施清单): export every item to a JSON file and import such a file.

The format is documented in ``docs/catalogue-format.md``. Each item entry is the item's
configuration (the snapshot format of ``permits.itemconfig``, with the item's fields at the top
level) plus its ``status`` and ``popularity``; departments and regions are referenced by code.

Import is all-or-nothing: every entry is checked first (field by field, then with the catalogue
rules, then against what is in the database), and only a file without a single problem is
applied, in one transaction. Items are matched by code, their departments by (code, role),
materials and form fields by name, so that re-importing keeps the ids applications point at.
Items that are not in the file are left alone. Importing the same file twice changes nothing
the second time. A file may also carry the regions and departments it refers to
(``permits.exchange_structure``); they are checked with the items and applied first.

Apps above permits add their own per-item rows to the format by registering an
``ItemSection`` (``register_item_section``, from their ``AppConfig.ready()``), so permits never
imports them: workflow's ``request_limits`` (``workflow.intake.exchange``) is one. A section's
key left out of an entry leaves the item's rows as they are; present (even ``[]``), it
replaces them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Department, Region
from permits.exceptions import Invalid
from permits.exchange_structure import Structure, apply_structure, check_structure
from permits.itemconfig import (
    department_entry,
    form_field_entry,
    item_config_fields,
    item_entry,
    material_entry,
    validate_item_config,
)
from permits.models import (
    FormField,
    ItemDepartment,
    ItemStatus,
    MaterialRequirement,
    ServiceItem,
)
from permits.models.catalogue import ITEM_TRANSITIONS
from permits.services import item_publish, item_resume, item_retire, item_suspend

FORMAT_NAME = "yunfu-catalogue"
FORMAT_VERSION = 1

# Keys written for people reading the file; import ignores them.
_INFORMATIONAL_ITEM_KEYS = {"region_name", "lead_department_name"}
_INFORMATIONAL_ROW_KEYS = {"name"}  # in departments rows: the department's name

_DEPARTMENT_ROW_FIELDS = [
    "role",
    "position",
    "duty",
    "time_limit_days",
    "time_limit_unit",
    "stages",
    "timeout_policy",
]
_MATERIAL_FIELDS = [
    "name",
    "description",
    "required",
    "tolerable",
    "accepted_types",
    "max_size",
    "copies",
    "source",
    "sample",
    "position",
]
_FORM_FIELD_FIELDS = [
    "name",
    "label",
    "type",
    "required",
    "choices",
    "validation",
    "help_text",
    "position",
]


@dataclass(frozen=True)
class ItemSection:
    """Per-item rows another app keeps, carried in each item entry under ``key``.

    ``prefetch``: the item's related name to prefetch for the export (constant queries);
    ``export(item)``: the rows of the item (JSON values, codes for references);
    ``check(checker, raw, path)``: the file's rows in canonical form, recording problems with
    ``checker.add(path, message)`` (``checker.clean_fields`` runs a model's field validation);
    ``apply(item, rows)``: replace the item's rows with ``rows`` (inside the import's
    transaction); ``sort_key(row)``: one order for comparing."""

    key: str
    prefetch: str
    export: Callable[[ServiceItem], list[dict[str, Any]]]
    check: Callable[[Any, Any, str], list[dict[str, Any]]]
    apply: Callable[[ServiceItem, list[dict[str, Any]]], None]
    sort_key: Callable[[dict[str, Any]], Any]


_SECTIONS: dict[str, ItemSection] = {}


def register_item_section(section: ItemSection) -> None:
    """Add ``section`` to the format (idempotent for the same key, e.g. on autoreload)."""
    _SECTIONS[section.key] = section


def item_sections() -> tuple[ItemSection, ...]:
    return tuple(_SECTIONS.values())


class CatalogueImportInvalid(Invalid):
    """The file has problems; nothing was changed. ``problems`` are ``"path: message"`` lines."""

    default_message = _("The catalogue file has problems; nothing was imported.")

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(fields={"file": problems})


# --- Export ---------------------------------------------------------------------------------


def _item_export_entry(item: ServiceItem) -> dict[str, Any]:
    departments = sorted(item.departments.all(), key=lambda d: (d.position, d.pk))
    materials = sorted(item.materials.all(), key=lambda m: (m.position, m.pk))
    fields = sorted(item.form_fields.all(), key=lambda f: (f.position, f.pk))
    entry = item_entry(item)
    entry["status"] = item.status
    entry["popularity"] = item.popularity
    entry["departments"] = [department_entry(d) for d in departments]
    entry["materials"] = []
    for m in materials:
        row = material_entry(m)
        del row["id"]
        entry["materials"].append(row)
    entry["form_fields"] = [form_field_entry(f) for f in fields]
    for section in item_sections():
        entry[section.key] = section.export(item)
    return entry


def _items_with_rows():
    return (
        ServiceItem.objects.select_related("region", "lead_department")
        .prefetch_related(
            models.Prefetch(
                "departments", queryset=ItemDepartment.objects.select_related("department")
            ),
            "materials__departments",
            "form_fields",
            *(section.prefetch for section in item_sections()),
        )
        .order_by("code")
    )


def catalogue_export(*, codes: list[str] | None = None) -> dict[str, Any]:
    """The whole catalogue (or the items with the given codes) as the exchange format, every
    status included. A constant number of queries."""
    items = _items_with_rows()
    if codes:
        items = items.filter(code__in=codes)
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": timezone.localtime().isoformat(timespec="seconds"),
        "items": [_item_export_entry(item) for item in items],
    }


# --- Import: checking -----------------------------------------------------------------------


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Region and department codes written, by "regions.created", "departments.updated", …
    structure: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> str:
        return _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged") % {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
        }


@dataclass
class _Entry:
    """One item of the file after checking: canonical values, ready to compare and apply."""

    index: int
    item: dict[str, Any]  # item fields; region and lead_department as codes
    status: str
    popularity: int
    departments: list[dict[str, Any]]
    materials: list[dict[str, Any]]
    form_fields: list[dict[str, Any]]
    # Registered sections present in the entry: key → canonical rows.
    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.item["code"]

    def comparable(self) -> dict[str, Any]:
        return _comparable(
            {
                **self.item,
                "status": self.status,
                "popularity": self.popularity,
                "departments": self.departments,
                "materials": self.materials,
                "form_fields": self.form_fields,
                **self.sections,
            }
        )


def _comparable(entry: dict[str, Any]) -> dict[str, Any]:
    """Drop what import ignores and put rows in one order, so two entries compare equal exactly
    when importing one over the other would change nothing."""
    out = {k: v for k, v in entry.items() if k not in _INFORMATIONAL_ITEM_KEYS}
    out["departments"] = sorted(
        ({k: v for k, v in row.items() if k != "name"} for row in entry["departments"]),
        key=lambda r: (r["position"], r["code"], r["role"]),
    )
    out["materials"] = sorted(
        ({**row, "departments": sorted(row["departments"])} for row in entry["materials"]),
        key=lambda r: (r["position"], r["name"]),
    )
    out["form_fields"] = sorted(entry["form_fields"], key=lambda r: (r["position"], r["name"]))
    for section in item_sections():
        if section.key in entry:
            out[section.key] = sorted(entry[section.key], key=section.sort_key)
    return out


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.regions = {r.code: r for r in Region.objects.all()}
        self.departments = {d.code: d for d in Department.objects.all()}

    def add(self, path: str, message: Any) -> None:
        self.problems.append(f"{path}: {message}")

    def clean_fields(
        self, model: type[models.Model], names: list[str], raw: dict, path: str
    ) -> dict[str, Any]:
        """Each named model field from ``raw`` (or its default) through the field's own
        validation; problems are recorded under ``path.<name>``."""
        out: dict[str, Any] = {}
        for name in names:
            model_field = model._meta.get_field(name)
            if name in raw:
                value = raw[name]
            elif model_field.has_default():
                value = model_field.get_default()
            elif model_field.null:
                value = None
            elif model_field.blank:
                value = ""
            else:
                self.add(f"{path}.{name}", _("This key is required."))
                continue
            if isinstance(model_field, models.FileField):
                out[name] = value if isinstance(value, str) else ""
                continue
            if isinstance(value, str) and not isinstance(
                model_field, models.CharField | models.TextField | models.JSONField
            ):
                # Numbers and booleans are JSON numbers and booleans, not strings.
                self.add(f"{path}.{name}", _("Give a JSON number or boolean, not text."))
                continue
            try:
                out[name] = model_field.clean(value, None)
            except ValidationError as exc:
                for message in exc.messages:
                    self.add(f"{path}.{name}", message)
        return out

    def unknown_keys(self, raw: dict, allowed: set[str], path: str) -> None:
        for key in sorted(set(raw) - allowed):
            self.add(f"{path}.{key}", _("Unknown key."))

    def department_code(self, value: Any, path: str) -> str | None:
        if not isinstance(value, str) or not value:
            self.add(path, _("Give a department code."))
            return None
        if value not in self.departments:
            self.add(path, _("No department has the code “%(code)s”.") % {"code": value})
            return None
        return value

    def rows(self, raw: Any, path: str) -> list[dict]:
        if raw is None:
            return []
        if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
            self.add(path, _("Give a list of objects."))
            return []
        return raw

    def entry(self, index: int, raw: Any) -> _Entry | None:
        path = f"items[{index}]"
        if not isinstance(raw, dict):
            self.add(path, _("Each item is an object."))
            return None
        before = len(self.problems)
        item_fields = [n for n in item_config_fields() if n not in ("region", "lead_department")]
        allowed = {
            *item_config_fields(),
            *_INFORMATIONAL_ITEM_KEYS,
            "status",
            "popularity",
            "departments",
            "materials",
            "form_fields",
            *(section.key for section in item_sections()),
        }
        self.unknown_keys(raw, allowed, path)
        item = self.clean_fields(ServiceItem, item_fields, raw, path)
        if isinstance(item.get("code"), str):
            item["code"] = item["code"].strip()
        region = raw.get("region")
        if not isinstance(region, str) or region not in self.regions:
            self.add(f"{path}.region", _("No region has the code “%(code)s”.") % {"code": region})
        item["region"] = region
        item["lead_department"] = self.department_code(
            raw.get("lead_department"), f"{path}.lead_department"
        )
        status = raw.get("status", ItemStatus.DRAFT)
        if status not in ItemStatus.values:
            self.add(
                f"{path}.status",
                _("The status is one of %(allowed)s.") % {"allowed": ", ".join(ItemStatus.values)},
            )
        popularity = self.clean_fields(ServiceItem, ["popularity"], raw, path).get("popularity", 0)

        departments = []
        for j, row in enumerate(self.rows(raw.get("departments"), f"{path}.departments")):
            row_path = f"{path}.departments[{j}]"
            self.unknown_keys(row, {"code", *_DEPARTMENT_ROW_FIELDS, "name"}, row_path)
            clean = self.clean_fields(ItemDepartment, _DEPARTMENT_ROW_FIELDS, row, row_path)
            clean["code"] = self.department_code(row.get("code"), f"{row_path}.code")
            departments.append(clean)

        materials = []
        for j, row in enumerate(self.rows(raw.get("materials"), f"{path}.materials")):
            row_path = f"{path}.materials[{j}]"
            self.unknown_keys(row, {*_MATERIAL_FIELDS, "departments", "id"}, row_path)
            clean = self.clean_fields(MaterialRequirement, _MATERIAL_FIELDS, row, row_path)
            codes = row.get("departments") or []
            if not isinstance(codes, list):
                self.add(f"{row_path}.departments", _("Give a list of department codes."))
                codes = []
            clean["departments"] = sorted(
                {
                    c
                    for k, c in enumerate(codes)
                    if self.department_code(c, f"{row_path}.departments[{k}]")
                }
            )
            materials.append(clean)

        form_fields = []
        for j, row in enumerate(self.rows(raw.get("form_fields"), f"{path}.form_fields")):
            row_path = f"{path}.form_fields[{j}]"
            self.unknown_keys(row, set(_FORM_FIELD_FIELDS), row_path)
            form_fields.append(self.clean_fields(FormField, _FORM_FIELD_FIELDS, row, row_path))

        sections = {
            section.key: section.check(self, raw[section.key], f"{path}.{section.key}")
            for section in item_sections()
            if section.key in raw
        }

        if len(self.problems) > before:
            return None  # the catalogue rules need well-formed values
        config = {
            "item": item,
            "departments": departments,
            "materials": materials,
            "form_fields": form_fields,
        }
        for problem in validate_item_config(config):
            where = (
                f"{path}.{problem.field}" if problem.section == "item" else f"{path}.{problem.path}"
            )
            self.add(where, problem.message)
        if len(self.problems) > before:
            return None
        return _Entry(
            index, item, status, popularity, departments, materials, form_fields, sections
        )


def _reachable(current: str, target: str) -> bool:
    seen, frontier = {current}, [current]
    while frontier:
        for nxt in ITEM_TRANSITIONS.get(frontier.pop(), set()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return target in seen


def catalogue_check(data: Any) -> list[_Entry]:
    """Check a parsed file completely; raise ``CatalogueImportInvalid`` listing every problem
    with its path (``items[2].departments[0].code: …``)."""
    return _check(data)[2]


def _check(data: Any) -> tuple[_Checker, Structure, list[_Entry]]:
    checker = _Checker()
    if not isinstance(data, dict):
        raise CatalogueImportInvalid([_("The file holds one JSON object.")])
    if data.get("format") != FORMAT_NAME:
        checker.add("format", _("The format is “%(name)s”.") % {"name": FORMAT_NAME})
    if data.get("version") != FORMAT_VERSION:
        checker.add(
            "version",
            _("This program reads version %(version)s of the format.")
            % {"version": FORMAT_VERSION},
        )
    structure = check_structure(checker, data)
    raw_items = data.get("items")
    if not isinstance(raw_items, list):
        checker.add("items", _("Give a list of items."))
        raw_items = []
    entries = [e for i, raw in enumerate(raw_items) if (e := checker.entry(i, raw)) is not None]

    first_index: dict[str, int] = {}
    for entry in entries:
        if entry.code in first_index:
            checker.add(
                f"items[{entry.index}].code",
                _("The code %(code)s is already used by items[%(first)s].")
                % {"code": entry.code, "first": first_index[entry.code]},
            )
        else:
            first_index[entry.code] = entry.index
    current = dict(ServiceItem.objects.filter(code__in=first_index).values_list("code", "status"))
    for entry in entries:
        was = current.get(entry.code)
        if was is not None and not _reachable(was, entry.status):
            checker.add(
                f"items[{entry.index}].status",
                _("The item is %(current)s in the catalogue and cannot become %(target)s.")
                % {
                    "current": ItemStatus(was).label,
                    "target": ItemStatus(entry.status).label,
                },
            )
    if checker.problems:
        raise CatalogueImportInvalid(checker.problems)
    return checker, structure, entries


# --- Import: applying -----------------------------------------------------------------------


def _apply(
    entry: _Entry, item: ServiceItem | None, depts: dict[str, Department], regions: dict
) -> ServiceItem:
    values = {k: v for k, v in entry.item.items() if k not in ("region", "lead_department")}
    if item is None:
        item = ServiceItem(**values)
    else:
        for key, value in values.items():
            setattr(item, key, value)
    item.region = regions[entry.item["region"]]
    item.lead_department = depts[entry.item["lead_department"]]
    item.popularity = entry.popularity
    item.save()

    keep = []
    existing = {
        (r.department.code, r.role): r for r in item.departments.select_related("department")
    }
    for row in entry.departments:
        obj = existing.get((row["code"], row["role"])) or ItemDepartment(
            item=item, department=depts[row["code"]]
        )
        for key in _DEPARTMENT_ROW_FIELDS:
            setattr(obj, key, row[key])
        obj.save()
        keep.append(obj.pk)
    item.departments.exclude(pk__in=keep).delete()

    keep = []
    existing_materials = {m.name: m for m in item.materials.all()}
    for row in entry.materials:
        obj = existing_materials.get(row["name"]) or MaterialRequirement(item=item)
        for key in _MATERIAL_FIELDS:
            setattr(obj, key, row[key])
        obj.save()
        obj.departments.set([depts[c] for c in row["departments"]])
        keep.append(obj.pk)
    item.materials.exclude(pk__in=keep).delete()

    keep = []
    existing_fields = {f.name: f for f in item.form_fields.all()}
    for row in entry.form_fields:
        obj = existing_fields.get(row["name"]) or FormField(item=item)
        for key in _FORM_FIELD_FIELDS:
            setattr(obj, key, row[key])
        obj.save()
        keep.append(obj.pk)
    item.form_fields.exclude(pk__in=keep).delete()

    for section in item_sections():
        if section.key in entry.sections:
            section.apply(item, entry.sections[section.key])
    return item


def _move(item: ServiceItem, target: str, actor: AbstractBaseUser | None) -> None:
    """Bring the item to ``target`` through the lifecycle services (publishing freezes a
    version; an unchanged configuration keeps its version)."""
    status = item.status
    if target == ItemStatus.DRAFT:
        return
    if status == ItemStatus.SUSPENDED and target == ItemStatus.PUBLISHED:
        item_resume(item=item, actor=actor)
        return
    if status in (ItemStatus.DRAFT, ItemStatus.PUBLISHED):
        item_publish(item=item, actor=actor)
    if target == ItemStatus.SUSPENDED and item.status == ItemStatus.PUBLISHED:
        item_suspend(item=item, actor=actor)
    elif target == ItemStatus.RETIRED and item.status != ItemStatus.RETIRED:
        item_retire(item=item, actor=actor)


@transaction.atomic
def catalogue_import(
    *, data: Any, actor: AbstractBaseUser | None = None, keep_popularity: bool = False
) -> ImportReport:
    """Import a parsed exchange file, all or nothing.

    Raises ``CatalogueImportInvalid`` (nothing changed) when any entry has a problem. Otherwise
    writes the file's regions and departments, then creates or updates each item
    (published/suspended/retired ones get a version through ``item_publish``) and reports the
    codes created, updated and unchanged. An item whose entry equals what the catalogue holds
    is not touched at all. With ``keep_popularity`` an item already in the catalogue keeps its
    popularity (the portal's counter, ``seed_demo`` uses it): the file's value only seeds new
    items.
    """
    checker, structure, entries = _check(data)
    report = ImportReport()
    report.structure = apply_structure(structure, checker.regions, checker.departments)
    current = {
        item.code: item
        for item in _items_with_rows()
        .filter(code__in=[e.code for e in entries])
        .select_for_update(of=("self",))
    }
    for entry in entries:
        item = current.get(entry.code)
        if item is not None and keep_popularity:
            entry.popularity = item.popularity
        held = _item_export_entry(item) if item is not None else None
        for section in item_sections():
            if held is not None and section.key not in entry.sections:
                del held[section.key]  # left out of the file: left as it is
        if held is not None and _comparable(held) == entry.comparable():
            report.unchanged.append(entry.code)
            continue
        item = _apply(entry, item, checker.departments, checker.regions)
        _move(item, entry.status, actor)
        (report.updated if entry.code in current else report.created).append(entry.code)
    return report
