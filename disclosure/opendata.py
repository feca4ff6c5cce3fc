"""Open data: the public figures of 办件公示 as JSON and CSV downloads (docs/open-data.md).

The JSON document follows ``schemas/department-monthly.schema.json``; the CSV has the same
columns as the JSON rows, in that order, UTF-8 with a BOM (so Excel opens Chinese names), every
cell neutralised against formula injection.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.utils import timezone

from disclosure.publication import DepartmentMonth, add_months, department_month_figures
from onestop.reporting import ReplicaStatus
from onestop.tabular import write_csv

SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "department-monthly.schema.json"
COLUMNS = (
    "month",
    "region_code",
    "department_code",
    "department_name",
    "completed",
    "approved",
    "denied",
    "on_time",
    "on_time_share",
)


def row_dict(row: DepartmentMonth) -> dict[str, Any]:
    return {
        "month": row.month,
        "region_code": row.region_code,
        "department_code": row.department_code,
        "department_name": row.department_name,
        "completed": row.completed,
        "approved": row.approved,
        "denied": row.denied,
        "on_time": row.on_time,
        "on_time_share": row.on_time_share,
    }


def document(
    *, start: dt.datetime, end: dt.datetime, status: ReplicaStatus, rows=None
) -> dict[str, Any]:
    rows = department_month_figures(start=start, end=end) if rows is None else rows
    return {
        "dataset": "department-monthly",
        "version": 1,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "period": {"from": f"{start:%Y-%m}", "to": f"{add_months(end, -1):%Y-%m}"},
        "source": {"replica": status.replica, "lag_seconds": status.lag_seconds},
        "rows": [row_dict(r) for r in rows],
    }


def as_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1)


def as_csv(rows: list[DepartmentMonth]) -> str:
    return write_csv(([row_dict(r)[c] for c in COLUMNS] for r in rows), COLUMNS).decode("utf-8")


def schema_text() -> str:
    return SCHEMA_FILE.read_text(encoding="utf-8")
