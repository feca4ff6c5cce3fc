"""``request_limits`` in the catalogue exchange format (``permits.exchange``, documented in
docs/catalogue-format.md): an item's own limits by request kind and urgency
(``RequestLimit``), exported with the item and imported with it. Registered from
``WorkflowConfig.ready()``: permits never imports workflow.

Each row is ``{"request_kind", "urgency", "amount", "unit"}``; ``urgency`` ``""`` means any
urgency. A (kind, urgency) pair appears once per item."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from permits.exchange import ItemSection, register_item_section
from permits.models import ServiceItem
from workflow.intake.models import RequestLimit

KEY = "request_limits"
FIELDS = ["request_kind", "urgency", "amount", "unit"]


def _export(item: ServiceItem) -> list[dict[str, Any]]:
    rows = sorted(item.request_limits.all(), key=lambda r: (r.request_kind, r.urgency))
    return [{name: getattr(row, name) for name in FIELDS} for row in rows]


def _check(checker: Any, raw: Any, path: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for index, row in enumerate(checker.rows(raw, path)):
        row_path = f"{path}[{index}]"
        checker.unknown_keys(row, set(FIELDS), row_path)
        clean = checker.clean_fields(RequestLimit, FIELDS, row, row_path)
        if len(clean) != len(FIELDS):
            continue
        pair = (clean["request_kind"], clean["urgency"])
        if pair in seen:
            checker.add(
                row_path,
                _("This request kind and urgency are already limited by %(path)s[%(first)s].")
                % {"path": path, "first": seen[pair]},
            )
            continue
        seen[pair] = index
        rows.append(clean)
    return rows


def _apply(item: ServiceItem, rows: list[dict[str, Any]]) -> None:
    keep = []
    for row in rows:
        obj, _created = RequestLimit.objects.update_or_create(
            item=item,
            request_kind=row["request_kind"],
            urgency=row["urgency"],
            defaults={"amount": row["amount"], "unit": row["unit"]},
        )
        keep.append(obj.pk)
    RequestLimit.objects.filter(item=item).exclude(pk__in=keep).delete()


def register() -> None:
    register_item_section(
        ItemSection(
            key=KEY,
            prefetch="request_limits",
            export=_export,
            check=_check,
            apply=_apply,
            sort_key=lambda r: (r["request_kind"], r["urgency"]),
        )
    )
