"""/directory: approved, publicly listed organisations by municipality, by area, or by name."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from bot.core.messages import is_small_id
from bot.core.messages import Button
from bot.core.router import Router
from bot.core.turn import Turn
from bot.faq.normalize import fold
from bot.i18n import N_
from bot.services.org_catalog import AREAS, MUNICIPALITIES
from handlers.menu import back_to_menu
from handlers.org_card import public_entry
from storage.repos.organisations import OrganisationRepo

FLOW = "directory"
PAGE = 5
MAX_QUERY = 200
SEARCH_FLOOR = 85  # rapidfuzz score (0–100) of folded names; below it a name is not a match
SEARCH_MARGIN = 10  # names this far below the best match are chance likenesses of short queries
MAX_RESULTS = 5


async def directory(turn: Turn) -> None:
    """/directory: the ways to browse."""
    await turn.finish()
    _ = turn._
    turn.say(_(N_("The directory of Imereti's civil-society organisations. How would you like "
                  "to look?")),
             [[Button(label=_(N_("📍 By municipality")), short=_(N_("Municipality")),
                      payload="dir:m")],
              [Button(label=_(N_("🎯 By area of work")), short=_(N_("Area of work")),
                      payload="dir:a")],
              [Button(label=_(N_("🔎 Search by name")), short=_(N_("Search")), payload="dir:s")],
              back_to_menu(turn)])


async def pressed(turn: Turn, rest: str) -> None:
    """Buttons under `dir:` — m[:key[:offset]], a[:key[:offset]], s, home."""
    kind, _sep, tail = rest.partition(":")
    key, _sep, offset_text = tail.partition(":")
    await turn.finish()
    if kind == "home":
        await directory(turn)
    elif kind == "s":
        await turn.goto(FLOW, "search", {})
        turn.say(turn._(N_("Type the name, or part of it, in Georgian, English or Latin "
                           "letters:")), [back_to_menu(turn)])
    elif kind in ("m", "a") and not key:
        await _choices(turn, kind)
    elif (kind == "m" and key in MUNICIPALITIES or kind == "a" and key in AREAS) and (
            not offset_text or is_small_id(offset_text)):
        await _page(turn, kind, key, int(offset_text or 0))
    else:
        await turn.stale_button()


async def _choices(turn: Turn, kind: str) -> None:
    _ = turn._
    labels = MUNICIPALITIES if kind == "m" else AREAS
    counts = await turn.uow.repo(OrganisationRepo).public_counts(kind, list(labels))
    buttons = [Button(label=f"{_(label)} ({counts[key]})", payload=f"dir:{kind}:{key}")
               for key, label in labels.items() if counts.get(key)]
    if not buttons:
        turn.say(_(N_("No organisations are listed in the directory yet.")), [back_to_menu(turn)])
        return
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)] if kind == "m" else [
        [b] for b in buttons]
    question = (N_("Choose a municipality:") if kind == "m" else N_("Choose an area of work:"))
    turn.say(_(question), rows + [_home_row(turn)])


async def _page(turn: Turn, kind: str, key: str, offset: int) -> None:
    _ = turn._
    page, total = await turn.uow.repo(OrganisationRepo).public_page(kind, key, offset=offset,
                                                                     limit=PAGE)
    label = MUNICIPALITIES[key] if kind == "m" else AREAS[key]
    title = _(label)
    if not page:
        turn.say(_(N_("No organisations are listed here yet.")), [_home_row(turn)])
        return
    header = _(N_("{title}: organisations {first}–{last} of {total}")).format(
        title=title, first=offset + 1, last=offset + len(page), total=total)
    rows: list[list[Button]] = []
    if offset + PAGE < total:
        rows.append([Button(label=_(N_("More ▶️")), short=_(N_("More")),
                            payload=f"dir:{kind}:{key}:{offset + PAGE}")])
    rows.append(_home_row(turn))
    turn.say("\n\n".join([header] + [public_entry(o, _) for o in page]), rows)


def _home_row(turn: Turn) -> list[Button]:
    return [Button(label=turn._(N_("⬅️ Directory")), short=turn._(N_("Directory")),
                   payload="dir:home")] + back_to_menu(turn)


def search(names: Sequence[tuple[int, str, str | None]], query: str) -> list[int]:
    """Ids of the organisations whose Georgian or English name matches the query, best first.

    Fuzzy likeness across scripts has no SQL form; only the names are loaded for it."""
    wanted = fold(query)
    if not wanted:
        return []
    scored = []
    for organisation_id, name_ka, name_en in names:
        score = max(fuzz.partial_ratio(wanted, fold(name))
                    for name in (name_ka, name_en or "") if name)
        if score >= SEARCH_FLOOR:
            scored.append((score, organisation_id))
    scored.sort(key=lambda pair: -pair[0])
    best = scored[0][0] if scored else 0
    return [organisation_id for score, organisation_id in scored[:MAX_RESULTS]
            if score >= best - SEARCH_MARGIN]


async def on_search(turn: Turn) -> None:
    """The name typed after "Search by name"."""
    _ = turn._
    query = (turn.event.text or "").strip()[:MAX_QUERY]
    if not query:
        turn.say(_(N_("Please type the name in words.")), [back_to_menu(turn)])
        return
    await turn.finish()
    repo = turn.uow.repo(OrganisationRepo)
    found = await repo.by_ids(search(await repo.public_names(), query))
    again = [Button(label=_(N_("🔎 Search again")), short=_(N_("Search again")),
                    payload="dir:s")]
    if not found:
        turn.say(_(N_("No listed organisation has a name like that.")), [again, _home_row(turn)])
        return
    turn.say("\n\n".join(public_entry(o, _) for o in found), [again, _home_row(turn)])


def register(router: Router) -> None:
    """Wire the directory into the router."""
    router.command("directory", directory, N_("the directory of organisations"))
    router.button("dir", pressed)
    router.flow(FLOW, on_search)
    router.menu(40, N_("📇 Directory of organisations"), N_("Directory"), "dir:home")
