"""An event's check-in poster: A4, Georgian and English, the title and time, a QR code per
channel whose link opens the bot and checks the person in (bot/services/checkin.py).

The QR codes are drawn by segno (pure Python); Georgian needs the embedded DejaVu Sans.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

import segno
from fpdf import FPDF

from bot.exports.booklet import ACCENT, FAMILY, FONTS
from bot.i18n import N_, translator
from bot.services.checkin import CODE_PREFIX
from bot.services.event_text import event_place, event_title, event_when
from storage.models_events import Event

TELEGRAM = "Telegram"
MESSENGER = "Messenger"


@dataclass(frozen=True)
class PosterLink:
    """One channel's check-in link."""

    channel: str
    url: str


def checkin_links(event: Event, *, telegram_username: str | None,
                  messenger_page: str | None) -> list[PosterLink]:
    """The event's check-in links for the channels whose name is known (Telegram first)."""
    start = quote(f"{CODE_PREFIX}{event.checkin_code}", safe="")
    links = []
    if telegram_username:
        links.append(PosterLink(TELEGRAM, f"https://t.me/{telegram_username}?start={start}"))
    if messenger_page:
        links.append(PosterLink(MESSENGER, f"https://m.me/{messenger_page}?ref={start}"))
    return links


def build_poster(event: Event, links: list[PosterLink], *, tz: ZoneInfo,
                 generated: datetime) -> bytes:
    """The poster as PDF bytes (one A4 page)."""
    if not links:
        raise ValueError("a poster needs at least one link")
    ka, en = translator("ka"), translator("en")
    pdf = FPDF(format="A4")
    pdf.set_title(f"{event_title(event, 'ka')} — check-in")
    pdf.set_author(ka(N_("Imereti Regional Hub")))
    pdf.set_creation_date(generated)
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = pdf.w - 2 * pdf.l_margin

    def line(text: str, size: float, *, bold: bool = False, colour: tuple[int, int, int] = (0, 0, 0),
             gap: float = 2) -> None:
        pdf.set_font(FAMILY, "B" if bold else "", size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(width, size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    pdf.set_y(18)
    line(ka(N_("Check in here")) + " · " + en(N_("Check in here")), 26, bold=True,
         colour=ACCENT, gap=6)
    line(event_title(event, "ka"), 20, bold=True)
    if event.title_en and event.title_en != event.title_ka:
        line(event.title_en, 16, bold=True, gap=4)
    line(event_when(event, "ka", tz), 14)
    line(event_when(event, "en", tz), 12, colour=(80, 80, 80))
    place = event_place(event, "ka")
    if place:
        line(place, 12, colour=(80, 80, 80), gap=6)

    size = 120 if len(links) == 1 else 80
    top = pdf.get_y() + 4
    gap = (pdf.w - len(links) * size) / (len(links) + 1)
    for i, link in enumerate(links):
        qr = segno.make(link.url, error="m")
        png = io.BytesIO()
        qr.save(png, kind="png", scale=10, border=2)
        png.seek(0)
        x = gap + i * (size + gap)
        pdf.image(png, x=x, y=top, w=size, h=size)
        pdf.set_xy(x, top + size + 2)
        pdf.set_font(FAMILY, "B", 14)
        pdf.set_text_color(*ACCENT)
        pdf.cell(size, 7, link.channel, align="C")
        pdf.set_xy(x - gap / 2 + 2, top + size + 10)
        pdf.set_font(FAMILY, "", 8)
        pdf.set_text_color(60, 60, 60)
        pdf.multi_cell(size + gap - 4, 4, link.url, align="C")

    pdf.set_y(-48)
    line(ka(N_("Scan the code with your phone's camera and open the chat: it checks you in. "
               "Check-in works on the day of the event.")), 11)
    line(en(N_("Scan the code with your phone's camera and open the chat: it checks you in. "
               "Check-in works on the day of the event.")), 10, colour=(80, 80, 80))
    return bytes(pdf.output())
