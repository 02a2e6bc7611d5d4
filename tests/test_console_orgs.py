"""The console's organisations: review (the person told once), staff corrections that keep an
approved organisation listed, search, and downloads with titles in the console's language."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from playwright.async_api import Page
from sqlmodel import select

from bot.app import HubApp
from bot.exports.org_tables import rows
from bot.services import org_admin
from storage.models import Person
from storage.models_console import AuditEntry
from storage.models_orgs import APPROVED, PENDING, REJECTED, Organisation
from storage.models_outbox import OutboxMessage
from storage.repos.organisations import OrganisationRepo
from storage.uow import UnitOfWork
from tests.console_harness import ConsoleHarness
from tests.telegram_harness import wait_for_text
from tests.test_orgs_export import _add, _organisation

TZ = ZoneInfo("Asia/Tbilisi")
FORM = {"name_ka": "ქუთაისის ახალგაზრდული ცენტრი", "name_en": "Kutaisi Youth Centre",
        "legal_form": "nnle", "id_code": "204567891", "municipality": "kutaisi",
        "contact_name": "ნინო ბერიძე", "phone": "555 12 34 56", "email": "info@example.ge",
        "website": "example.ge", "description": "ახალგაზრდების ჩართულობა."}


async def _person(hub: HubApp, user: str = "7001", language: str = "en") -> Person:
    async with UnitOfWork(hub.database) as uow:
        person, _conversation, _new = await uow.people.seen(
            channel="telegram", external_id=user, chat_id=user, display_name="Nino",
            language=language)
        await uow.commit()
    return person


async def _outbox(hub: HubApp) -> list[OutboxMessage]:
    async with hub.session_factory() as session:
        return list((await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def _stored(hub: HubApp, organisation_id: int) -> Organisation:
    async with hub.session_factory() as session:
        found = await session.get(Organisation, organisation_id)
    assert found is not None
    return found


async def _pending_of(hub: HubApp, person: Person) -> int:
    organisation = _organisation("ქუთაისის ცენტრი", "kutaisi", code="204567891", status=PENDING)
    organisation.person_id = person.id
    await _add(hub, organisation)
    assert organisation.id is not None
    return organisation.id


async def test_approve_tells_the_person_once(hub: HubApp) -> None:
    person = await _person(hub)
    number = await _pending_of(hub, person)
    for _ in range(2):
        async with UnitOfWork(hub.database) as uow:
            outcome = await org_admin.approve(uow, number)
            await uow.commit()
        assert outcome is not None
    assert outcome.changed is False  # the second approval
    [notice] = await _outbox(hub)
    assert notice.chat_id == person.chat_id
    assert "approved the registration of ქუთაისის ცენტრი" in notice.payload["replies"][0]["text"]
    assert (await _stored(hub, number)).status == APPROVED


async def test_reject_tells_the_reason_in_the_persons_language(hub: HubApp) -> None:
    person = await _person(hub, language="ka")
    number = await _pending_of(hub, person)
    async with UnitOfWork(hub.database) as uow:
        with pytest.raises(ValueError):
            await org_admin.reject(uow, number, "   ")
    async with UnitOfWork(hub.database) as uow:
        await org_admin.reject(uow, number, "კოდი არასწორია")
        await uow.commit()
    [notice] = await _outbox(hub)
    text = notice.payload["replies"][0]["text"]
    assert "კოდი არასწორია" in text and "Reason" not in text  # Georgian, with the reason
    stored = await _stored(hub, number)
    assert (stored.status, stored.reject_reason) == (REJECTED, "კოდი არასწორია")


async def test_no_such_organisation(hub: HubApp) -> None:
    async with UnitOfWork(hub.database) as uow:
        assert await org_admin.approve(uow, 999) is None
        assert await org_admin.edit(uow, 999, org_admin.read_form(FORM, ["youth"])[0]) is None


def test_the_form_is_checked_by_the_registration_rules() -> None:
    clean, errors = org_admin.read_form(FORM, ["youth", "media", "no-such-area"])
    assert errors == {}
    assert clean["phone"] == "+995555123456" and clean["website"] == "https://example.ge"
    assert clean["areas"] == ["youth", "media"]
    bad = FORM | {"name_ka": " ", "phone": "12", "email": "info@", "id_code": "12345678901",
                  "municipality": "atlantis", "description": "x" * 501}
    _clean, errors = org_admin.read_form(bad, [])
    assert set(errors) == {"name_ka", "phone", "email", "id_code", "municipality",
                           "description", "areas"}
    assert "11 digits" in errors["id_code"].message
    # an informal group may have no code; a registered form may not
    assert "id_code" not in org_admin.read_form(FORM | {"legal_form": "informal",
                                                        "id_code": ""}, ["youth"])[1]
    assert "id_code" in org_admin.read_form(FORM | {"id_code": ""}, ["youth"])[1]


async def test_a_staff_edit_keeps_an_approved_organisation_listed(hub: HubApp) -> None:
    listed = _organisation("ძველი სახელი", "kutaisi", code="204567891")
    other = _organisation("სხვა", "zestafoni", code="204567892")
    await _add(hub, listed, other)
    assert listed.id is not None
    clean, errors = org_admin.read_form(FORM | {"name_ka": "ახალი სახელი"}, ["youth"])
    assert errors == {}
    async with UnitOfWork(hub.database) as uow:
        result = await org_admin.edit(uow, listed.id, clean)
        await uow.commit()
    assert result is not None and result[1] is True
    async with UnitOfWork(hub.database) as uow:
        public = await uow.repo(OrganisationRepo).public()
        assert [o.name_ka for o in public if o.id == listed.id] == ["ახალი სახელი"]
        assert (await org_admin.edit(uow, listed.id, clean))[1] is False  # type: ignore[index]
        with pytest.raises(org_admin.DuplicateCode):
            await org_admin.edit(uow, listed.id, clean | {"id_code": "204567892"})
    assert (await _stored(hub, listed.id)).status == APPROVED
    assert await _outbox(hub) == []  # a correction tells nobody


async def test_search_and_pages(hub: HubApp) -> None:
    await _add(hub, *[_organisation(f"ორგანიზაცია {n}", "kutaisi", code=f"2045678{n:02d}",
                                    status=PENDING if n % 2 else APPROVED)
                      for n in range(30)],
               _organisation("100%_ცენტრი", "tkibuli", code=None, name_en="Percent Centre"))
    async with UnitOfWork(hub.database) as uow:
        repo = uow.repo(OrganisationRepo)
        page, total = await repo.staff_page(status=PENDING, limit=10, oldest_first=True)
        assert total == 15 and [o.name_ka for o in page][:2] == ["ორგანიზაცია 1",
                                                                  "ორგანიზაცია 3"]
        page, total = await repo.staff_page(text="percent", limit=10)
        assert total == 1 and page[0].name_ka == "100%_ცენტრი"
        assert (await repo.staff_page(text="100%_"))[1] == 1
        assert (await repo.staff_page(text="0%"))[1] == 1  # % is a character, not a wildcard
        assert (await repo.staff_page(text="204567812"))[1] == 1
        page, total = await repo.staff_page(offset=25, limit=10)
        assert total == 31 and len(page) == 6
        assert await repo.status_counts() == {PENDING: 15, APPROVED: 16}


def test_titles_in_the_console_language() -> None:
    organisation = _organisation("ცენტრი", "kutaisi", code="204567891", status=PENDING)
    organisation.id = 4
    organisation.created_at = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    header, row = rows([organisation], language="ka", tz=TZ, titled=True)
    assert header[:3] == ["ნომერი", "სტატუსი", "ქართული დასახელება"]
    assert row[1] == "განხილვას ელოდება"
    english = rows([organisation], language="en", tz=TZ, titled=True)
    assert english[0][:3] == ["Number", "Status", "Name (Georgian)"]
    assert english[1][1] == "waiting for review"
    assert rows([organisation], language="ka", tz=TZ)[0][:3] == ["id", "status", "name_ka"]


# --- in a real browser, against the running bot and the stand-in Bot API ---------------------

PERSON = 7301


async def _registered_by_person(console: ConsoleHarness, name: str) -> int:
    """A pending registration by a person who has talked to the bot (the chat form that makes
    one is tested in test_org_registration; here it is the review that matters)."""
    await console.person.send(PERSON, "/start")
    async with console.hub.session_factory() as session:
        person = (await session.exec(select(Person).where(
            Person.external_id == str(PERSON)))).one()
    organisation = _organisation(name, "kutaisi", code="204567891", status=PENDING)
    organisation.person_id = person.id
    await _add(console.hub, organisation)
    assert organisation.id is not None
    return organisation.id


async def _open_from_queue(console: ConsoleHarness, page: Page, name: str) -> None:
    await page.get_by_role("link", name=console.ka("Organisations")).click()
    await page.get_by_role("link", name=f"{console.ka('Review queue')} (1)").wait_for()
    await page.get_by_role("link", name=name).click()
    await page.get_by_role("heading", name=name).wait_for()


async def test_approve_in_the_browser_and_the_person_is_told(console: ConsoleHarness) -> None:
    number = await _registered_by_person(console, "ქუთაისის ახალგაზრდული ცენტრი")
    page = await console.sign_in(name="Nino")
    await _open_from_queue(console, page, "ქუთაისის ახალგაზრდული ცენტრი")
    await page.get_by_role("button", name=console.ka("Approve")).click()
    await page.get_by_role("status").filter(has_text=console.ka(
        "Approved. The person who registered it is being told.")).wait_for()
    told = await wait_for_text(console.api, PERSON, "approved the registration of "
                                                    "ქუთაისის ახალგაზრდული ცენტრი", timeout=10)
    assert "/directory" in told["text"]  # it agreed to be listed
    assert await page.get_by_role("button", name=console.ka("Approve")).count() == 0
    # staff reviewing in Telegram see it too (the staff chat's language is English here)
    await wait_for_text(console.api, console.staff_chat, f"#{number} approved by Nino.")
    await page.get_by_role("link", name=console.ka("Audit log")).click()
    await page.get_by_role("row").filter(has_text="org.approve").filter(
        has_text=f"organisation #{number}").filter(has_text="Nino").wait_for()


async def test_reject_needs_a_reason_and_the_person_reads_it(console: ConsoleHarness) -> None:
    await _registered_by_person(console, "ზესტაფონის კავშირი")
    page = await console.sign_in(name="Nino")
    await _open_from_queue(console, page, "ზესტაფონის კავშირი")
    await page.get_by_role("button", name=console.ka("Reject")).click()
    await page.get_by_text(console.ka("Please write the reason; the person will read it.")
                           ).wait_for()
    await page.get_by_label(console.ka("Reason for rejection (the person will read it)")).fill(
        "The identification code belongs to another organisation.")
    await page.get_by_role("button", name=console.ka("Reject")).click()
    await page.get_by_role("status").filter(has_text=console.ka(
        "Rejected. The person who registered it is being told the reason.")).wait_for()
    told = await wait_for_text(console.api, PERSON, "could not approve the registration",
                               timeout=10)
    assert "Reason: The identification code belongs to another organisation." in told["text"]
    # The audit log says that a reason was given, not what it says (it is a message).
    await page.get_by_role("link", name=console.ka("Audit log")).click()
    row = page.get_by_role("row").filter(has_text="org.reject")
    assert "reason given (56 characters)" in await row.inner_text()
    assert "identification code" not in await page.content()
    async with console.hub.session_factory() as session:
        [entry] = (await session.exec(select(AuditEntry).where(
            AuditEntry.action == "org.reject"))).all()
    assert entry.details == "reason given (56 characters)"


async def test_edit_in_the_browser_keeps_it_listed(console: ConsoleHarness) -> None:
    listed = _organisation("ძველი სახელი", "kutaisi", code="204567891")
    await _add(console.hub, listed)
    page = await console.sign_in(name="Nino")
    await page.goto(f"/console/orgs/{listed.id}/edit")
    await page.get_by_label(console.ka("Phone")).fill("12")
    await page.get_by_role("button", name=console.ka("Save changes")).click()
    await page.get_by_text(console.ka("Please correct the fields marked below.")).wait_for()
    assert await page.get_by_label(console.ka("Phone")).input_value() == "12"  # kept as typed
    await page.get_by_label(console.ka("Name (Georgian)")).fill("ახალი სახელი")
    await page.get_by_label(console.ka("Phone")).fill("555 12 34 56")
    await page.get_by_role("button", name=console.ka("Save changes")).click()
    await page.get_by_role("heading", name="ახალი სახელი").wait_for()
    await page.get_by_text(console.ka("Listed in the directory and the booklet.")).wait_for()
    async with UnitOfWork(console.hub.database) as uow:
        [shown] = await uow.repo(OrganisationRepo).public()
    assert (shown.name_ka, shown.phone, shown.status) == ("ახალი სახელი", "+995555123456",
                                                          APPROVED)


async def test_downloads_arrive_as_files_with_titles_in_georgian(
        console: ConsoleHarness, tmp_path: Path) -> None:
    await _add(console.hub, _organisation("=HYPERLINK(\"x\")", "kutaisi", code="204567891"),
               _organisation("ხონის ცენტრი", "khoni", code=None, status=PENDING))
    page = await console.sign_in(name="Nino")
    await page.get_by_role("link", name=console.ka("Organisations")).click()
    async with page.expect_download() as info:
        await page.get_by_role("link", name=console.ka("Organisations (XLSX)")).click()
    download = await info.value
    assert re.fullmatch(r"organisations-\d{4}-\d\d-\d\d\.xlsx", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    await download.save_as(path)
    sheet = load_workbook(path).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["ნომერი", "სტატუსი", "ქართული დასახელება",
                          console.ka("Name (English)")]
    assert {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)} == {
        "=HYPERLINK(\"x\")", "ხონის ცენტრი"}  # every organisation; text stays text
    assert sheet["C2"].data_type == "s"

    csv_file = await page.request.get("/console/orgs/download/organisations.csv")
    assert csv_file.ok
    assert csv_file.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv_file.headers["content-disposition"].startswith("attachment; filename=")
    lines = (await csv_file.body()).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("ნომერი,სტატუსი,ქართული დასახელება")
    assert len(lines) == 3

    booklet = await page.request.get("/console/orgs/download/booklet.pdf")
    assert booklet.headers["content-type"] == "application/pdf"
    assert (await booklet.body()).startswith(b"%PDF")

    await page.get_by_role("link", name="English").click()
    english = await page.request.get("/console/orgs/download/organisations.csv")
    assert (await english.body()).decode("utf-8-sig").startswith("Number,Status,")


async def test_search_finds_by_code_across_statuses(console: ConsoleHarness) -> None:
    await _add(console.hub, _organisation("ვანის ცენტრი", "vani", code="204567891"),
               _organisation("ხონის ცენტრი", "khoni", code="204567892", status=REJECTED))
    page = await console.sign_in(name="Nino")
    await page.goto("/console/orgs?status=all")
    await page.get_by_label(console.ka("Search by name, code, contact, phone or e-mail")).fill(
        "204567892")
    await page.get_by_role("button", name=console.ka("Search")).click()
    await page.get_by_role("link", name="ხონის ცენტრი").wait_for()
    assert await page.get_by_role("link", name="ვანის ცენტრი").count() == 0
