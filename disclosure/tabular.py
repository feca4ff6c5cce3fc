"""CSV cells a spreadsheet will not run as formulas (CSV injection, OWASP).

A stand-in with the names the project-wide ``onestop/tabular.py`` (being written for the
visits/statistics exports) is to have: ``neutralise_cell`` and ``write_csv``. When that module
lands, this one should be replaced by an import of it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO, Any

# A cell starting with one of these is read as a formula by Excel, LibreOffice or Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """Numbers stay numbers; text starting like a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(out: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a header and rows, every cell neutralised."""
    writer = csv.writer(out)
    writer.writerow([neutralise_cell(h) for h in header])
    for row in rows:
        writer.writerow([neutralise_cell(cell) for cell in row])
