"""Events: upcoming and past; create, edit, move and cancel with the CLI's rules (registrants
told of each change once); one event's attendees and wait list, and their CSV."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.console import audit
from bot.console.auth import staff
from bot.console.deps import deps
from bot.console.downloads import CSV, PDF, csv_bytes, send_file
from bot.console.errors import ErrorPage
from bot.console.render import form, render, see_other, translate
from bot.console.url_values import page_count, page_number, record_number
from bot.exports.attendees import attendee_table
from bot.exports.cells import to_csv
from bot.exports.poster import build_poster, checkin_links
from bot.i18n import N_
from bot.services import event_admin
from bot.services.event_form import (
    DETAIL_FIELDS,
    TIME_FIELDS,
    form_values,
    read_details,
    read_new_event,
    read_times,
)
from bot.services.event_text import KIND_LABELS, event_place, event_title, event_when
from bot.services.events import EventCancelled, free_seats
from bot.services.org_validation import InvalidValue
from storage.models import utcnow
from storage.models_events import AUDIENCES, Event
from storage.repos.attendance import AttendanceRepo
from storage.repos.events_calendar import EventCalendarRepo
from storage.uow import UnitOfWork

NAV = ("/console/events", N_("Events"))
PAGE_SIZE = 50
AUDIENCE_LABELS = {"anyone": N_("Anyone"), "organisations": N_("Organisations only")}
assert set(AUDIENCE_LABELS) == set(AUDIENCES)


def add_routes(app: web.Application) -> None:
    """The event pages under /console/events."""
    app.router.add_get("/events", list_page)
    app.router.add_get("/events/new", new_page)
    app.router.add_post("/events/new", create)
    app.router.add_get(r"/events/{number:\d+}", detail_page)
    app.router.add_get(r"/events/{number:\d+}/edit", edit_page)
    app.router.add_post(r"/events/{number:\d+}/edit", save_edit)
    app.router.add_get(r"/events/{number:\d+}/move", move_page)
    app.router.add_post(r"/events/{number:\d+}/move", move)
    app.router.add_get(r"/events/{number:\d+}/cancel", cancel_page)
    app.router.add_post(r"/events/{number:\d+}/cancel", cancel)
    app.router.add_get(r"/events/{number:\d+}/attendees.csv", attendees_csv)
    app.router.add_get(r"/events/{number:\d+}/poster.pdf", poster_pdf)
    app.router.add_post(r"/events/{number:\d+}/attendance/{registration:\d+}", attendance)


def _helpers(request: web.Request) -> dict[str, Any]:
    """What the templates use to show events in the console's language."""
    tz = deps(request).settings.tz
    return {"kinds": KIND_LABELS, "audiences": AUDIENCE_LABELS, "tz": tz,
            "event_title": event_title, "event_place": event_place,
            "event_when": lambda event, lang: event_when(event, lang, tz), "now": utcnow()}


def _no_event(number: int) -> ErrorPage:
    return ErrorPage(404, N_("No such event"), N_("There is no event #{number}."), back=NAV,
                     number=number)


async def _event(uow: UnitOfWork, number: int) -> Event:
    event = await uow.repo(EventCalendarRepo).get(number)
    if event is None:
        raise _no_event(number)
    return event


