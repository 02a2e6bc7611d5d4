"""Console sign-in links, sessions and the audit log, on the real database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from types import SimpleNamespace

from aiohttp import CookieJar, FormData, web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import update
from sqlmodel import select

from bot.app import HubApp
from bot.console.app import mount
from bot.console.audit import record
from bot.console.auth import SESSION_COOKIE, Handler
from bot.console.deps import ConsoleDeps
from bot.console.pages import PAGES
from bot.console.render import form, see_other
from bot.console.staff import StaffMember
from bot.services import console_access as access
from storage.models import utcnow
from storage.models_console import ConsoleLink, ConsoleSession
from storage.repos.console import ConsoleRepo
from storage.uow import UnitOfWork


async def _link(hub: HubApp, name: str = "Nino", user: int | None = 5_000_000_000) -> str:
    async with UnitOfWork(hub.database) as uow:
        token = await access.new_link(uow, name, user)
        await uow.commit()
    return token


async def _redeem(hub: HubApp, token: str) -> access.SignedIn | access.Refusal:
    async with UnitOfWork(hub.database) as uow:
        outcome = await access.redeem(uow, token, "ka")
        await uow.commit()
    return outcome


@asynccontextmanager
async def with_page(hub: HubApp, method: str, path: str, handler: Handler, *,
                    client_max_size: int = 1024**2) -> AsyncIterator[tuple[TestClient, str]]:
    """The console with one more page (`method` `/console{path}`), and a client signed in to
    it; yields the client and the session's CSRF token."""
    page_module = SimpleNamespace(NAV=None, add_routes=lambda app: app.router.add_route(
        method, path, handler))
    root = web.Application(client_max_size=client_max_size)
    mount(root, ConsoleDeps.of(hub), pages=(*PAGES, page_module))  # type: ignore[arg-type]
    signed_in = await _redeem(hub, await _link(hub))
    assert isinstance(signed_in, access.SignedIn)
    async with TestClient(TestServer(root), cookie_jar=CookieJar(unsafe=True)) as client:
        client.session.cookie_jar.update_cookies({SESSION_COOKIE: signed_in.token})
        yield client, access.csrf_token(signed_in.token)


async def test_a_link_signs_in_once_and_only_its_hash_is_kept(hub: HubApp) -> None:
    token = await _link(hub)
    outcome = await _redeem(hub, token)
    assert isinstance(outcome, access.SignedIn)
    assert outcome.session.staff_name == "Nino"
    assert outcome.session.telegram_user_id == 5_000_000_000  # beyond 32 bits
    assert await _redeem(hub, token) is access.Refusal.USED
    async with UnitOfWork(hub.database) as uow:
        links = (await uow.session.exec(select(ConsoleLink))).all()
        sessions = (await uow.session.exec(select(ConsoleSession))).all()
    stored = " ".join(f"{row!r}" for row in [*links, *sessions])
    assert token not in stored and outcome.token not in stored
    assert [link.token_hash for link in links] == [access.token_hash(token)]


async def test_expired_and_unknown_links_sign_nobody_in(hub: HubApp) -> None:
    token = await _link(hub)
    async with UnitOfWork(hub.database) as uow:
        await uow.session.exec(update(ConsoleLink).values(  # type: ignore[call-overload]
            expires_at=utcnow() - timedelta(seconds=1)))
        await uow.commit()
    assert await _redeem(hub, token) is access.Refusal.EXPIRED
    assert await _redeem(hub, "no-such-token") is access.Refusal.UNKNOWN
    async with UnitOfWork(hub.database) as uow:
        assert (await uow.session.exec(select(ConsoleSession))).all() == []


async def test_a_link_lasts_fifteen_minutes(hub: HubApp) -> None:
    before = utcnow()
    await _link(hub)
    async with UnitOfWork(hub.database) as uow:
        link = (await uow.session.exec(select(ConsoleLink))).one()
    assert timedelta(minutes=14) < link.expires_at - before <= timedelta(minutes=15, seconds=5)


