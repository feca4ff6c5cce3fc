"""An item's configuration as plain data, and the rules it must satisfy.

One format serves three purposes: the snapshot frozen into an ``ItemVersion``, the item entries
of the catalogue exchange file (``docs/catalogue-format.md``) and the input of the validator
that the admin, publishing and import all run. So a rule is written once and holds everywhere.

The configuration (``ItemVersion.snapshot``; ``SNAPSHOT_FORMAT`` = 1)::

    {
      "format": 1,
      "item": {
        "code", "name", "keywords", "category", "audience", "service_model",
        "region": "<region code>", "region_name",
        "lead_department": "<department code>", "lead_department_name",
        "legal_days", "promised_days", "online_depth", "onsite_inspection",
        "window_acceptance", "allows_anonymous", "deemed_approval_allowed", "is_free", "fees",
        "legal_basis", "conditions", "procedure", "result_name", "result_validity_months",
        "max_visits", "consult_mode", "enquiry_phone", "complaint_phone", "service_location",
        "service_hours"                      # every configurable field of ServiceItem
      },
      "departments": [                       # ordered by position
        {"code", "name", "role": "lead|parallel|consult|dispatch", "position", "duty",
         "time_limit_days", "time_limit_unit": "working_day|calendar_day",
         "stages": ["undertake", ("check",) ("sign")], "timeout_policy": "escalate|deemed_approval"}
      ],
      "materials": [                         # ordered by position
        {"id": <MaterialRequirement id>, "name", "description", "required", "tolerable",
         "accepted_types": ["pdf", ...], "max_size": <bytes>, "copies", "source",
         "sample": "<storage name or ''>", "position", "departments": ["<department code>", ...]}
      ],
      "form_fields": [                       # ordered by position
        {"name", "label", "type", "required", "choices", "validation", "help_text", "position"}
      ]
    }

Keys are only ever added (with ``format`` raised when a meaning changes), never renamed, so code
reading old versions keeps working. Status, popularity and timestamps are not configuration and
are not in the snapshot.
"""

from __future__ import annotations

from typing import Any

from permits.itemrules import (  # noqa: F401 - the rules, named here for the callers
    LEGAL_BASIS_REQUIRED,
    STAGE_ORDER,
    Problem,
    accepted_types_problem,
    problems_by_path,
    stages_problem,
    validate_departments,
    validate_form_fields,
    validate_item_config,
    validate_item_fields,
    validate_materials,
)
from permits.models import FormField, ItemDepartment, MaterialRequirement, ServiceItem

SNAPSHOT_FORMAT = 1

# ServiceItem fields that are state or derived, not configuration.
_NOT_CONFIGURATION = {
    "id",
    "search_text",
    "status",
    "popularity",
    "current_version",
    "created_at",
    "updated_at",
}


def item_config_fields() -> list[str]:
    """The ServiceItem fields in ``config["item"]``, in model order (FKs by their name)."""
    return [f.name for f in ServiceItem._meta.concrete_fields if f.name not in _NOT_CONFIGURATION]


# --- Building the configuration -------------------------------------------------------------


def department_entry(row: ItemDepartment) -> dict[str, Any]:
    return {
        "code": row.department.code,
        "name": row.department.name,
        "role": row.role,
        "position": row.position,
        "duty": row.duty,
        "time_limit_days": row.time_limit_days,
        "time_limit_unit": row.time_limit_unit,
        "stages": list(row.stages or []),
        "timeout_policy": row.timeout_policy,
    }


def material_entry(material: MaterialRequirement) -> dict[str, Any]:
    return {
        "id": material.pk,
        "name": material.name,
        "description": material.description,
        "required": material.required,
        "tolerable": material.tolerable,
        "accepted_types": list(material.accepted_types or []),
        "max_size": material.max_size,
        "copies": material.copies,
        "source": material.source,
        "sample": material.sample.name or "",
        "position": material.position,
        "departments": sorted(d.code for d in material.departments.all()),
    }


def form_field_entry(field: FormField) -> dict[str, Any]:
    return {
        "name": field.name,
        "label": field.label,
        "type": field.type,
        "required": field.required,
        "choices": field.choices if field.choices is not None else [],
        "validation": field.validation if field.validation is not None else {},
        "help_text": field.help_text,
        "position": field.position,
    }


def item_entry(item: ServiceItem) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in item_config_fields():
        if name == "region":
            out["region"] = item.region.code
            out["region_name"] = item.region.name
        elif name == "lead_department":
            out["lead_department"] = item.lead_department.code
            out["lead_department_name"] = item.lead_department.name
        else:
            out[name] = getattr(item, name)
    return out


def item_config(item: ServiceItem) -> dict[str, Any]:
    """The item's current configuration read from the database (the snapshot format)."""
    departments = (
        ItemDepartment.objects.filter(item=item)
        .select_related("department")
        .order_by("position", "pk")
    )
    materials = (
        MaterialRequirement.objects.filter(item=item)
        .prefetch_related("departments")
        .order_by("position", "pk")
    )
    fields = FormField.objects.filter(item=item).order_by("position", "pk")
    item = ServiceItem.objects.select_related("region", "lead_department").get(pk=item.pk)
    return {
        "format": SNAPSHOT_FORMAT,
        "item": item_entry(item),
        "departments": [department_entry(d) for d in departments],
        "materials": [material_entry(m) for m in materials],
        "form_fields": [form_field_entry(f) for f in fields],
    }
