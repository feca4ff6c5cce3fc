"""The optional ``regions`` and ``departments`` of a catalogue exchange file.

A region's catalogue refers to its divisions and departments by code; these two lists let one
file carry them too (the demo's ``permits/demo/catalogue.json`` does), so a catalogue can be
loaded into an empty database. ``permits.exchange`` checks them together with the items (all or
nothing) and applies them first. Rows are matched by code and created or updated; rows missing
from the file are left alone and nothing is ever deleted; a row equal to its entry is not saved.
A department's level is its region's. Parents are given by code and must be in the database or
earlier in the same list, so a file cannot describe a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from departments.models import Department, Region

REGION_FIELDS = ["code", "name", "level", "position"]
DEPARTMENT_FIELDS = ["code", "name", "short_name", "kind", "phone", "address", "is_active"]


@dataclass
class Structure:
    """The checked ``regions`` and ``departments``: model values, references as codes."""

    regions: list[dict[str, Any]] = field(default_factory=list)
    departments: list[dict[str, Any]] = field(default_factory=list)


def _code(raw: dict, key: str) -> Any:
    value = raw.get(key)
    return value.strip() if isinstance(value, str) else value


def _rows(checker: Any, data: dict, key: str, model: type[models.Model], names: list[str]):
    """Each entry of ``data[key]`` with its model fields cleaned, its code and its problems
    recorded; yields ``(path, raw, clean)`` for entries whose code is new to the file."""
    seen: dict[str, int] = {}
    for i, raw in enumerate(checker.rows(data.get(key), key)):
        path = f"{key}[{i}]"
        allowed = {*names, "parent", "region"} if model is Department else {*names, "parent"}
        checker.unknown_keys(raw, allowed, path)
        clean = checker.clean_fields(model, names, raw, path)
        code = clean.get("code")
        if isinstance(code, str) and code in seen:
            checker.add(
                f"{path}.code",
                _("The code %(code)s is already used by %(key)s[%(first)s].")
                % {"code": code, "key": key, "first": seen[code]},
            )
            continue
        if isinstance(code, str):
            seen[code] = i
        yield path, raw, clean


def _parent(checker: Any, raw: dict, path: str, known: dict, message: str) -> str | None:
    parent = _code(raw, "parent")
    if parent in (None, ""):
        return None
    if not isinstance(parent, str) or parent not in known:
        checker.add(f"{path}.parent", message % {"code": parent})
        return None
    return parent


def check_structure(checker: Any, data: dict) -> Structure:
    """Check the file's ``regions`` and ``departments`` with ``checker`` (the item checker of
    ``permits.exchange``, whose ``regions`` and ``departments`` hold what the database has).
    Their codes are then known to the checker, so the file's items may use them."""
    out = Structure()
    for path, raw, clean in _rows(checker, data, "regions", Region, REGION_FIELDS):
        clean["parent"] = _parent(
            checker, raw, path, checker.regions, _("No region has the code “%(code)s”.")
        )
        if "code" in clean:
            checker.regions.setdefault(clean["code"], None)
        out.regions.append(clean)
    for path, raw, clean in _rows(checker, data, "departments", Department, DEPARTMENT_FIELDS):
        region = _code(raw, "region")
        if not isinstance(region, str) or region not in checker.regions:
            message = _("No region has the code “%(code)s”.") % {"code": region}
            checker.add(f"{path}.region", message)
        clean["region"] = region
        clean["parent"] = _parent(
            checker, raw, path, checker.departments, _("No department has the code “%(code)s”.")
        )
        if "code" in clean:
            checker.departments.setdefault(clean["code"], None)
        out.departments.append(clean)
    _no_cycles(checker, "regions", out.regions, checker.regions)
    _no_cycles(checker, "departments", out.departments, checker.departments)
    return out


def _no_cycles(checker: Any, key: str, rows: list[dict], db: dict[str, Any]) -> None:
    """A parent earlier in the file cannot close a loop, but re-parenting a row of the
    database under one of its own descendants can: follow each new parent chain."""
    by_pk = {obj.pk: code for code, obj in db.items() if obj is not None}
    parent_of = {code: by_pk.get(obj.parent_id) for code, obj in db.items() if obj is not None}
    parent_of.update({row["code"]: row["parent"] for row in rows if "code" in row})
    for i, row in enumerate(rows):
        seen, code = set(), row.get("code")
        while code is not None and code not in seen:
            seen.add(code)
            code = parent_of.get(code)
        if code is not None and code == row.get("code"):
            checker.add(f"{key}[{i}].parent", _("A row cannot be its own ancestor."))


def _save(model: type[models.Model], rows: dict[str, Any], code: str, values: dict) -> str:
    """Create or update the row ``code`` of ``rows``; return ``created``/``updated``/``""``."""
    obj = rows.get(code)
    if obj is None:
        obj = model(code=code, **values)
        action = "created"
    elif any(getattr(obj, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(obj, name, value)
        action = "updated"
    else:
        return ""
    obj.save()
    rows[code] = obj
    return action


def apply_structure(
    structure: Structure, regions: dict[str, Any], departments: dict[str, Any]
) -> dict[str, list[str]]:
    """Write the checked rows. ``regions`` and ``departments`` map codes to the database rows
    (``None`` for a code the file introduces) and are filled in as rows are created.
    Returns the codes created and updated, by ``"regions.created"`` etc."""
    done: dict[str, list[str]] = {}
    for row in structure.regions:
        values = {k: v for k, v in row.items() if k not in ("code", "parent")}
        values["parent_id"] = regions[row["parent"]].pk if row["parent"] else None
        if action := _save(Region, regions, row["code"], values):
            done.setdefault(f"regions.{action}", []).append(row["code"])
    for row in structure.departments:
        region = regions[row["region"]]
        values = {k: v for k, v in row.items() if k not in ("code", "parent", "region")}
        values.update(
            region_id=region.pk,
            level=region.level,
            parent_id=departments[row["parent"]].pk if row["parent"] else None,
        )
        if action := _save(Department, departments, row["code"], values):
            done.setdefault(f"departments.{action}", []).append(row["code"])
    return done
