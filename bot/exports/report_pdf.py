"""The donor report as PDF (fpdf2): each table with its bar chart beside or under it.

Built in a worker thread by its callers (it draws charts and lays out pages: seconds of CPU).
"""

from __future__ import annotations

import io

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from bot.exports.booklet import FAMILY, FONTS  # the same embedded font
from bot.exports.report_charts import bar_chart, chart_height_mm
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
    figure_columns = len(table.columns) - 1
    drawn = table.chart and bool(table.rows)
    # one figure: the chart beside the table; more: the table across the page, chart under it
    width = 95 if drawn and figure_columns == 1 else 180
    chart_width = 180 - width - 3 if width < 180 else 120
    chart = bar_chart(figures(table), shown=[_text(row[1]) for row in table.rows],
                      width_mm=chart_width) if drawn else None
    rows_mm = 6 * (len(table.rows) + 1) + (8 if figure_columns > 1 else 0)  # a wrapped heading
    chart_mm = chart_height_mm(len(table.rows)) if chart is not None else 0.0
    needed = 14 + (max(rows_mm, chart_mm) if width < 180 else rows_mm + chart_mm + 4)
    if pdf.get_y() + needed > pdf.h - pdf.b_margin and needed < pdf.h - 40:
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
        pdf.image(image, x=pdf.l_margin + width + 3, y=top, w=chart_width)
        pdf.set_y(max(bottom, top + chart_mm))
    else:  # under it
        pdf.ln(2)
        if pdf.get_y() + chart_mm > pdf.h - pdf.b_margin:
            pdf.add_page()
        pdf.image(image, w=chart_width)
    pdf.ln(2)
