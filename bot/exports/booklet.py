"""The printable information booklet: cover, contents, organisations by municipality (PDF).

Georgian needs a font that has it: DejaVu Sans is embedded (bot/assets/fonts, with its licence).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import TextStyle
from fpdf.outline import TableOfContents

from bot.i18n import N_, Translate, translator
from bot.services.org_catalog import (
    MUNICIPALITIES,
    area_label,
    legal_form_label,
    municipality_label,
)
from bot.services.org_validation import display_phone
from storage.models_orgs import Organisation

FONTS = Path(__file__).resolve().parent.parent / "assets" / "fonts"
FAMILY = "DejaVu"
ACCENT = (31, 78, 121)


class _Booklet(FPDF):
    """A4 pages with the embedded font and a footer: page number and date of generation."""

    footer_text = ""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        # (family, style, size) -> word -> width: measured once per booklet
        self.word_widths: dict[tuple[str, str, float], dict[str, float]] = {}

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(120, 120, 120)
        self.cell(0, 6, f"{self.footer_text}    {self.page_no()}", align="C")
        self.set_text_color(0, 0, 0)


def build_booklet(organisations: Sequence[Organisation], *, language: str,
                  generated: datetime) -> bytes:
    """The booklet of the given (approved, publicly listed) organisations as PDF bytes."""
    _ = translator(language)
    date = generated.strftime("%d.%m.%Y")
    pdf = _Booklet(format="A4")
    pdf.set_title(_(N_("Civil-society organisations of Imereti")))
    pdf.set_author(_(N_("Imereti Regional Hub")))
    pdf.set_creation_date(generated)
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.footer_text = _(N_("Generated on {date}")).format(date=date)
    pdf.set_auto_page_break(auto=True, margin=18)
    _cover(pdf, len(organisations), date, _)
    groups = _by_municipality(organisations)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 16)
    pdf.cell(0, 12, _(N_("Contents")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    toc = TableOfContents(text_style=TextStyle(font_family=FAMILY, font_size_pt=11))
    # Thirteen municipalities fit one page; the placeholder ends with a page break.
    pdf.insert_toc_placeholder(toc.render_toc, pages=1, allow_extra_pages=True)
    if not groups:
        pdf.set_font(FAMILY, size=11)
        pdf.multi_cell(0, 7, _(N_("No organisations are listed yet.")))
    for number, (key, members) in enumerate(groups):
        if number:
            pdf.add_page()
        pdf.set_font(FAMILY, "B", 16)
        pdf.set_text_color(*ACCENT)
        name = _(municipality_label(key))
        pdf.start_section(name)
        pdf.cell(0, 12, name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
        for organisation in members:
            _entry(pdf, organisation, _)
    return bytes(pdf.output())


def _cover(pdf: FPDF, count: int, date: str, _: Translate) -> None:
    pdf.add_page()
    pdf.set_y(70)
    pdf.set_text_color(*ACCENT)
    pdf.set_font(FAMILY, "B", 24)
    pdf.multi_cell(0, 12, _(N_("Civil-society organisations of Imereti")),
                   align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(6)
    pdf.set_font(FAMILY, size=14)
    pdf.multi_cell(0, 8, _(N_("Information booklet of the Imereti Regional Hub")),
                   align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(30)
    pdf.set_font(FAMILY, size=11)
    for line in (_(N_("LDA Georgia, Kutaisi, 111 Tsereteli St.")),
                 _(N_("Organisations listed: {count}")).format(count=count),
                 _(N_("Generated on {date}")).format(date=date)):
        pdf.cell(0, 7, line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _by_municipality(organisations: Sequence[Organisation]
                     ) -> list[tuple[str, list[Organisation]]]:
    order = {key: i for i, key in enumerate(MUNICIPALITIES)}
    groups: dict[str, list[Organisation]] = {}
    for organisation in organisations:
        groups.setdefault(organisation.municipality, []).append(organisation)
    return [(key, sorted(groups[key], key=lambda o: o.name_ka.casefold()))
            for key in sorted(groups, key=lambda k: order.get(k, len(order)))]


def _entry(pdf: _Booklet, organisation: Organisation, _: Translate) -> None:
    if pdf.will_page_break(40):
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 12)
    _paragraph(pdf, organisation.name_ka, 7)
    pdf.set_font(FAMILY, size=10)
    if organisation.name_en:
        _paragraph(pdf, organisation.name_en, 5.5)
    details = [
        _(legal_form_label(organisation.legal_form)),
        ", ".join(_(area_label(a)) for a in organisation.areas),
        organisation.description,
        "  ·  ".join(part for part in (display_phone(organisation.phone), organisation.email,
                                       organisation.website or "") if part),
    ]
    for line in details:
        if line:
            _paragraph(pdf, line, 5.5)
    pdf.set_draw_color(200, 200, 200)
    pdf.ln(2)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())


def _paragraph(pdf: _Booklet, text: str, height: float) -> None:
    """Left-aligned text wrapped at word boundaries, one `cell` per line.

    fpdf2's `multi_cell` re-measures the growing line at every character (quadratic in the
    line's length; 10 s for 1,000 entries); here each distinct word is measured once."""
    for line in _wrap(pdf, text, pdf.epw):
        pdf.cell(0, height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _wrap(pdf: _Booklet, text: str, width: float) -> list[str]:
    """Lines of `text` no wider than `width` in the current font (over-long words are cut)."""
    key = (pdf.font_family, pdf.font_style, pdf.font_size_pt)
    widths = pdf.word_widths.setdefault(key, {})

    def measure(piece: str) -> float:
        if piece not in widths:
            widths[piece] = pdf.get_string_width(piece)
        return widths[piece]

    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, used, space = "", 0.0, measure(" ")
        for word in paragraph.split(" "):
            size = measure(word)
            while size > width:  # a long URL: cut it where it stops fitting
                if line:
                    lines.append(line)
                    line, used = "", 0.0
                cut = max(1, next((i for i in range(1, len(word) + 1)
                                   if measure(word[:i]) > width), len(word) + 1) - 1)
                lines.append(word[:cut])
                word = word[cut:]
                size = measure(word)
            if line and used + space + size > width:
                lines.append(line)
                line, used = "", 0.0
            line, used = (f"{line} {word}", used + space + size) if line else (word, size)
        lines.append(line)
    return lines
