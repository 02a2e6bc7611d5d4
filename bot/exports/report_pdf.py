"""The donor report as PDF (fpdf2): each table with its bar chart beside or under it.

Built in a worker thread by its callers (it draws charts and lays out pages: seconds of CPU).
"""

from __future__ import annotations

import io

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from bot.exports.booklet import FAMILY, FONTS  # the same embedded font
from bot.exports.report_charts import bar_chart
from bot.services.report import Cell, Report, Table, figures

ACCENT = (31, 78, 121)
HEADINGS = FontFace(emphasis="BOLD", fill_color=(226, 234, 243))


class _Pages(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(120, 120, 120)
        self.cell(0, 6, f"{self.footer_text}    {self.page_no()}", align="C")
        self.set_text_color(0, 0, 0)


def _text(cell: Cell) -> str:
    if isinstance(cell, float):
        return f"{cell:.1f}"
    return str(cell)


def build_report_pdf(report: Report) -> bytes:
    """The report as PDF bytes."""
    pdf = _Pages(format="A4")
    pdf.set_title(report.title)
    pdf.set_author(report.title)
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.footer_text = f"{report.period} · {report.generated}"
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 16)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, 8, report.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FAMILY, size=11)
    pdf.cell(0, 7, report.period, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, size=9)
    pdf.multi_cell(0, 5, report.privacy_note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    section = ""
    for table in report.tables:
        if table.section != section:
            section = table.section
            if pdf.get_y() > pdf.h - 80:
                pdf.add_page()
            pdf.ln(4)
            pdf.set_font(FAMILY, "B", 14)
            pdf.set_text_color(*ACCENT)
            pdf.cell(0, 9, section, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_text_color(0, 0, 0)
        _table(pdf, table)
    return bytes(pdf.output())


def _table(pdf: FPDF, table: Table) -> None:
    chart = None
    if table.chart and table.rows:
        chart = bar_chart(figures(table), shown=[_text(row[1]) for row in table.rows])
    needed = 14 + 6 * (len(table.rows) + 1) + (0 if chart is None else 10 + 5 * len(table.rows))
    if pdf.get_y() + min(needed, 120) > pdf.h - 16:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 11)
    pdf.multi_cell(0, 6, table.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if table.note:
        pdf.set_font(FAMILY, size=8)
        pdf.multi_cell(0, 4.5, table.note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, size=8)
    if not table.rows:
        pdf.cell(0, 6, "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    figure_columns = len(table.columns) - 1
    # one figure: the chart beside the table; more: the table across the page, chart under it
    width = 95 if chart is not None and figure_columns == 1 else 180
    label_width = width - (25 if figure_columns == 1 else 28) * figure_columns
    widths = [label_width] + [(width - label_width) / figure_columns] * figure_columns
    top = pdf.get_y()
    with pdf.table(width=width, col_widths=widths, align="LEFT", line_height=5,
                   text_align=["LEFT"] + ["RIGHT"] * figure_columns,
                   headings_style=HEADINGS) as grid:
        heading = grid.row()
        for name in table.columns:
            heading.cell(name)
        for values in table.rows:
            row = grid.row()
            for value in values:
                row.cell(_text(value))
    bottom = pdf.get_y()
    if chart is None:
        return
    image = io.BytesIO(chart)
    if width <= 95:  # beside the table
        pdf.image(image, x=pdf.l_margin + width + 3, y=top, w=180 - width - 3)
        pdf.set_y(max(bottom, pdf.get_y()))
    else:  # under it
        pdf.ln(2)
        pdf.image(image, w=120)
    pdf.ln(2)
