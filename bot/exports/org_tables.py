"""Every organisation with every field and its status, as CSV or XLSX rows for staff."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.exports import cells
from bot.i18n import N_, translator
from bot.services.org_catalog import area_label, legal_form_label, municipality_label
from storage.models_orgs import Organisation

COLUMNS = ("id", "status", "name_ka", "name_en", "legal_form", "id_code", "municipality",
           "areas", "contact_name", "phone", "email", "website", "description",
           "listed_publicly", "consent_store_at", "consent_public_at", "reject_reason",
           "created_at", "updated_at", "reviewed_at")

# Column titles people read (the console's downloads); the command line keeps the keys above.
TITLES = {
    "id": N_("Number"), "status": N_("Status"), "name_ka": N_("Name (Georgian)"),
    "name_en": N_("Name (English)"), "legal_form": N_("Legal form"),
    "id_code": N_("Identification code"), "municipality": N_("Municipality"),
    "areas": N_("Areas of work"), "contact_name": N_("Contact person"), "phone": N_("Phone"),
    "email": N_("E-mail"), "website": N_("Website"), "description": N_("Description"),
    "listed_publicly": N_("Listed publicly"), "consent_store_at": N_("Agreed to storage"),
    "consent_public_at": N_("Agreed to listing"), "reject_reason": N_("Reason for rejection"),
    "created_at": N_("Registered"), "updated_at": N_("Last changed"),
    "reviewed_at": N_("Reviewed"),
}
STATUS_LABELS = {"pending": N_("waiting for review"), "approved": N_("approved"),
                 "rejected": N_("rejected")}


def _moment(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""


def rows(organisations: Sequence[Organisation], *, language: str, tz: ZoneInfo,
         titled: bool = False) -> list[list[str]]:
    """A header row, then one row per organisation; choices named in `language`.

    `titled`: the header holds column titles in `language`, and status and yes/no are words in
    it too (for people); otherwise the header holds the stable keys of `COLUMNS` (for scripts).
    """
    _ = translator(language)
    table: list[list[str]] = [[_(TITLES[c]) for c in COLUMNS] if titled else list(COLUMNS)]
    yes, no = (_(N_("yes")), _(N_("no"))) if titled else ("yes", "no")
    for org in organisations:
        status = _(STATUS_LABELS.get(org.status, org.status)) if titled else org.status
        values = {
            "id": str(org.id), "status": status, "name_ka": org.name_ka,
            "name_en": org.name_en or "", "legal_form": _(legal_form_label(org.legal_form)),
            "id_code": org.id_code or "", "municipality": _(municipality_label(org.municipality)),
            "areas": "; ".join(_(area_label(a)) for a in org.areas),
            "contact_name": org.contact_name, "phone": org.phone, "email": org.email,
            "website": org.website or "", "description": org.description,
            "listed_publicly": yes if org.consent_public_at else no,
            "consent_store_at": _moment(org.consent_store_at, tz),
            "consent_public_at": _moment(org.consent_public_at, tz),
            "reject_reason": org.reject_reason or "",
            "created_at": _moment(org.created_at, tz), "updated_at": _moment(org.updated_at, tz),
            "reviewed_at": _moment(org.reviewed_at, tz),
        }
        table.append([values[column] for column in COLUMNS])
    return table


def to_csv(table: list[list[str]]) -> str:
    """The rows as CSV text (formula-like cells made inert)."""
    return cells.to_csv(table)


def to_xlsx(table: list[list[str]], *, title: str = "organisations") -> bytes:
    """The rows as an Excel workbook with a bold, frozen header; no cell is a formula."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for number, row in enumerate(table, start=1):
        cells.write_row(sheet, number, row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(table[0]):
        width = max([len(header)] + [min(len(row[index]), 60) for row in table[1:]])
        sheet.column_dimensions[get_column_letter(index + 1)].width = width + 2
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
