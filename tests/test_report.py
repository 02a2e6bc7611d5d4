"""The donor report: figures of a seeded month in the PDF's text, its charts, small counts shown
as "<3", Georgian and English, the workbook's sheets, `hubbot report`, and /report in the
staff chat."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from pathlib import Path

import aiohttp
from openpyxl import load_workbook
from pypdf import PdfReader

from bot.app import HubApp
from bot.services.report import period_of
from bot.services.report_files import report_document, span_period
from storage.models import FaqQuestion, Person
from storage.models_attendance import EventAttendance, EventFeedback
from storage.models_events import Event, EventRegistration
from storage.models_hotline import Ticket
from storage.models_orgs import APPROVED, Organisation
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.staff_chat import StaffMember
from tests.telegram_harness import TelegramHarness
from tests.test_cli import run

REPLY_HOURS = (1, 2, 3, 4, 30)  # five answered tickets in Kutaisi; two unanswered in Vani


async def seed_month(hub: HubApp) -> None:
    """This month: 7 tickets (median reply 3 h, p90 30 h, 4 of 7 within 24 h, ratings 4, 4,
    5), one training with 2 registrations of 2 people each, 4 present there (2 walk-ins) and 3
    ratings (4, 4, 5; 2 comments), 3 approved organisations in Kutaisi, 5 FAQ questions (4
    answered in English, 1 not in Georgian)."""
    start, _end = span_period("month", hub.settings)
    base = datetime.combine(start, time(2), tzinfo=hub.settings.tz)
    async with hub.session_factory() as session:
        people = [Person(channel="telegram", external_id=str(800 + i), chat_id=str(800 + i),
                         display_name=f"Nino Secret{i}", phone="+995555000111")
                  for i in range(7)]
        session.add_all(people)
        await session.flush()
        orgs = [Organisation(name_ka=f"ორგანიზაცია {i}", legal_form="nnle",
                             municipality="kutaisi", areas=["youth"], contact_name="Secret",
                             phone="+995555000111", email=f"o{i}@example.ge",
                             description="—", consent_store_at=base, status=APPROVED,
                             created_at=base) for i in range(3)]
        session.add_all(orgs)
        await session.flush()
        ratings = (4, 4, 5, None, None)
        for i, hours in enumerate(REPLY_HOURS):
            session.add(Ticket(person_id=people[i].id, channel="telegram", language="en",
                               topic="legal", municipality="kutaisi",
                               question="A very private question", created_at=base,
                               first_staff_reply_at=base + timedelta(hours=hours),
                               rating=ratings[i]))
        for i in (5, 6):
            session.add(Ticket(person_id=people[i].id, channel="telegram", language="ka",
                               topic="other", municipality="vani", question="Private",
                               created_at=base))
        event = Event(kind="training", title_ka="ტრენინგი", title_en="Training",
                      starts_at=base + timedelta(hours=30))
        session.add(event)
        await session.flush()
        for i in (0, 1):
            session.add(EventRegistration(event_id=event.id or 0, person_id=people[i].id or 0,
                                          organisation_id=orgs[i].id, participants=2,
                                          names=["Secret Name"]))
        for i in range(4):
            session.add(EventAttendance(event_id=event.id or 0, person_id=people[i].id or 0,
                                        walk_in=i >= 2, organisation_name="Secret Org"))
        for i, (stars, comment) in enumerate(((4, "Secret comment"), (4, None), (5, "Secret"))):
            session.add(EventFeedback(event_id=event.id or 0, person_id=people[i].id or 0,
                                      rating=stars, comment=comment))
        for i in range(4):
            session.add(FaqQuestion(person_id=people[i].id, language="en", query="Secret query",
                                    answer_id="office_location", created_at=base))
        session.add(FaqQuestion(person_id=people[4].id, language="ka", query="საიდუმლო",
                                created_at=base))
        await session.commit()


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def images(content: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(content)).pages)


async def _report(hub: HubApp, file_format: str, language: str) -> bytes:
    start, end = span_period("month", hub.settings)
    async with hub.session_factory() as session:
        document = await report_document(session, hub.settings, start=start, end=end,
                                         file_format=file_format, language=language)
    return document.content


async def test_pdf_shows_the_months_figures_with_charts_and_hides_small_counts(
        hub: HubApp) -> None:
    await seed_month(hub)
    content = await _report(hub, "pdf", "en")
    text = pdf_text(content)
    assert "Tickets opened 7" in text
    assert "Answered by staff 5" in text
    assert "Median time to the first staff reply, hours 3.0" in text
    assert "90th percentile of the time to the first staff reply, hours 30.0" in text
    assert "Answered within 24 hours, % of tickets 57.1" in text
    assert "Ratings given 3" in text and "Average rating (1–5) 4.3" in text
    assert "Kutaisi 5" in text
    assert "Vani <3" in text  # two tickets: hidden
    assert "Training 1 <3 4" in text  # one event, 2 registrations hidden, 4 participants
    # present 4, of them 2 walk-ins (hidden), 3 ratings averaging 4.3, 2 comments (hidden)
    assert "Training 4 <3 3 4.3 <3" in text
    assert "English 4 0" in text and "Georgian 0 <3" in text
    assert "Office address 4" in text  # the FAQ topic's title
    assert "Registered by the end of the period 3" in text
    for secret in ("Secret", "private", "+995", "საიდუმლო"):
        assert secret not in text
    assert images(content) >= 8  # a chart beside each table with rows


def test_periods_are_calendar_month_quarter_and_year() -> None:
    today = date(2026, 11, 15)
    assert period_of("month", today) == (date(2026, 11, 1), date(2026, 11, 30))
    assert period_of("quarter", today) == (date(2026, 10, 1), date(2026, 12, 31))
    assert period_of("year", today) == (date(2026, 1, 1), date(2026, 12, 31))
    assert period_of("month", date(2028, 2, 29)) == (date(2028, 2, 1), date(2028, 2, 29))
    assert period_of("quarter", date(2026, 3, 31)) == (date(2026, 1, 1), date(2026, 3, 31))


async def test_georgian_report(hub: HubApp) -> None:
    await seed_month(hub)
    text = pdf_text(await _report(hub, "pdf", "ka"))
    assert "იმერეთის რეგიონული ჰაბი: საქმიანობის ანგარიში" in text
    assert "გახსნილი მიმართვები 7" in text
    assert "ქუთაისი 5" in text


async def test_workbook_has_one_table_per_sheet(hub: HubApp) -> None:
    await seed_month(hub)
    book = load_workbook(io.BytesIO(await _report(hub, "xlsx", "en")))
    assert book.sheetnames[:4] == ["report", "hotline", "tickets_subject", "tickets_place"]
    for name in ("faq", "faq_topics", "events", "participants_place", "participants_type",
                 "organisations", "orgs_place", "orgs_area", "announcements"):
        assert name in book.sheetnames
    place = {row[0]: row[1] for row in book["tickets_place"].iter_rows(min_row=3,
                                                                       values_only=True)}
    assert place == {"Kutaisi": 5, "Vani": "<3"}
    hotline = {row[0]: row[1] for row in book["hotline"].iter_rows(min_row=3, values_only=True)}
    assert hotline["Tickets opened"] == 7 and hotline["Average rating (1–5)"] == 4.3


def test_command_line_writes_the_report(tmp_path: Path) -> None:
    done = run(["report", "--from", "2026-01-01", "--to", "2026-03-31", "--format", "xlsx",
                "--lang", "en", "-o", str(tmp_path / "r.xlsx")], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout
    assert "tickets_month" in load_workbook(tmp_path / "r.xlsx").sheetnames
    backwards = run(["report", "--from", "2026-03-01", "--to", "2026-01-01", "--format", "pdf"],
                    tmp_path)
    assert backwards.returncode == 2 and "before" in backwards.stderr


async def _download(api: FakeTelegramAPI, file_id: str) -> bytes:
    async with aiohttp.ClientSession() as client:
        async with client.post(f"{api.base_url}{api.token}/getFile",
                               json={"file_id": file_id}) as answer:
            path = (await answer.json())["result"]["file_path"]
        async with client.get(f"{api.base_file_url}{api.token}/{path}") as answer:
            return await answer.read()


async def test_report_month_in_the_staff_chat_sends_the_pdf(
        staffed: TelegramHarness, telegram_api: FakeTelegramAPI) -> None:
    assert staffed.hub is not None
    await seed_month(staffed.hub)
    staff = StaffMember(telegram_api)
    await staff.says("/report week", "Use: /report month, /report quarter or /report year.")
    before = len(telegram_api.sent_messages(staff.chat_id))
    staff.write("/report month")
    # at once: it is coming; then, from the outbox worker, the period and the document
    preparing, said, message = (await telegram_api.wait_for_messages(
        staff.chat_id, before + 3, timeout=60))[before:before + 3]
    assert preparing["text"].startswith("Preparing the activity report for 01.")
    assert said["text"].startswith("Activity report, 01.")  # staff_harness: English
    assert message["document"]["file_name"].endswith(".pdf")
    content = await _download(telegram_api, message["document"]["file_id"])
    text = pdf_text(content)
    assert "Tickets opened 7" in text and "Vani <3" in text  # in the staff language
    assert images(content) >= 8