async def test_sessions_end_at_sign_out_and_logout_all(hub: HubApp) -> None:
    first = await _redeem(hub, await _link(hub, "Nino"))
    second = await _redeem(hub, await _link(hub, "Giorgi"))
    assert isinstance(first, access.SignedIn) and isinstance(second, access.SignedIn)
    async with UnitOfWork(hub.database) as uow:
        session = await access.current(uow, first.token)
        assert session is not None
        assert await access.sign_out(uow, session)
        assert not await access.sign_out(uow, session)  # a second sign-out changes nothing
        await uow.commit()
    async with UnitOfWork(hub.database) as uow:
        assert await access.current(uow, first.token) is None
        assert await access.current(uow, second.token) is not None
        assert await access.current(uow, "forged") is None
        assert await access.logout_all(uow, by="test") == 1
        await uow.commit()
    async with UnitOfWork(hub.database) as uow:
        assert await access.current(uow, second.token) is None
        assert await access.logout_all(uow, by="test") == 0


async def test_an_idle_session_ends(hub: HubApp) -> None:
    outcome = await _redeem(hub, await _link(hub))
    assert isinstance(outcome, access.SignedIn)
    async with UnitOfWork(hub.database) as uow:
        await uow.session.exec(update(ConsoleSession).values(  # type: ignore[call-overload]
            last_seen=utcnow() - access.SESSION_IDLE - timedelta(minutes=1)))
        await uow.commit()
    async with UnitOfWork(hub.database) as uow:
        assert await access.current(uow, outcome.token) is None


def test_csrf_tokens_belong_to_one_session() -> None:
    assert access.csrf_matches("session-a", access.csrf_token("session-a"))
    assert not access.csrf_matches("session-b", access.csrf_token("session-a"))
    assert not access.csrf_matches("session-a", "")


async def test_the_audit_log_lists_changes_newest_first_with_who(hub: HubApp) -> None:
    nino = StaffMember(id=1, name="Nino", telegram_user_id=900, language="ka")
    giorgi = StaffMember(id=2, name="Giorgi", telegram_user_id=None, language="en")
    async with UnitOfWork(hub.database) as uow:
        await record(uow, nino, "ticket.reply", "ticket #12")
        await uow.commit()
    async with UnitOfWork(hub.database) as uow:  # not committed: not written
        await record(uow, giorgi, "org.approve", "organisation 3")
    async with UnitOfWork(hub.database) as uow:
        await record(uow, giorgi, "event.move", "event 3", "to 2027-01-05 10:00")
        await uow.commit()
    async with UnitOfWork(hub.database) as uow:
        repo = uow.repo(ConsoleRepo)
        entries = await repo.audit_page(0, 10)
        assert await repo.audit_count() == 2
        assert [(e.staff_name, e.action, e.target, e.details) for e in entries] == [
            ("Giorgi", "event.move", "event 3", "to 2027-01-05 10:00"),
            ("Nino", "ticket.reply", "ticket #12", "")]
        assert entries[1].telegram_user_id == 900
        assert [e.action for e in await repo.audit_page(1, 10)] == ["ticket.reply"]


async def test_a_notice_after_a_post_shows_once(hub: HubApp) -> None:
    """`see_other(request, path, notice)`: the next page shows the notice, the one after not."""
    async def change(request: web.Request) -> web.StreamResponse:
        raise see_other(request, "/console/audit", notice="Saved ✓ შენახულია")

    async with with_page(hub, "POST", "/test-change", change) as (client, csrf):
        refused = await client.post("/console/test-change", data={})
        assert refused.status == 403
        page = await client.post("/console/test-change", data={"csrf_token": csrf})
        assert page.status == 200 and "Saved ✓ შენახულია" in await page.text()
        again = await client.get("/console/audit")
        assert "Saved ✓" not in await again.text()


async def test_a_form_may_carry_a_file_larger_than_a_webhook(hub: HubApp) -> None:
    """A photo for an announcement (a few MB) passes the CSRF check; a huge body does not."""
    async def upload(request: web.Request) -> web.StreamResponse:
        posted = await form(request)
        photo = posted["photo"]
        assert isinstance(photo, web.FileField)
        return web.Response(text=str(len(photo.file.read())))

    async with with_page(hub, "POST", "/test-upload", upload,  # the bot's web server's limit
                         client_max_size=2 * 1024 * 1024) as (client, csrf):
        data = FormData({"csrf_token": csrf})
        data.add_field("photo", b"\xff" * (5 * 1024 * 1024), filename="p.jpg",
                       content_type="image/jpeg")
        accepted = await client.post("/console/test-upload", data=data)
        assert accepted.status == 200 and await accepted.text() == str(5 * 1024 * 1024)
        huge = FormData({"csrf_token": csrf})
        huge.add_field("photo", b"\xff" * (21 * 1024 * 1024), filename="p.jpg",
                       content_type="image/jpeg")
        assert (await client.post("/console/test-upload", data=huge)).status == 413
