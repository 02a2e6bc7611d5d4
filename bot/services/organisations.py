"""Organisations: submit a registration or a change, and the staff's approval or rejection."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.i18n import N_, translator
from storage.models import Person, utcnow
from storage.models_orgs import APPROVED, PENDING, REJECTED, Organisation
from storage.repos.organisations import OrganisationRepo
from storage.uow import UnitOfWork

# The form's answers that become columns as they are.
FIELDS = ("name_ka", "name_en", "legal_form", "id_code", "municipality", "areas",
          "contact_name", "phone", "email", "website", "description")


class DuplicateCode(Exception):
    """Another organisation is already registered under this identification code."""


@dataclass(frozen=True)
class ReviewOutcome:
    """A staff decision: the organisation, who registered it, and what to tell them.

    `changed` is False when the organisation already had this decision (the same status, and
    for a rejection the same reason): the person was told then and is not told again.
    """

    organisation: Organisation
    person: Person | None
    text: str  # in the person's language (Georgian when nobody is known)
    changed: bool = True


def form_values(organisation: Organisation) -> dict[str, Any]:
    """The form's answers for an existing organisation (to edit it)."""
    values: dict[str, Any] = {name: getattr(organisation, name) for name in FIELDS}
    values["areas"] = list(organisation.areas)
    values["consent_store"] = True
    values["consent_public"] = organisation.consent_public_at is not None
    return values


async def code_taken(uow: UnitOfWork, id_code: str, *, except_id: int | None = None) -> bool:
    """True when another organisation already uses this identification code."""
    found = await uow.repo(OrganisationRepo).by_id_code(id_code)
    return found is not None and found.id != except_id


async def submit_organisation(uow: UnitOfWork, *, person_id: int, values: Mapping[str, Any],
                              organisation_id: int | None = None) -> Organisation:
    """Store a new registration, or a change to the person's own one; either waits for review.

    Raises `DuplicateCode` when the code belongs to another organisation, `LookupError` when
    `organisation_id` is not the person's.
    """
    repo = uow.repo(OrganisationRepo)
    now = utcnow()
    if organisation_id is None:
        organisation = Organisation(name_ka="", legal_form="", municipality="", contact_name="",
                                    phone="", email="", description="", consent_store_at=now,
                                    person_id=person_id, created_at=now)
    else:
        found = await repo.get(organisation_id)
        if found is None or found.person_id != person_id:
            raise LookupError(organisation_id)
        organisation = found
    if values.get("id_code") and await code_taken(uow, values["id_code"],
                                                  except_id=organisation.id):
        raise DuplicateCode(values["id_code"])
    for name in FIELDS:
        setattr(organisation, name, values.get(name))
    organisation.areas = list(values.get("areas") or [])
    if values.get("consent_public"):
        organisation.consent_public_at = organisation.consent_public_at or now
    else:
        organisation.consent_public_at = None
    # Any change goes back to the staff: the directory only shows what they have seen.
    organisation.status = PENDING
    organisation.reject_reason = None
    organisation.updated_at = now
    return await repo.add(organisation)


async def approve_organisation(uow: UnitOfWork, organisation_id: int) -> ReviewOutcome | None:
    """Approve a registration (None when there is no such organisation)."""
    return await _decide(uow, organisation_id, APPROVED, None)


async def reject_organisation(uow: UnitOfWork, organisation_id: int,
                              reason: str) -> ReviewOutcome | None:
    """Reject a registration with a reason the person will read."""
    reason = reason.strip()
    if not reason:
        raise ValueError("a rejection needs a reason")
    return await _decide(uow, organisation_id, REJECTED, reason)


async def _decide(uow: UnitOfWork, organisation_id: int, status: str,
                  reason: str | None) -> ReviewOutcome | None:
    repo = uow.repo(OrganisationRepo)
    organisation = await repo.lock(organisation_id)
    if organisation is None:
        return None
    changed = (organisation.status, organisation.reject_reason) != (status, reason)
    if changed:
        organisation.status = status
        organisation.reject_reason = reason
        organisation.reviewed_at = organisation.updated_at = utcnow()
        await repo.add(organisation)
    person = await uow.people.get(organisation.person_id) if organisation.person_id else None
    language = person.language if person else "ka"
    return ReviewOutcome(organisation, person, outcome_text(organisation, language), changed)


def outcome_text(organisation: Organisation, language: str) -> str:
    """What the person who registered is told about the staff's decision."""
    _ = translator(language)
    if organisation.status == APPROVED:
        text = _(N_("Good news: the hub's staff approved the registration of {name}.")).format(
            name=organisation.name_ka)
        if organisation.consent_public_at is not None:
            text += "\n" + _(N_("It is now listed in the directory of organisations "
                                "(/directory)."))
        return text
    return _(N_("The hub's staff could not approve the registration of {name}.\n"
                "Reason: {reason}\n\nYou can correct the details with /myorg and send them "
                "again.")).format(name=organisation.name_ka, reason=organisation.reject_reason or "")
