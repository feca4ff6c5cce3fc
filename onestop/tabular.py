"""Tables for people to open in a spreadsheet: CSV and xlsx files written from rows, every text
cell neutralised against formula injection (CSV/"DDE" injection, OWASP): a cell whose text
starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some spreadsheets
skip before reading the formula) gets a leading apostrophe, so the spreadsheet shows it as text
and never runs it. Numbers, booleans and dates stay what they are (a negative number is a
number, not a formula); ``None`` is an empty cell.

One module for every download of the project (ratings, statistics): use ``write_csv`` and
``write_xlsx``, or ``neutralise_cell`` for a writer of your own."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_KEPT = (bool, int, float, Decimal, date, datetime)


def neutralise_cell(value: Any) -> Any:
    """The value safe for a spreadsheet cell: text that a spreadsheet would read as a formula
    gets a leading apostrophe; numbers, booleans and dates are returned as they are; ``None``
    becomes ``""``; anything else becomes its text (neutralised)."""
    if value is None:
        return ""
    if isinstance(value, _KEPT):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _text(value: Any) -> str:
    value = neutralise_cell(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def write_csv(rows: Iterable[Sequence[Any]], headers: Sequence[str]) -> bytes:
    """A CSV file (UTF-8 with a byte-order mark, so that spreadsheets read the Chinese text;
    CRLF line ends) of ``headers`` then ``rows``, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_text(h) for h in headers])
    for row in rows:
        writer.writerow([_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(rows: Iterable[Sequence[Any]], headers: Sequence[str], *, title: str = "") -> bytes:
    """An xlsx workbook (openpyxl) of one sheet: ``headers`` (bold, frozen) then ``rows``, every
    cell neutralised (openpyxl itself would store a text starting with ``=`` as a formula).
    Time-zone-aware datetimes are written as their local wall-clock text (xlsx has no zones)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = (title or "Sheet1")[:31]
    ws.append([_text(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for row in rows:
        cells = []
        for v in row:
            v = neutralise_cell(v)
            if isinstance(v, datetime) and v.tzinfo is not None:
                v = v.isoformat()
            elif isinstance(v, Decimal):
                v = float(v)
            cells.append(v)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