async def list_page(request: web.Request) -> web.Response:
    """Upcoming events (soonest first) or past ones (latest first), with seats and wait list."""
    upcoming = request.query.get("when", "upcoming") != "past"
    page = page_number(request)
    async with UnitOfWork(deps(request).database) as uow:
        repo = uow.repo(EventCalendarRepo)
        events, total = await repo.staff_page(utcnow(), upcoming=upcoming,
                                              offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        ids = [e.id for e in events if e.id is not None]
        taken = await repo.seats_taken_by_event(ids)
        waiting = await repo.waiting_by_event(ids)
    return render(request, "events/list.html", {
        "events": events, "total": total, "upcoming": upcoming, "taken": taken,
        "waiting": waiting, "page": page, "pages": page_count(total, PAGE_SIZE),
        **_helpers(request)})


async def new_page(request: web.Request) -> web.Response:
    """An empty event form."""
    return render(request, "events/form.html", {
        "values": {"kind": "forum", "audience": "anyone"}, "errors": {}, "editing": None,
        **_helpers(request)})


async def create(request: web.Request) -> web.StreamResponse:
    """Create the event; each problem is shown beside its field, what was typed kept."""
    posted = await form(request)
    values = {name: posted.get(name, "") for name in DETAIL_FIELDS + TIME_FIELDS}
    event, errors = read_new_event(values, deps(request).settings.tz, utcnow())
    if event is None:
        return render(request, "events/form.html", {
            "values": values, "errors": errors, "editing": None, **_helpers(request)},
            status=422)
    async with UnitOfWork(deps(request).database) as uow:
        await event_admin.add_event(uow, event)
        await audit.record(uow, staff(request), "event.create", f"event {event.id}",
                           event.title_ka)
        await uow.commit()
    raise see_other(request, f"/console/events/{event.id}",
                    notice=_t(request, N_("The event is created. People see it in /events.")))


async def detail_page(request: web.Request) -> web.Response:
    """One event: its details, seats, the people registered and the wait list."""
    number = record_number(request)
    async with UnitOfWork(deps(request).database) as uow:
        event = await _event(uow, number)
        repo = uow.repo(EventCalendarRepo)
        attendees = await repo.attendee_rows(number)
        taken = await repo.seats_taken(number)
        attendance = uow.repo(AttendanceRepo)
        present = await attendance.present_people(number)
        walk_ins = await attendance.walk_ins(number)
        feedback = await attendance.feedback(number)
    confirmed = [row for row in attendees if row.waitlist_rank is None]
    waiting = [row for row in attendees if row.waitlist_rank is not None]
    ratings = [row.rating for row in feedback]
    return render(request, "events/detail.html", {
        "event": event, "confirmed": confirmed, "waiting": waiting, "taken": taken,
        "free": free_seats(event, taken), "present": present, "walk_ins": walk_ins,
        "attended": len(present), "feedback": feedback,
        "average": f"{sum(ratings) / len(ratings):.1f}" if ratings else None,
        **_helpers(request)})


async def edit_page(request: web.Request) -> web.Response:
    """The event's details in the form (its times are changed by Move)."""
    async with UnitOfWork(deps(request).database) as uow:
        event = await _event(uow, record_number(request))
    return render(request, "events/form.html", {
        "values": form_values(event, deps(request).settings.tz), "errors": {},
        "editing": event, **_helpers(request)})


async def save_edit(request: web.Request) -> web.StreamResponse:
    """Save new details; registrants are told when the title or place changed."""
    number = record_number(request)
    tz = deps(request).settings.tz
    posted = await form(request)
    values = {name: posted.get(name, "") for name in DETAIL_FIELDS}
    async with UnitOfWork(deps(request).database) as uow:
        event = await _event(uow, number)
        details, errors = read_details(values, tz, utcnow(), starts=event.starts_at,
                                       deadline_was=event.deadline)
        change = None
        if details is not None:
            try:
                change = await event_admin.edit(uow, number, details, tz)
            except EventCancelled:
                raise _to_event(request, number, N_(
                    "The event is cancelled; a cancelled event is not changed.")) from None
        if change is None:
            return render(request, "events/form.html", {
                "values": values, "errors": errors, "editing": event, **_helpers(request)},
                status=422)
        await _record(request, uow, number, change, "edit", f"told {change.told}")
    raise _changed(request, number, _told(change, "edit"))


DONE = {  # (what was done, whether anybody is being told) -> the notice
    ("edit", False): N_("Saved."),
    ("edit", True): N_("Saved. Registrants are being told."),
    ("move", False): N_("Moved."),
    ("move", True): N_("Moved. Registrants are being told the new time."),
    ("cancel", False): N_("The event is cancelled."),
    ("cancel", True): N_("The event is cancelled. Registrants are being told."),
}


def _told(change: event_admin.StaffChange, action: str) -> str:
    if not change.changed:
        return N_("Nothing was changed; nobody was told.")
    return DONE[action, change.told > 0]


async def _record(request: web.Request, uow: UnitOfWork, number: int,
                  change: event_admin.StaffChange, action: str, details: str) -> None:
    """Audit and commit a change that changed something (`action`: edit, move or cancel)."""
    if change.changed:
        await audit.record(uow, staff(request), f"event.{action}", f"event {number}", details)
        await uow.commit()


def _changed(request: web.Request, number: int, message: str) -> web.HTTPSeeOther:
    """After a change: the outbox wakes for the registrants' notices; back to the event."""
    deps(request).wake_outbox()
    return _to_event(request, number, message)


def _to_event(request: web.Request, number: int, message: str) -> web.HTTPSeeOther:
    """To the event's page, where `message` (a message id) shows once."""
    return see_other(request, f"/console/events/{number}", notice=_t(request, message))


async def move_page(request: web.Request) -> web.Response:
    """The new start (and end) of an event."""
    async with UnitOfWork(deps(request).database) as uow:
        event = await _event(uow, record_number(request))
    values = {"starts": form_values(event, deps(request).settings.tz)["starts"], "ends": ""}
    return render(request, "events/move.html", {
        "event": event, "values": values, "errors": {}, **_helpers(request)})


async def move(request: web.Request) -> web.StreamResponse:
    """Move the event; a move to the time it already has tells nobody."""
    number = record_number(request)
    tz = deps(request).settings.tz
    posted = await form(request)
    values = {name: posted.get(name, "") for name in TIME_FIELDS}
    starts, ends, errors = read_times(values, tz, utcnow())
    async with UnitOfWork(deps(request).database) as uow:
        event = await _event(uow, number)
        change = None
        if not errors and starts is not None:
            try:
                change = await event_admin.move(uow, number, starts, ends, tz)
            except EventCancelled:
                raise _to_event(request, number, N_(
                    "The event is cancelled; a cancelled event is not moved.")) from None
            except ValueError:
                errors["ends"] = InvalidValue(N_("The end must be after the start."))
        if change is None:
            return render(request, "events/move.html", {
                "event": event, "values": values, "errors": errors, **_helpers(request)},
                status=422)
        await _record(request, uow, number, change, "move",
                      f"{starts:%Y-%m-%dT%H:%MZ}; told {change.told}")
    raise _changed(request, number, _told(change, "move"))


async def cancel_page(request: web.Request) -> web.Response:
    """Ask before cancelling: how many people will be told."""
    number = record_number(request)
    async with UnitOfWork(deps(request).database) as uow:
        event = await _event(uow, number)
        registrants = len(await uow.repo(EventCalendarRepo).registrants(number))
    return render(request, "events/cancel.html", {
        "event": event, "registrants": registrants, **_helpers(request)})


async def cancel(request: web.Request) -> web.StreamResponse:
    """Cancel the event; registrants are told (once)."""
    number = record_number(request)
    async with UnitOfWork(deps(request).database) as uow:
        change = await event_admin.cancel(uow, number, deps(request).settings.tz)
        if change is None:
            raise _no_event(number)
        await _record(request, uow, number, change, "cancel", f"told {change.told}")
    raise _changed(request, number, _told(change, "cancel") if change.changed
                   else N_("It was already cancelled; nobody was told again."))


async def attendees_csv(request: web.Request) -> web.StreamResponse:
    """The event's registrations as CSV (the same file as `hubbot events attendees`)."""
    number = record_number(request)
    async with UnitOfWork(deps(request).database) as uow:
        await _event(uow, number)
        table = attendee_table(await uow.repo(EventCalendarRepo).attendee_rows(number),
                               deps(request).settings.tz)
    return await send_file(request, csv_bytes(to_csv(table)),
                           filename=f"attendees-{number}.csv", content_type=CSV)


async def attendance(request: web.Request) -> web.StreamResponse:
    """Staff tick (or untick) a registered person as present; ticking twice changes nothing."""
    number, registration = record_number(request), record_number(request, "registration")
    posted = await form(request)
    present = posted.get("present") == "1"
    async with UnitOfWork(deps(request).database) as uow:
        await _event(uow, number)
        changed = await deps(request).services.checkin.tick(uow, number, registration, present,
                                                   staff(request).name)
        if changed is None:
            raise ErrorPage(404, N_("No such registration"), N_(
                "Event #{number} has no registration {registration}."),
                back=(f"/console/events/{number}", N_("Event")), number=number,
                registration=registration)
        if changed:
            await audit.record(uow, staff(request), "event.attendance", f"event {number}",
                               f"registration {registration} {'present' if present else 'absent'}")
            await uow.commit()
    notice = N_("Marked present.") if present else N_("Marked absent.")
    raise see_other(request, f"/console/events/{number}#attendees", notice=_t(request, notice))


async def poster_pdf(request: web.Request) -> web.StreamResponse:
    """The check-in poster (the same file as `hubbot events poster`)."""
    from bot.channels.telegram_me import bot_username

    number = record_number(request)
    async with UnitOfWork(deps(request).database) as uow:
        event = await _event(uow, number)
    settings = deps(request).settings
    links = checkin_links(event, telegram_username=await bot_username(settings),
                          messenger_page=settings.messenger_page)
    if not links:
        raise ErrorPage(409, N_("No poster without a link"), N_(
            "No link to put on the poster: set TELEGRAM_BOT_USERNAME or MESSENGER_PAGE."),
            back=(f"/console/events/{number}", N_("Event")))
    return await send_file(request, build_poster(event, links, tz=settings.tz,
                                                 generated=utcnow()),
                           filename=f"event-{number}-poster.pdf", content_type=PDF)


def _t(request: web.Request, message: str) -> str:
    """A message id in the console language (a notice is shown as given)."""
    return translate(request)(message)
