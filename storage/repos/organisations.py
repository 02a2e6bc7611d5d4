"""Organisations: registration, review and the public directory."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models_orgs import APPROVED, Organisation


class OrganisationRepo:
    """Finds and stores organisations."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, organisation_id: int) -> Organisation | None:
        """One organisation by id."""
        return await self.session.get(Organisation, organisation_id)

    async def lock(self, organisation_id: int) -> Organisation | None:
        """One organisation, locked until commit: two staff decisions on it are serialised.

        PostgreSQL takes a row lock; on SQLite the unit of work already holds the writer lock.
        """
        return (await self.session.exec(
            select(Organisation).where(Organisation.id == organisation_id).with_for_update()
            .execution_options(populate_existing=True))).first()

    async def for_person(self, person_id: int) -> Organisation | None:
        """The organisation a person registered (their latest, if several)."""
        return (await self.session.exec(
            select(Organisation).where(Organisation.person_id == person_id)
            .order_by(col(Organisation.id).desc())
        )).first()

    async def by_id_code(self, id_code: str) -> Organisation | None:
        """The organisation registered under an identification code."""
        return (await self.session.exec(
            select(Organisation).where(Organisation.id_code == id_code))).first()

    async def add(self, organisation: Organisation) -> Organisation:
        """Store a new or changed organisation and give it an id."""
        self.session.add(organisation)
        await self.session.flush()
        return organisation

    async def listing(self, status: str | None = None) -> Sequence[Organisation]:
        """Every organisation (or those with `status`), oldest first."""
        query = select(Organisation).order_by(col(Organisation.id))
        if status is not None:
            query = query.where(Organisation.status == status)
        return (await self.session.exec(query)).all()

    async def public(self, municipality: str | None = None) -> Sequence[Organisation]:
        """Approved organisations that agreed to be listed, by municipality and name."""
        query = (select(Organisation)
                 .where(Organisation.status == APPROVED,
                        col(Organisation.consent_public_at).is_not(None))
                 .order_by(col(Organisation.municipality), col(Organisation.name_ka)))
        if municipality is not None:
            query = query.where(Organisation.municipality == municipality)
        return (await self.session.exec(query)).all()
