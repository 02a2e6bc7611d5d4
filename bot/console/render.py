"""Rendering console pages: templates get the console language, the signed-in staff member,
the CSRF token, the navigation and a one-shot notice."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDictProxy

from bot.console.deps import deps
from bot.console.staff import CSRF_KEY, STAFF_KEY
from bot.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    Translate,
    translations,
)

LANG_COOKIE = "lang"
NOTICE_COOKIE = "console_notice"
NOTICE_LIMIT = 300
NAV = web.AppKey("console_nav", tuple)  # ((path, title message id), …) in nav order


def language(request: web.Request) -> str:
    """The console language: the `lang` cookie (ka or en), Georgian by default."""
    chosen = request.cookies.get(LANG_COOKIE, "")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def translate(request: web.Request) -> Translate:
    """`_` in the console language of this request."""
    return translations(language(request)).gettext


def render(request: web.Request, template: str, context: dict[str, Any] | None = None, *,
           status: int = 200) -> web.Response:
    """A page from `template` with the console's common context."""
    lang = language(request)
    catalog = translations(lang)
    nav = request.config_dict.get(NAV, ())
    other = "en" if lang == "ka" else "ka"
    notice = request.cookies.get(NOTICE_COOKIE)
    values: dict[str, Any] = {
        "_": catalog.gettext, "ngettext": catalog.ngettext, "lang": lang,
        "other_lang": other, "other_lang_name": LANGUAGE_NAMES[other],
        "staff": request.get(STAFF_KEY), "csrf_token": request.get(CSRF_KEY, ""),
        "nav": [{"path": path, "title": catalog.gettext(title),
                 "current": _is_current(request.path, path)} for path, title in nav],
        "notice": unquote(notice)[:NOTICE_LIMIT] if notice else None,
        "path": request.path_qs,
    }
    values.update(context or {})
    response = aiohttp_jinja2.render_template(template, request, values, status=status)
    if notice:
        response.del_cookie(NOTICE_COOKIE, path="/console")
    return response


def _is_current(current: str, path: str) -> bool:
    if path.rstrip("/") == "/console":
        return current.rstrip("/") == "/console"
    return current == path or current.startswith(path.rstrip("/") + "/")


def see_other(request: web.Request, path: str, notice: str | None = None) -> web.HTTPSeeOther:
    """The answer to a POST: go to `path`, where `notice` shows once."""
    response = web.HTTPSeeOther(path)
    if notice:
        response.set_cookie(NOTICE_COOKIE, quote(notice[:NOTICE_LIMIT]), path="/console",
                            httponly=True, samesite="Lax",
                            secure=deps(request).settings.console_secure)
    return response


async def form(request: web.Request) -> MultiDictProxy[str | bytes | web.FileField]:
    """The posted form (its CSRF token is already checked by the middleware)."""
    return await request.post()
