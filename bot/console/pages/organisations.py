"""Organisations: the review queue, the full list with search, one organisation (approve,
reject with a reason, edit), and the downloads (CSV, XLSX, the booklet PDF)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from bot.console import audit
from bot.console.auth import staff
from bot.console.deps import deps
from bot.console.downloads import CSV, PDF, XLSX, csv_bytes, send_built
from bot.console.errors import ErrorPage
from bot.console.render import form, language, render, see_other, translate
from bot.console.url_values import page_count, page_number, record_number
from bot.exports.booklet import build_booklet
from bot.exports.org_tables import rows, to_csv, to_xlsx
from bot.i18n import N_, translator
from bot.services import org_admin
from bot.services.org_catalog import AREAS, LEGAL_FORMS, MUNICIPALITIES, NO_CODE_FORMS
from bot.services.org_validation import display_phone
from bot.services.organisations import ReviewOutcome
from storage.models_orgs import APPROVED, PENDING, REJECTED, Organisation
from storage.repos.organisations import OrganisationRepo
from storage.uow import UnitOfWork

NAV = ("/console/orgs", N_("Organisations"))
PAGE_SIZE = 50
FILTERS = {PENDING: N_("Review queue"), APPROVED: N_("Approved"), REJECTED: N_("Rejected"),
           "all": N_("All")}
STATUS_LABELS = {PENDING: N_("waiting for review"), APPROVED: N_("approved"),
                 REJECTED: N_("rejected")}


def add_routes(app: web.Application) -> None:
    """The organisation pages under /console/orgs."""
    app.router.add_get("/orgs", list_page)
    app.router.add_get("/orgs/download/organisations.csv", download_csv)
    app.router.add_get("/orgs/download/organisations.xlsx", download_xlsx)
    app.router.add_get("/orgs/download/booklet.pdf", download_booklet)
    app.router.add_get(r"/orgs/{number:\d+}", detail_page)
    app.router.add_post(r"/orgs/{number:\d+}/approve", approve)
    app.router.add_post(r"/orgs/{number:\d+}/reject", reject)
    app.router.add_get(r"/orgs/{number:\d+}/edit", edit_page)
    app.router.add_post(r"/orgs/{number:\d+}/edit", save_edit)


def _labels() -> dict[str, Any]:
    """Names of the fixed choices, for templates (translated there)."""
    return {"legal_forms": LEGAL_FORMS, "municipalities": MUNICIPALITIES, "areas": AREAS,
            "status_labels": STATUS_LABELS, "no_code_forms": NO_CODE_FORMS,
            "display_phone": display_phone}


async def list_page(request: web.Request) -> web.Response:
    """The review queue (oldest first) or the list of one status or all, searchable, by pages."""
    status = request.query.get("status", PENDING)
    status = status if status in FILTERS else PENDING
    text = request.query.get("q", "").strip()[:100]
    page = page_number(request)
    async with UnitOfWork(deps(request).database) as uow:
        repo = uow.repo(OrganisationRepo)
        organisations, total = await repo.staff_page(
            status=None if status == "all" else status, text=text,
            offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, oldest_first=status == PENDING)
        counts = await repo.status_counts()
    counts["all"] = sum(counts.values())
    return render(request, "organisations/list.html", {
        "organisations": organisations, "total": total, "status": status, "q": text,
        "filters": FILTERS, "counts": counts, "page": page,
        "pages": page_count(total, PAGE_SIZE),
        "tz": deps(request).settings.tz, **_labels()})


async def detail_page(request: web.Request) -> web.Response:
    """Every field of one organisation, its status, and what staff can do with it."""
    async with UnitOfWork(deps(request).database) as uow:
        organisation = await _organisation(uow, record_number(request))
    return render(request, "organisations/detail.html", {
        "org": organisation, "tz": deps(request).settings.tz, "reason_error": None,
        **_labels()})


async def approve(request: web.Request) -> web.StreamResponse:
    """Approve; the person who registered it is told (once)."""
    number = record_number(request)
    async with UnitOfWork(deps(request).database) as uow:
        outcome = await _record(request, uow, number, await org_admin.approve(
            uow, number, by=staff(request).name, staff_chat=_staff_chat(request)), "approve")
    raise _decided(request, number, outcome, "approve")


async def reject(request: web.Request) -> web.StreamResponse:
    """Reject with a reason the person reads; a blank reason is refused beside the field."""
    number = record_number(request)
    reason = (await form(request)).get("reason", "").strip()
    async with UnitOfWork(deps(request).database) as uow:
        if not reason:
            organisation = await _organisation(uow, number)
            return render(request, "organisations/detail.html", {
                "org": organisation, "tz": deps(request).settings.tz,
                "reason_error": N_("Please write the reason; the person will read it."),
                **_labels()}, status=422)
        outcome = await _record(request, uow, number, await org_admin.reject(
            uow, number, reason, by=staff(request).name, staff_chat=_staff_chat(request)),
            "reject", f"reason given ({len(reason)} characters)")  # a message: never its text
    raise _decided(request, number, outcome, "reject")


DECIDED = {  # (the decision, what came of it) -> the notice
    ("approve", "unchanged"): N_("It was already approved; nobody was told again."),
    ("approve", "nobody"): N_(
        "Approved. Nobody was told: the person who registered it is no longer known."),
    ("approve", "told"): N_("Approved. The person who registered it is being told."),
    ("reject", "unchanged"): N_(
        "It was already rejected with this reason; nobody was told again."),
    ("reject", "nobody"): N_(
        "Rejected. Nobody was told: the person who registered it is no longer known."),
    ("reject", "told"): N_("Rejected. The person who registered it is being told the reason."),
}


def _no_organisation(number: int) -> ErrorPage:
    return ErrorPage(404, N_("No such organisation"), N_("There is no organisation #{number}."),
                     back=NAV, number=number)


async def _organisation(uow: UnitOfWork, number: int) -> Organisation:
    organisation = await uow.repo(OrganisationRepo).get(number)
    if organisation is None:
        raise _no_organisation(number)
    return organisation


async def _record(request: web.Request, uow: UnitOfWork, number: int,
                  outcome: ReviewOutcome | None, decision: str,
                  details: str = "") -> ReviewOutcome:
    """Audit a decision that changed something, and commit (404: no such organisation)."""
    if outcome is None:
        raise _no_organisation(number)
    if outcome.changed:
        await audit.record(uow, staff(request), f"org.{decision}", f"organisation #{number}",
                           details)
    await uow.commit()
    return outcome


def _decided(request: web.Request, number: int, outcome: ReviewOutcome,
             decision: str) -> web.HTTPSeeOther:
    """The outbox wakes to tell the person; back to the organisation, saying who was told."""
    deps(request).wake_outbox()
    result = ("unchanged" if not outcome.changed
              else "nobody" if outcome.person is None else "told")
    return see_other(request, f"/console/orgs/{number}",
                     notice=translate(request)(DECIDED[decision, result]))


async def edit_page(request: web.Request) -> web.Response:
    """The edit form, filled with the organisation's details."""
    async with UnitOfWork(deps(request).database) as uow:
        organisation = await _organisation(uow, record_number(request))
    return render(request, "organisations/edit.html", {
        "org": organisation, "values": org_admin.form_values(organisation), "errors": {},
        **_labels()})


