"""The donor report as a workbook (openpyxl): the same tables as the PDF, one per sheet."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from bot.exports.cells import inert
from bot.services.report import Cell, Report

BOLD = Font(bold=True)


def _put(sheet: Worksheet, number: int, values: Sequence[Cell], *, bold: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=number, column=column, value=value)
        inert(cell)
        if bold:
            cell.font = BOLD


def build_report_xlsx(report: Report) -> bytes:
    """The report as XLSX bytes: a first sheet naming the report, then one sheet per table
    (named by its key), with its title, note, column names and rows; numbers stay numbers,
    a hidden small count is the text "<3"."""
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "report"
    for number, line in enumerate((report.title, report.period, report.generated,
                                   report.privacy_note), start=1):
        _put(cover, number, [line], bold=number == 1)
    cover.column_dimensions["A"].width = 90
    for table in report.tables:
        sheet = book.create_sheet(table.key[:31])
        _put(sheet, 1, [f"{table.section}: {table.title}"], bold=True)
        number = 2
        if table.note:
            _put(sheet, number, [table.note])
            number += 1
        _put(sheet, number, table.columns, bold=True)
        for offset, values in enumerate(table.rows, start=1):
            _put(sheet, number + offset, values)
        sheet.column_dimensions["A"].width = 48
        for letter in "BCD":
            sheet.column_dimensions[letter].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
