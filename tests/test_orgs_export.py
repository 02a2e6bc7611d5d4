"""`hubbot orgs`: a registration through Telegram shows up in the export; approval is told;
the booklet PDF carries Georgian names; XLSX has every field."""

from __future__ import annotations

import asyncio
import io
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from bot.app import HubApp
from storage.models_orgs import APPROVED, PENDING, REJECTED, Organisation
from tests.telegram_harness import TelegramHarness
from tests.test_register import USER, _fill_after_code, _fill_to_code

ROOT = Path(__file__).resolve().parent.parent


async def hubbot(args: list[str], database_url: str, cwd: Path, **env: str) -> tuple[int, str, str]:
    """Run `hubbot` as a separate process without blocking this test's event loop."""
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TELEGRAM_", "HUB_", "DATABASE_", "STAFF_"))}
    environment |= {"DATABASE_URL": database_url, "LANG": "C.UTF-8"} | env
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, cwd=cwd, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def _organisation(name: str, municipality: str, *, code: str | None, status: str = APPROVED,
                  public: bool = True, name_en: str | None = None) -> Organisation:
    now = datetime.now(UTC)
    return Organisation(name_ka=name, name_en=name_en, legal_form="nnle", id_code=code,
                        municipality=municipality, areas=["youth", "sp2"],
                        contact_name="ნინო ბერიძე", phone="+995555123456",
                        email="info@example.ge", website="https://example.ge",
                        description="ახალგაზრდების ჩართულობა ადგილობრივ ცხოვრებაში.",
                        consent_store_at=now, consent_public_at=now if public else None,
                        status=status)


async def _add(hub: HubApp, *organisations: Organisation) -> None:
    async with hub.session_factory() as session:
        session.add_all(organisations)
        await session.commit()


async def test_registered_organisation_is_exported_and_approval_is_told(
        telegram: TelegramHarness, tmp_path: Path) -> None:
    await _fill_to_code(telegram)
    review = await _fill_after_code(telegram, (await telegram.send(USER, "204567891"))[0])
    await telegram.press_label(USER, review, "✅ Send for review")
    url = telegram.settings.database_url

    code, out, err = await hubbot(["orgs", "export", "--format", "csv"], url, tmp_path)
    assert code == 0, err
    header, row = out.splitlines()
    assert header.startswith("id,status,name_ka")
    assert "204567891" in row and "ქუთაისის ახალგაზრდული ცენტრი" in row and PENDING in row

    code, out, err = await hubbot(["orgs", "list", "--status", "pending"], url, tmp_path)
    assert code == 0 and "204567891" in out

    before = len(telegram.api.sent_messages(USER))
    code, out, err = await hubbot(["orgs", "approve", "1"], url, tmp_path,
                                  TELEGRAM_BOT_TOKEN=telegram.api.token,
                                  TELEGRAM_API_BASE_URL=telegram.api.base_url)
    assert code == 0, err
    assert "approved" in out and "the person was told" in out
    [told] = (await telegram.api.wait_for_messages(USER, before + 1))[before:]
    assert "approved" in told["text"] and "/directory" in told["text"]

    code, out, err = await hubbot(["orgs", "reject", "1", "--reason", "Please add the code"],
                                  url, tmp_path)
    assert code == 0, err
    assert "was not told yet" in out  # no token: it waits in the outbox
    code, out, err = await hubbot(["orgs", "approve", "99"], url, tmp_path)
    assert code == 1 and "no organisation with id 99" in err


async def test_booklet_has_georgian_names_grouped_by_municipality(
        hub: HubApp, tmp_path: Path) -> None:
    await _add(hub,
               _organisation("ქუთაისის ახალგაზრდული ცენტრი", "kutaisi", code="204567891",
                             name_en="Kutaisi Youth Centre"),
               _organisation("ზესტაფონის ქალთა კავშირი", "zestaponi", code="204567892"),
               _organisation("ხონის სათემო ჯგუფი", "khoni", code=None),
               _organisation("დამალული ორგანიზაცია", "kutaisi", code="204567893", public=False),
               _organisation("უარყოფილი ორგანიზაცია", "vani", code="204567894",
                             status=REJECTED))
    output = tmp_path / "booklet.pdf"
    code, out, err = await hubbot(["orgs", "export", "--format", "pdf", "--output", str(output)],
                                  hub.settings.database_url, tmp_path)
    assert code == 0, err
    assert "3 organisations" in out
    reader = PdfReader(io.BytesIO(output.read_bytes()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for name in ("ქუთაისის ახალგაზრდული ცენტრი", "ზესტაფონის ქალთა კავშირი",
                 "ხონის სათემო ჯგუფი", "Kutaisi Youth Centre"):
        assert name in text
    assert "დამალული" not in text and "უარყოფილი" not in text
    assert datetime.now(hub.settings.tz).strftime("%d.%m.%Y") in text  # date of generation
    fonts = {str(font.get("/BaseFont")) for page in reader.pages
             for font in (page.get("/Resources") or {}).get("/Font", {}).values()
             for font in [font.get_object()]}
    assert any("DejaVu" in font for font in fonts)  # embedded, not a built-in font
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[:3] == ["ქუთაისი", "ზესტაფონი", "ხონი"]  # Kutaisi first, then HUB.md order


async def test_xlsx_lists_every_organisation_with_every_field(hub: HubApp, tmp_path: Path) -> None:
    await _add(hub, _organisation("ქუთაისის ახალგაზრდული ცენტრი", "kutaisi", code="204567891"),
               _organisation("დამალული ორგანიზაცია", "vani", code=None, public=False,
                             status=PENDING))
    output = tmp_path / "orgs.xlsx"
    code, out, err = await hubbot(["orgs", "export", "--format", "xlsx", "-o", str(output),
                                   "--lang", "en"], hub.settings.database_url, tmp_path)
    assert code == 0, err
    sheet = load_workbook(output).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    assert {"status", "id_code", "phone", "email", "description", "listed_publicly"} <= set(header)
    first = dict(zip(header, rows[1], strict=True))
    assert first["id_code"] == "204567891" and first["status"] == APPROVED
    assert first["municipality"] == "Kutaisi" and "Youth" in first["areas"]
    second = dict(zip(header, rows[2], strict=True))
    assert second["listed_publicly"] == "no" and second["id_code"] in (None, "")
