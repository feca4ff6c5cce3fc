"""Spreadsheet downloads neutralise formula injection (onestop.tabular): a text cell starting
with =, +, - or @ (or a tab or return) is written as text, in CSV and in xlsx alike."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl

from onestop.tabular import neutralise_cell, write_csv, write_xlsx

DANGEROUS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]


def test_text_that_starts_like_a_formula_gets_an_apostrophe():
    for text in [*DANGEROUS, "\r=1"]:
        assert neutralise_cell(text) == "'" + text
    assert neutralise_cell("满意") == "满意"
    assert neutralise_cell("a=b") == "a=b"
    assert neutralise_cell(None) == ""


def test_numbers_booleans_and_dates_stay_what_they_are():
    assert neutralise_cell(-5) == -5
    assert neutralise_cell(2.5) == 2.5
    assert neutralise_cell(Decimal("-1.5")) == Decimal("-1.5")
    assert neutralise_cell(True) is True
    assert neutralise_cell(date(2026, 12, 3)) == date(2026, 12, 3)


def test_csv_cells_are_neutralised_and_readable_as_utf8():
    data = write_csv([[t, 3] for t in DANGEROUS] + [["非常满意", -1]], ["text", "n"])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["text", "n"]
    assert [r[0] for r in rows[1:-1]] == ["'" + t for t in DANGEROUS]
    assert rows[-1] == ["非常满意", "-1"]


def test_xlsx_cells_are_text_never_formulas():
    data = write_xlsx([[t, 3] for t in DANGEROUS] + [["=1+1", None]], ["=head", "n"], title="t")
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert ws["A1"].value == "'=head"
    assert [ws.cell(row=i + 2, column=1).value for i in range(len(DANGEROUS))] == [
        "'" + t for t in DANGEROUS
    ]
    assert ws.cell(row=2, column=2).value == 3
