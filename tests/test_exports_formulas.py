"""Names people type never become live formulas in the CSV and XLSX files staff open."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from bot.app import HubApp
from tests.telegram_harness import TelegramHarness
from tests.test_events import _stored_event
from tests.test_orgs_export import _add, _organisation, hubbot

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2+3", "\t=1"]
ATTENDEE = 6301


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


async def test_organisation_names_are_inert_in_csv_and_xlsx(hub: HubApp, tmp_path: Path) -> None:
    await _add(hub, *[_organisation(name, "kutaisi", code=None, name_en=name)
                      for name in HOSTILE])
    url = hub.settings.database_url
    code, out, err = await hubbot(["orgs", "export", "--format", "csv"], url, tmp_path)
    assert code == 0, err
    rows = _csv_rows(out)
    assert [row["name_ka"] for row in rows] == [f"'{name}" for name in HOSTILE]
    assert all(row["name_en"] == row["name_ka"] for row in rows)
    assert rows[0]["phone"] == "'+995555123456"  # Excel would read +995… as a number
    assert rows[0]["contact_name"] == "ნინო ბერიძე"  # ordinary text is left alone

    output = tmp_path / "orgs.xlsx"
    code, out, err = await hubbot(["orgs", "export", "--format", "xlsx", "-o", str(output)],
                                  url, tmp_path)
    assert code == 0, err
    sheet = load_workbook(output).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    column = header.index("name_ka") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, len(HOSTILE) + 2)]
    # Stored as strings exactly as typed (no apostrophe to read around), never as formulas;
    # the quote prefix keeps them text when staff edit a cell.
    assert [c.value for c in cells] == HOSTILE
    assert [c.data_type for c in cells] == ["s"] * len(HOSTILE)
    assert all(c.quotePrefix for c in cells)
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


async def test_attendee_names_are_inert_in_the_csv(telegram: TelegramHarness,
                                                   tmp_path: Path) -> None:
    assert telegram.hub is not None
    event_id = await _stored_event(telegram.hub)
    who = {"first_name": HOSTILE[0]}
    [ask_count] = await telegram.press(ATTENDEE, f"ev:r:{event_id}", message_id=1, **who)
    [ask_names] = await telegram.press_label(ATTENDEE, ask_count, "2", **who)
    await telegram.send(ATTENDEE, "+1\n@SUM(A1)", expect=2, **who)

    output = tmp_path / "attendees.csv"
    code, out, err = await hubbot(["events", "attendees", str(event_id), "-o", str(output)],
                                  telegram.settings.database_url, tmp_path)
    assert code == 0, err
    [row] = _csv_rows(output.read_text(encoding="utf-8-sig"))
    assert row["person"] == f"'{HOSTILE[0]}"
    assert row["names"] == "'+1; @SUM(A1)"
    assert row["status"] == "confirmed"
