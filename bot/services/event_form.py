"""Reading an event form typed by staff (the console): the CLI's rules, one message per field.

No blank title or place, no start (or deadline) in the past, an end after the start, the
registration deadline not after the start, at least one seat, texts that fit their columns.
Each problem is an `InvalidValue` under the field's name, so the page shows it beside the field
and keeps what was typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.messages import small_number
from bot.i18n import N_
from bot.services.event_input import UsageError, parse_moment, parse_place
from bot.services.org_validation import InvalidValue
from storage.limits import max_length
from storage.models_events import AUDIENCE_ANYONE, AUDIENCES, KINDS, Event

MAX_CAPACITY = 10_000
DETAIL_FIELDS = ("kind", "title_ka", "title_en", "description_ka", "description_en", "place",
                 "online_url", "capacity", "deadline", "audience")
TIME_FIELDS = ("starts", "ends")
LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows

Errors = dict[str, InvalidValue]


@dataclass(frozen=True)
class EventDetails:
    """Everything about an event but its times, as staff set it."""

    kind: str
    title_ka: str
    title_en: str | None
    description_ka: str | None
    description_en: str | None
    municipality: str | None
    address: str | None
    online_url: str | None
    capacity: int | None
    deadline: datetime | None
    audience: str

    def apply(self, event: Event) -> None:
        """Copy these details onto an event."""
        for name in ("kind", "title_ka", "title_en", "description_ka", "description_en",
                     "municipality", "address", "online_url", "capacity", "deadline", "audience"):
            setattr(event, name, getattr(self, name))


def _text(values: Mapping[str, str], name: str) -> str:
    return " ".join((values.get(name) or "").split())


def _long_text(values: Mapping[str, str], name: str) -> str | None:
    return (values.get(name) or "").strip() or None


def _fits(errors: Errors, name: str, column: str, value: str | None) -> None:
    limit = max_length(Event, column)
    if value is not None and limit is not None and len(value) > limit and name not in errors:
        errors[name] = InvalidValue(N_("That is {count} characters long; please keep it under "
                                       "{limit}."), count=len(value), limit=limit)


def _moment(text: str, tz: ZoneInfo) -> datetime:
    return parse_moment(" ".join(text.split()).replace(" ", "T", 1), tz)


def _time(values: Mapping[str, str], name: str, tz: ZoneInfo, errors: Errors,
          *, required: bool, after: datetime | None = None) -> datetime | None:
    text = (values.get(name) or "").strip()
    if not text:
        if required:
            errors[name] = InvalidValue(N_("Please give the date and time."))
        return None
    try:
        moment = _moment(text, tz)
    except UsageError:
        errors[name] = InvalidValue(N_("I could not read that time. Please write it like "
                                       "2026-12-15 10:00."))
        return None
    if after is not None and moment <= after:
        errors[name] = InvalidValue(N_("That time has passed. Please give a future date and "
                                       "time."))
        return None
    return moment


def read_times(values: Mapping[str, str], tz: ZoneInfo, now: datetime
               ) -> tuple[datetime | None, datetime | None, Errors]:
    """(start, end, problems) from the form: a start ahead of `now`, an end after it. The
    start is given whenever it is right, even when the end is not."""
    errors: Errors = {}
    starts = _time(values, "starts", tz, errors, required=True, after=now)
    ends = _time(values, "ends", tz, errors, required=False)
    if starts is not None and ends is not None and ends <= starts:
        errors["ends"] = InvalidValue(N_("The end must be after the start."))
    return starts, ends, errors


def read_details(values: Mapping[str, str], tz: ZoneInfo, now: datetime, *,
                 starts: datetime | None, deadline_was: datetime | None = None
                 ) -> tuple[EventDetails | None, Errors]:
    """The details from the form, or the problems. `starts` is the event's start (None when
    the start itself is wrong); a deadline left as it was (`deadline_was`) may have passed."""
    errors: Errors = {}
    kind = values.get("kind") or "other"
    if kind not in KINDS:
        errors["kind"] = InvalidValue(N_("Please choose one of the kinds."))
    audience = values.get("audience") or AUDIENCE_ANYONE
    if audience not in AUDIENCES:
        errors["audience"] = InvalidValue(N_("Please choose who may register."))
    title_ka = _text(values, "title_ka")
    if not title_ka:
        errors["title_ka"] = InvalidValue(N_("Please write a title."))
    title_en = _text(values, "title_en") or None
    place = _text(values, "place")
    municipality = address = link = None
    if not place:
        errors["place"] = InvalidValue(N_("Please write where it takes place: an address "
                                          "(e.g. Kutaisi, 111 Tsereteli St.) or an online link."))
    else:
        municipality, address, link = parse_place(place)
    online_url = _text(values, "online_url") or None
    if online_url and not online_url.lower().startswith(("http://", "https://")):
        errors["online_url"] = InvalidValue(N_("An online link starts with https:// or "
                                               "http://."))
    capacity: int | None = None
    seats = _text(values, "capacity")
    if seats:
        capacity = small_number(seats)
        if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
            capacity = None
            errors["capacity"] = InvalidValue(N_("Please write the number of seats (1–{limit}), "
                                                 "or leave it empty for no limit."),
                                              limit=MAX_CAPACITY)
    unchanged = deadline_was is not None and (
        (values.get("deadline") or "").strip() == local_input(deadline_was, tz))
    deadline = deadline_was if unchanged else _time(values, "deadline", tz, errors,
                                                    required=False)
    if deadline is not None and not unchanged and deadline <= now:
        errors["deadline"] = InvalidValue(N_("That time has passed. Please give a future date "
                                             "and time."))
    elif deadline is not None and starts is not None and deadline > starts:
        errors["deadline"] = InvalidValue(N_("Registration must close before the event "
                                             "starts."))
    for name, column, value in (("title_ka", "title_ka", title_ka),
                                ("title_en", "title_en", title_en),
                                ("place", "address", address), ("place", "online_url", link),
                                ("online_url", "online_url", online_url)):
        _fits(errors, name, column, value)
    if errors:
        return None, errors
    return EventDetails(kind=kind, title_ka=title_ka, title_en=title_en,
                        description_ka=_long_text(values, "description_ka"),
                        description_en=_long_text(values, "description_en"),
                        municipality=municipality, address=address,
                        online_url=online_url or link, capacity=capacity, deadline=deadline,
                        audience=audience), errors


def read_new_event(values: Mapping[str, str], tz: ZoneInfo, now: datetime
                   ) -> tuple[Event | None, Errors]:
    """A new event from the whole form (times and details), or every problem in it."""
    starts, ends, errors = read_times(values, tz, now)
    details, detail_errors = read_details(values, tz, now, starts=starts)
    errors |= detail_errors
    if errors or starts is None or details is None:
        return None, errors
    event = Event(title_ka=details.title_ka, starts_at=starts, ends_at=ends)
    details.apply(event)
    return event, errors


def local_input(value: datetime | None, tz: ZoneInfo) -> str:
    """A stored moment as the form shows it (local time)."""
    return value.astimezone(tz).strftime(LOCAL_INPUT) if value else ""


def form_values(event: Event, tz: ZoneInfo) -> dict[str, str]:
    """An event's current values, as the form fields show them."""
    place = event.address or event.online_url or ""
    return {"kind": event.kind, "title_ka": event.title_ka, "title_en": event.title_en or "",
            "description_ka": event.description_ka or "",
            "description_en": event.description_en or "", "place": place,
            "online_url": event.online_url if event.address else "",
            "capacity": str(event.capacity) if event.capacity is not None else "",
            "deadline": local_input(event.deadline, tz), "audience": event.audience,
            "starts": local_input(event.starts_at, tz), "ends": local_input(event.ends_at, tz)}
