"""An event's registrations as CSV rows for staff (`hubbot events attendees`)."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from storage.repos.events_calendar import AttendeeRow

COLUMNS = ["registration_id", "status", "waitlist_position", "participants", "names", "person",
           "channel", "organisation", "organisation_id_code", "organisation_phone",
           "organisation_email", "registered_at"]


def attendee_table(rows: Sequence[AttendeeRow], tz: ZoneInfo) -> list[list[str]]:
    """A header row, then one row per registration (from one joined query)."""
    table = [list(COLUMNS)]
    for row in rows:
        registration = row.registration
        table.append([str(registration.id), registration.status,
                      str(row.waitlist_rank) if row.waitlist_rank is not None else "",
                      str(registration.participants), "; ".join(registration.names),
                      row.person_name, row.channel, row.organisation_name or "",
                      row.organisation_code or "", row.organisation_phone or "",
                      row.organisation_email or "",
                      f"{registration.created_at.astimezone(tz):%Y-%m-%d %H:%M}"])
    return table
