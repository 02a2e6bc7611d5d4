"""Organisations: registration, review and the public directory."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, String, case, cast, func, or_
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

    async def staff_page(self, *, status: str | None = None, text: str = "", offset: int = 0,
                         limit: int = 50, oldest_first: bool = False
                         ) -> tuple[Sequence[Organisation], int]:
        """One page of organisations for staff (newest first, or oldest first for the review
        queue), filtered by status and by text in the names, code, contact, phone or e-mail;
        and how many match."""
        where: list[ColumnElement[bool]] = []
        if status is not None:
            where.append(col(Organisation.status) == status)
        words = text.split()
        for word in words[:5]:
            needle = word.lower()
            where.append(or_(*(func.lower(func.coalesce(column, "")).contains(
                needle, autoescape=True) for column in _SEARCHED)))
        total = (await self.session.exec(select(func.count()).select_from(Organisation)
                                         .where(*where))).one()
        order = col(Organisation.id) if oldest_first else col(Organisation.id).desc()
        page = (await self.session.exec(select(Organisation).where(*where).order_by(order)
                                        .offset(offset).limit(limit))).all()
        return page, int(total)

    async def status_counts(self) -> dict[str, int]:
        """How many organisations have each status."""
        rows = (await self.session.exec(select(Organisation.status, func.count())
                                        .group_by(Organisation.status))).all()
        return {status: int(count) for status, count in rows}

    async def public_counts(self, kind: str, keys: Sequence[str]) -> dict[str, int]:
        """Listed organisations per municipality (`kind` "m") or per area of work ("a")."""
        if kind == "m":
            rows = (await self.session.exec(select(Organisation.municipality, func.count())
                                            .where(*_LISTED).group_by(Organisation.municipality))).all()
            return {key: int(count) for key, count in rows}
        counts = (await self.session.exec(select(*(
            func.count(case((_has_area(key), 1))) for key in keys)).where(*_LISTED))).one()
        return {key: int(count) for key, count in zip(keys, counts, strict=True)}

    async def public_page(self, kind: str, key: str, *, offset: int, limit: int
                          ) -> tuple[Sequence[Organisation], int]:
        """One page of the listed organisations of a municipality or an area, by name, and how
        many there are."""
        where = (*_LISTED, Organisation.municipality == key if kind == "m" else _has_area(key))
        total = (await self.session.exec(select(func.count()).select_from(Organisation)
                                         .where(*where))).one()
        page = (await self.session.exec(select(Organisation).where(*where)
                                        .order_by(col(Organisation.name_ka), col(Organisation.id))
                                        .offset(offset).limit(limit))).all()
        return page, int(total)

    async def public_names(self) -> Sequence[tuple[int, str, str | None]]:
        """(id, Georgian name, English name) of every listed organisation (for name search)."""
        return (await self.session.exec(select(Organisation.id, Organisation.name_ka,
                                               Organisation.name_en).where(*_LISTED))).all()  # type: ignore[return-value]

    async def by_ids(self, ids: Sequence[int]) -> list[Organisation]:
        """These organisations, in the order given."""
        found = {o.id: o for o in (await self.session.exec(
            select(Organisation).where(col(Organisation.id).in_(ids)))).all()}
        return [found[i] for i in ids if i in found]

    async def public(self, municipality: str | None = None) -> Sequence[Organisation]:
        """Approved organisations that agreed to be listed, by municipality and name."""
        query = (select(Organisation)
                 .where(Organisation.status == APPROVED,
                        col(Organisation.consent_public_at).is_not(None))
                 .order_by(col(Organisation.municipality), col(Organisation.name_ka)))
        if municipality is not None:
            query = query.where(Organisation.municipality == municipality)
        return (await self.session.exec(query)).all()


_SEARCHED = (Organisation.name_ka, Organisation.name_en, Organisation.id_code,
             Organisation.contact_name, Organisation.email, Organisation.phone)
_LISTED = (Organisation.status == APPROVED, col(Organisation.consent_public_at).is_not(None))


def _has_area(key: str) -> ColumnElement[bool]:
    """The organisation's areas (a JSON list of fixed keys) hold `key`; the same SQL on
    SQLite and PostgreSQL: the list's text contains the quoted key."""
    return cast(Organisation.areas, String).contains(f'"{key}"', autoescape=True)
