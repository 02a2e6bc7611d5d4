"""Who is signed in: one-time link sign-in, session cookies, the CSRF check on every POST,
sign-out and the language switch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.console.deps import deps
from bot.console.errors import error_page
from bot.console.render import LANG_COOKIE, language, render, see_other
from bot.console.staff import CSRF_KEY, STAFF_KEY, StaffMember
from bot.i18n import LANGUAGES, N_
from bot.services import console_access as access
from storage.uow import UnitOfWork

SESSION_COOKIE = "console_session"
LANG_COOKIE_AGE = 365 * 86400
CHANGING = ("POST", "PUT", "PATCH", "DELETE")
UPLOAD_LIMIT = 20 * 1024 * 1024  # a console form with a file (the web server's default is 2 MB)
OPEN_PREFIXES = ("/console/login/", "/console/static/", "/console/lang/")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def staff(request: web.Request) -> StaffMember:
    """The staff member signed in for this request (the middleware guarantees one)."""
    return request[STAFF_KEY]


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every console page needs a live session; every change carries the session's CSRF token."""
    if request.path.startswith(OPEN_PREFIXES):
        return await handler(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    session = None
    if token:
        async with UnitOfWork(deps(request).database) as uow:
            session = await access.current(uow, token)
            await uow.commit()
    if session is None or session.id is None:
        return render(request, "signin.html", status=401)
    request[STAFF_KEY] = StaffMember(id=session.id, name=session.staff_name,
                                     telegram_user_id=session.telegram_user_id,
                                     language=language(request))
    request[CSRF_KEY] = access.csrf_token(token)
    if request.method in CHANGING:  # forms may carry a photo or a document for people
        request = request.clone(client_max_size=UPLOAD_LIMIT)  # (the keys above come along)
        posted = await request.post()
        given = posted.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
        if not isinstance(given, str) or not access.csrf_matches(token, given):
            return error_page(request, N_("This form has expired"), N_(
                "The page was open too long or came from somewhere else. Go back, reload the "
                "page and try again."), status=403, back=None)
    return await handler(request)


async def login_page(request: web.Request) -> web.StreamResponse:
    """GET of a sign-in link: a button to sign in (link previews and scanners only GET, so
    they cannot use the link up), or why the link no longer works."""
    token = request.match_info["token"]
    async with UnitOfWork(deps(request).database) as uow:
        link = await access.peek(uow, token)
    if isinstance(link, access.Refusal):
        return _refused(request, link)
    return render(request, "login.html", {"name": link.staff_name})


async def login(request: web.Request) -> web.StreamResponse:
    """POST of a sign-in link: a new session and its cookie, then the dashboard."""
    token = request.match_info["token"]
    async with UnitOfWork(deps(request).database) as uow:
        outcome = await access.redeem(uow, token, language(request))
        await uow.commit()
    if isinstance(outcome, access.Refusal):
        return _refused(request, outcome)
    response = web.HTTPSeeOther("/console/")
    response.set_cookie(SESSION_COOKIE, outcome.token, path="/console", httponly=True,
                        samesite="Lax", secure=deps(request).settings.console_secure,
                        max_age=int(access.SESSION_IDLE.total_seconds()))
    raise response


def _refused(request: web.Request, why: access.Refusal) -> web.Response:
    heading = {access.Refusal.USED: N_("This sign-in link has been used already"),
               access.Refusal.EXPIRED: N_("This sign-in link has expired"),
               access.Refusal.UNKNOWN: N_("This sign-in link is not valid")}[why]
    return error_page(request, heading, N_(
        "Each link works once, for 15 minutes. For a new one, send /console in the staff chat "
        "on Telegram."), status=403 if why is access.Refusal.UNKNOWN else 410, back=None)


async def logout(request: web.Request) -> web.StreamResponse:
    """Sign-out: the session is revoked, the cookie dropped."""
    member = staff(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    async with UnitOfWork(deps(request).database) as uow:
        session = await access.current(uow, token)
        if session is not None and session.id == member.id:
            await access.sign_out(uow, session)
        await uow.commit()
    response = web.HTTPSeeOther("/console/")
    response.del_cookie(SESSION_COOKIE, path="/console")
    raise response


async def switch_language(request: web.Request) -> web.StreamResponse:
    """/console/lang/{code}?next=PATH: the console in that language from now on."""
    code = request.match_info["code"]
    target = request.query.get("next", "/console/")
    if not target.startswith("/console") or target.startswith("//"):
        target = "/console/"
    response = web.HTTPSeeOther(target)
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, path="/console", max_age=LANG_COOKIE_AGE,
                            samesite="Lax", secure=deps(request).settings.console_secure)
        token = request.cookies.get(SESSION_COOKIE, "")
        if token:
            async with UnitOfWork(deps(request).database) as uow:
                session = await access.current(uow, token)
                if session is not None:
                    await access.remember_language(uow, session, code)
                await uow.commit()
    raise response


def add_routes(app: web.Application) -> None:
    """Sign-in, sign-out and the language switch."""
    app.router.add_get("/login/{token}", login_page)
    app.router.add_post("/login/{token}", login)
    app.router.add_post("/logout", logout)
    app.router.add_get("/lang/{code}", switch_language)


__all__ = ["StaffMember", "add_routes", "guard", "see_other", "staff"]
