"""Open data: the published datasets (``disclosure.datasets``) as JSON and CSV downloads
(docs/open-data.md).

Each JSON document follows ``schemas/<name>.schema.json``: the same envelope for every dataset
(``dataset``, ``version``, ``generated_at``, ``period``, ``source``, ``rows``); the CSV has the
columns of the JSON rows, in that order, UTF-8 with a BOM (so Excel opens Chinese names), written
by ``onestop.tabular.write_csv`` (every text cell neutralised against formula injection).
"""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone

from disclosure.datasets import DATASETS, Dataset, Period
from onestop.reporting import ReplicaStatus
from onestop.tabular import write_csv

VERSION = 1
# The first dataset's columns (kept for the callers of the one-dataset version).
COLUMNS = DATASETS["department-monthly"].column_names


def get(name: str) -> Dataset | None:
    return DATASETS.get(name)


def document(
    dataset: Dataset, *, period: Period, status: ReplicaStatus, rows: list[dict] | None = None
) -> dict[str, Any]:
    rows = dataset.rows(period) if rows is None else rows
    return {
        "dataset": dataset.name,
        "version": VERSION,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "period": {"from": period.first, "to": period.last},
        "source": {"replica": status.replica, "lag_seconds": status.lag_seconds},
        "rows": rows,
    }


def as_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1)


def as_csv(dataset: Dataset, rows: list[dict]) -> bytes:
    names = dataset.column_names
    return write_csv(([row[c] for c in names] for row in rows), names)


def schema_text(dataset: Dataset) -> str:
    return dataset.schema_file.read_text(encoding="utf-8")
