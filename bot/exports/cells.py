"""Spreadsheet cells that stay text: no formula ever comes from what people typed.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel and
LibreOffice as a formula (`=HYPERLINK(…)` in an organisation's name would become a live link).
CSV has no cell types, so such text gets a leading apostrophe, the spreadsheets' own "this is
text" mark. XLSX has cell types: such text is stored as a string cell with the "quote prefix"
style, so it shows exactly as typed, is never evaluated, and stays text if staff edit the cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(value: object) -> bool:
    """True for text a spreadsheet would take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: str) -> str:
    """The text as a CSV cell: an apostrophe before anything that looks like a formula."""
    return f"'{value}" if starts_like_formula(value) else value


def to_csv(table: Sequence[Sequence[str]]) -> str:
    """Rows as CSV text, every cell inert."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        [csv_cell(value) for value in row] for row in table)
    return buffer.getvalue()


def write_row(sheet: Worksheet, number: int, row: Sequence[str]) -> None:
    """Write a row of text as row `number` of an XLSX sheet; nothing in it becomes a formula.

    Cells are addressed directly: `sheet.max_row` and `sheet[n]` scan every cell, which made
    appending rows quadratic."""
    for column, value in enumerate(row, start=1):
        inert(sheet.cell(row=number, column=column, value=value))


def inert(cell: Cell) -> None:
    """Make a cell holding formula-like text a plain string cell (shown as typed)."""
    if starts_like_formula(cell.value):
        cell.data_type = "s"  # openpyxl takes a leading "=" for a formula; it is text here
        cell.quotePrefix = True  # editing the cell in Excel keeps it text