async def save_edit(request: web.Request) -> web.StreamResponse:
    """Save a correction; problems are shown beside their fields with what was typed kept."""
    number = record_number(request)
    posted = await form(request)
    values = {name: posted.get(name, "") for name in org_admin.EDITABLE if name != "areas"}
    areas = posted.getall("areas", [])
    clean, errors = org_admin.read_form(values, areas)
    async with UnitOfWork(deps(request).database) as uow:
        result = None
        if not errors:
            try:
                result = await org_admin.edit(uow, number, clean)
            except org_admin.DuplicateCode:
                errors["id_code"] = org_admin.check.InvalidValue(N_(
                    "Another organisation is already registered under this identification "
                    "code."))
            else:
                if result is None:
                    raise _no_organisation(number)
        if errors or result is None:
            organisation = await _organisation(uow, number)
            return render(request, "organisations/edit.html", {
                "org": organisation, "values": values | {"areas": list(areas)},
                "errors": errors, **_labels()}, status=422)
        changed = result[1]
        if changed:
            await audit.record(uow, staff(request), "org.edit", f"organisation #{number}")
            await uow.commit()
    raise see_other(request, f"/console/orgs/{number}",
                    notice=_t(request, N_("Saved.") if changed else N_("Nothing was changed.")))


def _stamp(request: web.Request) -> str:
    return f"{datetime.now(deps(request).settings.tz):%Y-%m-%d}"


async def _every(request: web.Request) -> list[Any]:
    async with UnitOfWork(deps(request).database) as uow:
        return list(await uow.repo(OrganisationRepo).listing())


async def download_csv(request: web.Request) -> web.StreamResponse:
    """Every organisation with every field, column titles in the console's language (built in
    a worker thread: 5,000 organisations take half a second)."""
    language, tz = _language(request), deps(request).settings.tz
    every = await _every(request)
    return await send_built(
        request, lambda: csv_bytes(to_csv(rows(every, language=language, tz=tz, titled=True))),
        filename=f"organisations-{_stamp(request)}.csv", content_type=CSV)


async def download_xlsx(request: web.Request) -> web.StreamResponse:
    """The same as a workbook (built in a worker thread: seconds for thousands)."""
    language, tz = _language(request), deps(request).settings.tz
    every = await _every(request)
    title = translator(language)(N_("Organisations"))
    return await send_built(
        request, lambda: to_xlsx(rows(every, language=language, tz=tz, titled=True),
                                 title=title),
        filename=f"organisations-{_stamp(request)}.xlsx", content_type=XLSX)


async def download_booklet(request: web.Request) -> web.StreamResponse:
    """The printable booklet of the listed organisations, in the console's language."""
    language = _language(request)
    async with UnitOfWork(deps(request).database) as uow:
        listed = list(await uow.repo(OrganisationRepo).public())
    now = datetime.now(deps(request).settings.tz)
    return await send_built(request, lambda: build_booklet(listed, language=language,
                                                           generated=now),
                            filename=f"booklet-{now:%Y-%m-%d}.pdf", content_type=PDF)


def _staff_chat(request: web.Request) -> org_admin.StaffChat:
    return org_admin.StaffChat.of(deps(request).settings)


def _language(request: web.Request) -> str:
    return language(request)


def _t(request: web.Request, message: str) -> str:
    """A message id in the console language (a notice is shown as given)."""
    return translate(request)(message)
