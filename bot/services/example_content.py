"""Example content for a fresh database, so a newcomer sees the bot and the console working.

A few events (dates ahead of now), two organisations (one approved, one waiting for review) and
one ticket with a short conversation. Every visible text says it is an example ("მაგალითი —
…", "Example — …"), and every row is recorded in `example_record`, so `hubbot db
remove-examples` takes them all away again.

Rules: examples never go into a database that holds real data (any person, organisation, event
or ticket that is not an example); they are added at most once automatically (removing them does
not bring them back); automatically only on SQLite (a developer's fresh clone), on PostgreSQL
only when asked (`hubbot db add-examples`).
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.settings import Settings
from storage.engine import Database
from storage.models import Person, utcnow
from storage.models_events import (
    AUDIENCE_ANYONE,
    AUDIENCE_ORGANISATIONS,
    CONFIRMED,
    Event,
    EventRegistration,
)
from storage.models_examples import EVENT, ORGANISATION, PERSON, TICKET
from storage.models_hotline import Ticket, TicketMessage
from storage.models_orgs import APPROVED, PENDING, Organisation
from storage.repos.examples import ExampleRepo
from storage.repos.outbox import OutboxRepo
from storage.repos.privacy import ERASED_CHAT
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

MARK_KA = "მაგალითი — "
MARK_EN = "Example — "
EXAMPLE_CHANNEL = "telegram"  # shown like any Telegram person; never reached (no chat id)
EXAMPLE_ORG_EMAIL_DOMAIN = "example.org"  # reserved for examples: mail there reaches nobody


class Added(Enum):
    """What `add_examples` did."""

    ADDED = "added"
    ALREADY = "already"  # examples are in the database now: not added twice
    REAL_DATA = "real_data"  # the database holds real data: never


def _local(now: datetime, tz: ZoneInfo, days: int, hour: int, minute: int = 0) -> datetime:
    """`days` after today (in the hub's zone) at hour:minute, as an aware time."""
    day = now.astimezone(tz).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def _events(now: datetime, tz: ZoneInfo) -> list[Event]:
    return [
        Event(kind="forum",
              title_ka=MARK_KA + "სამოქალაქო ფორუმი: ადგილობრივი ბიუჯეტი",
              title_en=MARK_EN + "Civic forum: the local budget",
              description_ka="საჩვენებელი ღონისძიება: ასე გამოიყურება ფორუმი ბოტში და "
                             "კონსოლში. წაშლა: hubbot db remove-examples",
              description_en="A demonstration event: this is how a forum looks in the bot and "
                             "the console. Remove with: hubbot db remove-examples",
              starts_at=_local(now, tz, 5, 11), ends_at=_local(now, tz, 5, 14),
              municipality="kutaisi", address="ქუთაისი, წერეთლის ქ. 111 (მაგალითი)",
              capacity=40, deadline=_local(now, tz, 4, 18), audience=AUDIENCE_ANYONE),
        Event(kind="training",
              title_ka=MARK_KA + "ტრენინგი: საგრანტო განაცხადის წერა",
              title_en=MARK_EN + "Training: writing a grant application",
              description_ka="საჩვენებელი ტრენინგი ორგანიზაციებისთვის.",
              description_en="A demonstration training for organisations.",
              starts_at=_local(now, tz, 12, 10), ends_at=_local(now, tz, 12, 17),
              municipality="zestaponi", address="ზესტაფონი (მაგალითი)",
              capacity=20, audience=AUDIENCE_ORGANISATIONS),
        Event(kind="meeting",
              title_ka=MARK_KA + "ონლაინ შეხვედრა: მოხალისეობა",
              title_en=MARK_EN + "Online meeting: volunteering",
              description_ka="საჩვენებელი ონლაინ შეხვედრა, ადგილების შეზღუდვის გარეშე.",
              description_en="A demonstration online meeting with no seat limit.",
              starts_at=_local(now, tz, 19, 18), ends_at=_local(now, tz, 19, 19, 30),
              online_url="https://example.org/meeting", audience=AUDIENCE_ANYONE),
    ]


def _organisations(now: datetime) -> list[Organisation]:
    return [
        Organisation(name_ka=MARK_KA + "იმერეთის ახალგაზრდული ქსელი",
                     name_en=MARK_EN + "Imereti Youth Network", legal_form="informal",
                     municipality="kutaisi", areas=["youth", "education"],
                     contact_name=MARK_KA + "ნინო ბერიძე", phone="+995500000001",
                     email=f"youth@{EXAMPLE_ORG_EMAIL_DOMAIN}",
                     website=f"https://{EXAMPLE_ORG_EMAIL_DOMAIN}",
                     description="საჩვენებელი ორგანიზაცია (მაგალითი): ასე ჩანს დამტკიცებული "
                                 "ორგანიზაცია კატალოგში.",
                     consent_store_at=now, consent_public_at=now, status=APPROVED,
                     reviewed_at=now),
        Organisation(name_ka=MARK_KA + "ტყიბულის მწვანე ინიციატივა",
                     name_en=MARK_EN + "Tkibuli Green Initiative", legal_form="cbo",
                     municipality="tkibuli", areas=["environment"],
                     contact_name=MARK_KA + "გიორგი ლომიძე", phone="+995500000002",
                     email=f"green@{EXAMPLE_ORG_EMAIL_DOMAIN}",
                     description="საჩვენებელი ორგანიზაცია (მაგალითი), რომელიც განხილვას ელოდება.",
                     consent_store_at=now, consent_public_at=now, status=PENDING),
    ]


def _person(now: datetime) -> Person:
    # No chat id (as after /forget): nothing is ever sent to an example person.
    return Person(channel=EXAMPLE_CHANNEL, external_id="example-1", chat_id=ERASED_CHAT,
                  display_name=MARK_KA + "ნინო ბერიძე", language="ka", language_chosen=True,
                  consent_data_at=now, first_seen=now - timedelta(hours=3),
                  last_seen=now - timedelta(minutes=50))


def _ticket(person: Person, now: datetime) -> Ticket:
    return Ticket(person_id=person.id, channel=EXAMPLE_CHANNEL, language="ka",
                  topic="project_writing", municipality="kutaisi",
                  question=MARK_KA + "როდის იწყება საგრანტო კონკურსი ახალგაზრდული "
                                     "ორგანიზაციებისთვის და რა დოკუმენტებია საჭირო?",
                  requester_name=person.display_name, consent_at=now - timedelta(hours=2),
                  created_at=now - timedelta(hours=2),
                  first_staff_reply_at=now - timedelta(hours=1, minutes=30),
                  last_activity_at=now - timedelta(minutes=45),  # its last message, a note
                  waiting_for_staff=True)  # the person wrote after staff's answer


def _conversation(ticket_id: int, now: datetime) -> list[TicketMessage]:
    return [
        TicketMessage(ticket_id=ticket_id, direction="out", author=MARK_KA + "ნათია გელაშვილი",
                      text="გამარჯობა! კონკურსი მომავალ თვეში გამოცხადდება. გამოგიგზავნით "
                           "დოკუმენტების ჩამონათვალს. (მაგალითი)",
                      created_at=now - timedelta(hours=1, minutes=30)),
        TicketMessage(ticket_id=ticket_id, direction="in",
                      text="დიდი მადლობა! ველოდები. (მაგალითი)",
                      created_at=now - timedelta(minutes=50)),
        TicketMessage(ticket_id=ticket_id, direction="note", author=MARK_KA + "ნათია გელაშვილი",
                      text="შენიშვნა მხოლოდ გუნდისთვის: ეს საჩვენებელი ბილეთია. (მაგალითი)",
                      created_at=now - timedelta(minutes=45)),
    ]


async def add_examples(uow: UnitOfWork, tz: ZoneInfo, now: datetime | None = None) -> Added:
    """Add the example content in the caller's unit of work (the caller commits), unless
    examples are there already or the database holds real data."""
    repo = uow.repo(ExampleRepo)
    if await repo.present():
        return Added.ALREADY
    if await repo.has_real_data():
        return Added.REAL_DATA
    now = now or utcnow()
    person = _person(now)
    events, organisations = _events(now, tz), _organisations(now)
    await repo.add(person, *events, *organisations)
    assert person.id is not None and events[0].id is not None
    ticket = _ticket(person, now)
    await repo.add(ticket)
    assert ticket.id is not None
    person.active_ticket_id = ticket.id
    await repo.add(person, *_conversation(ticket.id, now), EventRegistration(
        event_id=events[0].id, person_id=person.id, participants=2,
        names=[MARK_KA + "ნინო ბერიძე", MARK_KA + "ანა კაპანაძე"], status=CONFIRMED,
        created_at=now - timedelta(hours=1), updated_at=now - timedelta(hours=1)))
    await repo.mark(PERSON, [person.id])
    await repo.mark(EVENT, [e.id for e in events if e.id is not None])
    await repo.mark(ORGANISATION, [o.id for o in organisations if o.id is not None])
    await repo.mark(TICKET, [ticket.id])
    await repo.mark_added()
    return Added.ADDED


async def add_on_first_start(database: Database, settings: Settings) -> bool:
    """The first start of a fresh SQLite database adds the examples (EXAMPLE_CONTENT=auto);
    once decided — added, or refused because of real data — it is never tried again."""
    if settings.example_content == "off" or not settings.is_sqlite:
        return False
    async with UnitOfWork(database) as uow:
        repo = uow.repo(ExampleRepo)
        if await repo.ever_added():
            return False
        outcome = await add_examples(uow, settings.tz)
        await repo.mark_added()
        await uow.commit()
    if outcome is Added.ADDED:
        log.info("example content added (remove it with: hubbot db remove-examples)")
    return outcome is Added.ADDED


async def examples_present(session: AsyncSession) -> bool:
    """True while example content is in the database (the console says how to remove it)."""
    return await ExampleRepo(session).present()


async def remove_examples(uow: UnitOfWork) -> dict[str, int]:
    """Delete every example row (the caller commits); reminders queued for people registered
    to an example event are withdrawn. Returns how many rows of each kind went."""
    outbox = uow.repo(OutboxRepo)
    for event_id in await uow.repo(ExampleRepo).ids(EVENT):
        await outbox.withdraw_reminders(event_id)
    return await uow.repo(ExampleRepo).remove()
