"""What the console answers when it cannot do what was asked: a page in the console language,
never aiohttp's own English text ("404: Not Found", "Maximum request body size …") nor a
traceback. Pages raise `ErrorPage` for what they know (no such record, a form that makes no
sense); the `explain` middleware renders it, and words the other errors by their status."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.console.render import render
from bot.i18n import N_

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Back = tuple[str, str]  # (path, its title as a message id): the page's way back

HOME: Back = ("/console/", N_("Dashboard"))
BY_STATUS = {  # status -> (heading, explanation), message ids
    404: (N_("Page not found"), N_("Nothing is at this address: it may be mistyped, or what it "
                                   "showed no longer exists.")),
    405: (N_("Not possible this way"), N_("This address does not take this kind of request. "
                                          "Go back and use the page's buttons.")),
    413: (N_("Too large"), N_("What was sent is larger than the console accepts. Go back and "
                              "choose a smaller file.")),
}
CLIENT_ERROR = (N_("This request could not be handled"),
                N_("Go back, reload the page and try again."))
SERVER_ERROR = (N_("Something went wrong"),
                N_("The console could not do this just now. Try again in a minute; if it keeps "
                   "happening, tell whoever runs the bot."))


class ErrorPage(Exception):
    """What a page cannot do (no such record, a form that makes no sense), raised wherever it
    is found out; `explain` answers with `status` and a page in the console language.
    `heading` and `explanation` are message ids, the explanation may name `{values}`; `back`
    is the link under it."""

    def __init__(self, status: int, heading: str, explanation: str, *,
                 back: Back | None = HOME, **values: object) -> None:
        super().__init__(heading)
        self.status, self.heading, self.explanation = status, heading, explanation
        self.back, self.values = back, values


def error_page(request: web.Request, heading: str, explanation: str, *, status: int,
               back: Back | None = HOME, **values: object) -> web.Response:
    """A page saying what went wrong, in the console language (see `ErrorPage`)."""
    return render(request, "refused.html", {"heading": heading, "explanation": explanation,
                                            "values": values, "back": back}, status=status)


@web.middleware
async def explain(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error the console answers is a page in its language: an `ErrorPage` as raised;
    aiohttp's own (no such address, a body too large) and any bare HTTP error by its status."""
    try:
        return await handler(request)
    except ErrorPage as error:
        return error_page(request, error.heading, error.explanation, status=error.status,
                          back=error.back, **error.values)
    except web.HTTPException as error:
        if error.status < 400:
            raise  # a redirect
        heading, explanation = BY_STATUS.get(
            error.status, CLIENT_ERROR if error.status < 500 else SERVER_ERROR)
        page = error_page(request, heading, explanation, status=error.status)
        if "Allow" in error.headers:  # 405 says what the address does take
            page.headers["Allow"] = error.headers["Allow"]
        return page
    except Exception:  # a bug: logged with its traceback, the page says only that it failed
        resource = request.match_info.route.resource  # its pattern: a path may hold a token
        log.exception("console request %s %s failed", request.method,
                      resource.canonical if resource is not None else "(no route)")
        heading, explanation = SERVER_ERROR
        return error_page(request, heading, explanation, status=500)
