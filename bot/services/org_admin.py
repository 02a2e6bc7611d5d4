"""Staff work on organisations outside the staff chat (the console): review with the person
told, and corrections by staff.

Approve and reject are those of `bot.services.organisations` (idempotent: a second, identical
decision tells nobody); the message to the person is queued in the same unit of work. A staff
correction is checked by the form's own parsers and, unlike a change by the person, keeps the
organisation's status: an approved organisation stays in the directory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.messages import Notice, Reply
from bot.i18n import N_, translator
from bot.services import org_validation as check
from bot.services.org_catalog import AREAS, LEGAL_FORMS, MUNICIPALITIES, NO_CODE_FORMS
from bot.services.organisations import (
    DuplicateCode,
    ReviewOutcome,
    approve_organisation,
    code_taken,
    reject_organisation,
)
from bot.services.staff_notices import notice_for, queue_notices
from bot.settings import Settings
from storage.models import utcnow
from storage.models_orgs import Organisation
from storage.repos.organisations import OrganisationRepo
from storage.uow import UnitOfWork

Errors = dict[str, check.InvalidValue]
EDITABLE = ("name_ka", "name_en", "legal_form", "id_code", "municipality", "areas",
            "contact_name", "phone", "email", "website", "description")

__all__ = ["EDITABLE", "DuplicateCode", "StaffChat", "approve", "edit", "form_values",
           "read_form", "reject"]


@dataclass(frozen=True)
class StaffChat:
    """Where the staff chat is and its language: a decision made elsewhere is said there too,
    so staff reviewing in Telegram see it (as if decided by /approve or /reject)."""

    chat_id: int | None
    language: str

    @classmethod
    def of(cls, settings: Settings) -> StaffChat:
        """The configured staff chat (none: nothing is said)."""
        return cls(settings.staff_chat_id, settings.staff_language)


async def approve(uow: UnitOfWork, organisation_id: int, *, by: str = "",
                  staff_chat: StaffChat | None = None) -> ReviewOutcome | None:
    """Approve; the person who registered it is told, the first time only (and the staff chat
    hears who approved it)."""
    return await _told(uow, await approve_organisation(uow, organisation_id), "org.approve",
                       by, staff_chat)


async def reject(uow: UnitOfWork, organisation_id: int, reason: str, *, by: str = "",
                 staff_chat: StaffChat | None = None) -> ReviewOutcome | None:
    """Reject with a reason the person reads (told once per reason). `ValueError`: no reason."""
    return await _told(uow, await reject_organisation(uow, organisation_id, reason),
                       "org.reject", by, staff_chat)


async def _told(uow: UnitOfWork, outcome: ReviewOutcome | None, action: str, by: str,
                staff_chat: StaffChat | None) -> ReviewOutcome | None:
    if outcome is None or not outcome.changed:
        return outcome
    notices = []
    if outcome.person is not None:
        notices.append(notice_for(outcome.person, outcome.text))
    if staff_chat is not None and staff_chat.chat_id is not None:
        _ = translator(staff_chat.language)
        said = (_(N_("✅ #{number} approved by {name}.")) if action == "org.approve"
                else _(N_("❌ #{number} rejected by {name}.")))
        notices.append(Notice(channel="telegram", chat_id=str(staff_chat.chat_id),
                              replies=[Reply(text=said.format(number=outcome.organisation.id,
                                                              name=by or "—"))]))
    await queue_notices(uow, notices, origin=f"{action}:{outcome.organisation.id}")
    return outcome


def form_values(organisation: Organisation) -> dict[str, Any]:
    """The organisation's fields as the edit form shows them."""
    values: dict[str, Any] = {name: getattr(organisation, name) or "" for name in EDITABLE}
    values["areas"] = list(organisation.areas)
    return values


def _parse(errors: Errors, name: str, text: str, parser: Any, *, required: bool = True) -> Any:
    if not text.strip():
        if required:
            errors[name] = check.InvalidValue(N_("Please fill this in."))
        return None
    try:
        return parser(text)
    except check.InvalidValue as problem:
        errors[name] = problem
        return None


def read_form(values: Mapping[str, str], areas: Sequence[str]) -> tuple[dict[str, Any], Errors]:
    """Clean values from the edit form, and the problems found (by field)."""
    errors: Errors = {}
    clean: dict[str, Any] = {
        "name_ka": _parse(errors, "name_ka", values.get("name_ka", ""), check.parse_name),
        "name_en": _parse(errors, "name_en", values.get("name_en", ""), check.parse_name,
                          required=False),
        "contact_name": _parse(errors, "contact_name", values.get("contact_name", ""),
                               lambda text: check.parse_name(text, check.MAX_CONTACT)),
        "phone": _parse(errors, "phone", values.get("phone", ""), check.parse_phone),
        "email": _parse(errors, "email", values.get("email", ""), check.parse_email),
        "website": _parse(errors, "website", values.get("website", ""), check.parse_website,
                          required=False),
        "description": _parse(errors, "description", values.get("description", ""),
                              check.parse_description),
    }
    legal_form = values.get("legal_form", "")
    if legal_form not in LEGAL_FORMS:
        errors["legal_form"] = check.InvalidValue(N_("Please choose one of the legal forms."))
    clean["legal_form"] = legal_form
    clean["id_code"] = _parse(errors, "id_code", values.get("id_code", ""), check.parse_id_code,
                              required=legal_form not in NO_CODE_FORMS)
    municipality = values.get("municipality", "")
    if municipality not in MUNICIPALITIES:
        errors["municipality"] = check.InvalidValue(N_("Please choose a municipality."))
    clean["municipality"] = municipality
    chosen = [key for key in AREAS if key in set(areas)]
    if not chosen:
        errors["areas"] = check.InvalidValue(N_("Please choose at least one area of work."))
    clean["areas"] = chosen
    return clean, errors


async def edit(uow: UnitOfWork, organisation_id: int,
               clean: Mapping[str, Any]) -> tuple[Organisation, bool] | None:
    """Apply a staff correction (values from `read_form`); its status stays as it was.

    Returns the organisation and whether anything changed (None: no such organisation).
    Raises `DuplicateCode` when the code belongs to another organisation.
    """
    repo = uow.repo(OrganisationRepo)
    organisation = await repo.lock(organisation_id)
    if organisation is None:
        return None
    if clean.get("id_code") and await code_taken(uow, clean["id_code"],
                                                 except_id=organisation_id):
        raise DuplicateCode(clean["id_code"])
    changed = False
    for name in EDITABLE:
        value = list(clean[name]) if name == "areas" else clean.get(name)
        if getattr(organisation, name) != value:
            setattr(organisation, name, value)
            changed = True
    if changed:
        organisation.updated_at = utcnow()
        await repo.add(organisation)
    return organisation, changed
