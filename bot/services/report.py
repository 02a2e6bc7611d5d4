"""The donor report: what the hub did in a period, as tables of aggregates only.

Every figure is counted by the database (storage/repos/report.py); this module chooses the
period, names the rows in the report's language and hides small numbers: any cell counting
fewer than 3 people (1 or 2) is shown as "<3", and a statistic drawn from fewer than 3 people
(a median, an average, a share) is not shown at all, so no one can be singled out. The
writers (bot/exports/report_pdf.py, report_xlsx.py) only lay the tables out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import N_, Translate, translator
from bot.places import MUNICIPALITIES
from bot.services.event_text import KIND_LABELS
from bot.services.hotline import TOPICS
from bot.services.org_catalog import AREAS, LEGAL_FORMS
from storage.repos.report import Counts, ReportRepo

SMALL = 3  # fewer people than this in a cell: "<3"
HIDDEN = "<3"
TOP_TOPICS = 10
SPANS = ("month", "quarter", "year")
LANGUAGES = {"ka": N_("Georgian"), "en": N_("English")}

Cell = int | float | str


@dataclass(frozen=True)
class Table:
    """One table of the report (one sheet of the workbook); `chart`: drawn as bars of its
    first figure column."""

    key: str  # the sheet's name
    section: str
    title: str
    columns: list[str]  # the first names the row labels
    rows: list[list[Cell]]
    chart: bool = False
    note: str = ""


@dataclass
class Report:
    """The whole report, already in its language."""

    language: str
    title: str
    period: str
    generated: str
    start: date
    end: date  # inclusive
    tables: list[Table] = field(default_factory=list)
    privacy_note: str = ""


def people(count: int) -> Cell:
    """A count of people as shown: 1 and 2 become "<3" (0 stays 0: it singles no one out)."""
    return HIDDEN if 0 < count < SMALL else count


def period_of(span: str, today: date) -> tuple[date, date]:
    """The calendar month, quarter or year holding `today`: (first day, last day)."""
    if span == "month":
        first = today.replace(day=1)
    elif span == "quarter":
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    elif span == "year":
        first = date(today.year, 1, 1)
    else:
        raise ValueError(span)
    months = {"month": 1, "quarter": 3, "year": 12}[span]
    month = first.month - 1 + months
    after = date(first.year + month // 12, month % 12 + 1, 1)
    return first, after - timedelta(days=1)


def _plain(label: str) -> str:
    """A label without its leading emoji (the PDF's font has no colour pictures)."""
    head, _sep, rest = label.partition(" ")
    return rest if rest and not any(ch.isalnum() for ch in head) else label


def _named(counts: Counts, names: dict[str, str], _: Translate, *, none: str) -> list[list[Cell]]:
    return [[_plain(_(names[key])) if key in names else (key or none), people(value)]
            for key, value in counts]


def _hours(seconds: float | None) -> Cell:
    return round(seconds / 3600, 1) if seconds is not None else "—"


async def build_report(session: AsyncSession, *, start: date, end: date, language: str,
                       tz: ZoneInfo, sla_hours: float, now: datetime) -> Report:
    """The report for the local days `start`..`end` (both included), in `language`."""
    _ = translator(language)
    since = datetime.combine(start, time(0), tzinfo=tz)
    until = datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz)
    offset = int((since.utcoffset() or timedelta()).total_seconds() // 60)
    repo = ReportRepo(session)
    span = f"{start:%d.%m.%Y} – {end:%d.%m.%Y}"
    report = Report(
        language=language, title=_(N_("Imereti Regional Hub: activity report")),
        period=_(N_("Period: {span}")).format(span=span),
        generated=_(N_("Generated on {date}")).format(date=f"{now.astimezone(tz):%d.%m.%Y}"),
        start=start, end=end,
        privacy_note=_(N_("Only totals are shown. Any figure counting fewer than 3 people is "
                          "shown as \"<3\", and averages of fewer than 3 people are left out, so "
                          "no one can be singled out.")))
    tables = report.tables
    figure, count = _(N_("Figure")), _(N_("Count"))

    # hotline
    hotline = _(N_("Hotline and consultations"))
    total, answered, within, median, p90 = await repo.reply_times(since, until, sla_hours * 3600)
    ratings = await repo.ratings(since, until)
    rated = sum(n for _k, n in ratings)
    average = (sum(int(k) * n for k, n in ratings) / rated) if rated else None
    enough = answered >= SMALL
    summary: list[list[Cell]] = [
        [_(N_("Tickets opened")), people(total)],
        [_(N_("Answered by staff")), people(answered)],
        [_(N_("Median time to the first staff reply, hours")),
         _hours(median) if enough else HIDDEN if answered else "—"],
        [_(N_("90th percentile of the time to the first staff reply, hours")),
         _hours(p90) if enough else HIDDEN if answered else "—"],
        [_(N_("Answered within {hours} hours, % of tickets")).format(hours=f"{sla_hours:g}"),
         round(100 * within / total, 1) if total >= SMALL else HIDDEN if total else "—"],
        [_(N_("Ratings given")), people(rated)],
        [_(N_("Average rating (1–5)")),
         round(average, 1) if average is not None and rated >= SMALL
         else HIDDEN if rated else "—"],
    ]
    tables.append(Table("hotline", hotline, _(N_("Hotline in figures")), [figure, _(N_("Value"))],
                        summary))
    tables.append(Table("tickets_subject", hotline, _(N_("Tickets by subject")),
                        [_(N_("Subject")), count],
                        _named(await repo.tickets_by("topic", since, until), TOPICS, _,
                               none="—"), chart=True))
    tables.append(Table("tickets_place", hotline, _(N_("Tickets by municipality")),
                        [_(N_("Municipality")), count],
                        _named(await repo.tickets_by("municipality", since, until),
                               MUNICIPALITIES, _, none="—"), chart=True))
    tables.append(Table("tickets_month", hotline, _(N_("Tickets by month")),
                        [_(N_("Month")), count],
                        [[key, people(n)] for key, n in
                         await repo.tickets_by_month(since, until, offset)], chart=True))
    tables.append(Table("satisfaction", hotline, _(N_("Satisfaction: ratings by score")),
                        [_(N_("Score")), count],
                        [[key, people(n)] for key, n in ratings], chart=True))

    # FAQ
    faq = _(N_("Questions to the FAQ"))
    by_language = await repo.questions_by_language(since, until)
    yes = sum(row[1] for row in by_language)
    no = sum(row[2] for row in by_language)
    tables.append(Table("faq", faq, _(N_("Questions answered and not answered")),
                        [_(N_("Language")), _(N_("Answered")), _(N_("Not answered"))],
                        [[_(LANGUAGES[lang]) if lang in LANGUAGES else lang, people(a),
                          people(b)] for lang, a, b in by_language]
                        + [[_(N_("Total")), people(yes), people(no)]], chart=True))
    tables.append(Table("faq_topics", faq, _(N_("Top topics")), [_(N_("Topic")), count],
                        [[(title_en or title_ka if language == "en" else title_ka or title_en)
                          or key, people(n)] for key, title_ka, title_en, n in
                         await repo.top_topics(since, until, TOP_TOPICS)], chart=True))

    # events
    events = _(N_("Events"))
    tables.append(Table("events", events, _(N_("Events by kind")),
                        [_(N_("Kind")), _(N_("Events")), _(N_("Registrations")),
                         _(N_("Participants registered"))],
                        [[_(KIND_LABELS.get(kind, kind)), n, people(r), people(p)]
                         for kind, n, r, p in await repo.events_by_kind(since, until)],
                        chart=True))
    tables.append(Table("attendance", events, _(N_("Attendance and feedback by kind")),
                        [_(N_("Kind")), _(N_("Present")), _(N_("Of them without registration")),
                         _(N_("Ratings")), _(N_("Average rating (1–5)")), _(N_("Comments"))],
                        [[_(KIND_LABELS.get(kind, kind)), people(here), people(walk),
                          people(rated), round(average, 1) if average is not None
                          and rated >= SMALL else HIDDEN if rated else "—", people(comments)]
                         for kind, here, walk, rated, average, comments
                         in await repo.attendance_by_kind(since, until)]))
    no_org = _(N_("Without an organisation"))
    tables.append(Table("participants_place", events,
                        _(N_("Participants by municipality of their organisation")),
                        [_(N_("Municipality")), _(N_("Participants"))],
                        _named(await repo.participants_by_organisation(
                            "municipality", since, until), MUNICIPALITIES, _, none=no_org),
                        chart=True))
    tables.append(Table("participants_type", events,
                        _(N_("Participants by type of organisation")),
                        [_(N_("Type of organisation")), _(N_("Participants"))],
                        _named(await repo.participants_by_organisation(
                            "legal_form", since, until), LEGAL_FORMS, _, none=no_org),
                        chart=True))

    # organisations (organisations, not people: shown as counted)
    orgs = _(N_("Organisations"))
    registered, approved, new, new_approved = await repo.organisations_summary(since, until)
    tables.append(Table("organisations", orgs, _(N_("Organisations in figures")),
                        [figure, _(N_("Value"))],
                        [[_(N_("Registered by the end of the period")), registered],
                         [_(N_("Approved")), approved],
                         [_(N_("New in the period")), new],
                         [_(N_("New in the period and approved")), new_approved]]))
    registered_column, approved_column = _(N_("Registered")), _(N_("Approved"))
    tables.append(Table("orgs_place", orgs, _(N_("Organisations by municipality")),
                        [_(N_("Municipality")), registered_column, approved_column],
                        [[_plain(_(MUNICIPALITIES.get(k, k))), n, a] for k, n, a in
                         await repo.organisations_by_municipality(until)], chart=True))
    tables.append(Table("orgs_area", orgs, _(N_("Organisations by area of work")),
                        [_(N_("Area of work")), registered_column, approved_column],
                        [[_(AREAS.get(k, k)), n, a] for k, n, a in
                         await repo.organisations_by_area(until)], chart=True))

    # announcements
    sent, delivered, unreachable, failed = await repo.announcements(since, until)
    tables.append(Table("announcements", _(N_("Announcements")), _(N_("Announcements sent")),
                        [figure, _(N_("Value"))],
                        [[_(N_("Announcements sent")), sent],
                         [_(N_("Messages delivered")), people(delivered)],
                         [_(N_("People unreachable")), people(unreachable)],
                         [_(N_("Not delivered for other reasons")), people(failed)]]))
    return report


def figures(table: Table) -> list[tuple[str, float]]:
    """The bars of a table's chart: its first figure column; "<3" is drawn as nothing."""
    return [(str(row[0]), float(row[1]) if isinstance(row[1], int | float) else 0.0)
            for row in table.rows]
