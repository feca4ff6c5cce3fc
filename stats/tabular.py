"""Tables out as CSV and xlsx, with formula injection neutralised (a cell a spreadsheet would
read as a formula — starting ``=``, ``+``, ``-``, ``@``, a tab or a carriage return — gets a
leading apostrophe). The same names as ``onestop/tabular.py`` (being written by the ``visits``
work); the lead folds the two into one."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """Numbers, dates and None pass unchanged; a string a spreadsheet would run is prefixed
    with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a BOM (Excel opens Chinese CSV correctly only with it)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([neutralise_cell(str(h)) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def write_xlsx(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, title: str = "") -> bytes:
    """One sheet; every string cell neutralised and stored as text (never as a formula)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=(title or "Sheet1")[:31])
    sheet.append([str(neutralise_cell(str(h))) for h in header])
    for row in rows:
        sheet.append([_xlsx_value(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    # neutralised, a string never starts with "=", which openpyxl would store as a formula
    return str(neutralise_cell(str(value)))
