"""/forget: erase a person's personal data (with confirmation), and tell staff."""

from __future__ import annotations

from bot.core.messages import Button
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_
from handlers.menu import back_to_menu, show_menu


async def forget(turn: Turn) -> None:
    """Explain what will be erased and ask to confirm."""
    await turn.finish()
    _ = turn._
    turn.say(_(N_("This erases your name, phone number, the content of your hotline questions, "
                  "the questions you typed to the bot, the contact details of an organisation "
                  "you registered (it leaves the public directory) and the participant names of "
                  "your event registrations. Open hotline questions will be closed. "
                  "Erase everything?")),
             [[Button(label=_(N_("🗑 Yes, erase my data")), short=_(N_("Yes, erase")),
                      payload="forget:yes")], back_to_menu(turn)])


async def confirmed(turn: Turn, rest: str) -> None:
    """Erase, close open tickets, tell staff in their topics."""
    if rest != "yes":
        await turn.stale_button()
        return
    staff = turn.for_staff
    note = staff(N_("🗑 The person asked to erase their data. The ticket is closed and its "
                    "content erased."))
    await turn.services.tickets.forget(turn.uow, turn.person, note)
    turn.drafts.clear()  # paused forms were in the erased conversation row
    await turn.finish()
    show_menu(turn, turn._(N_("Done: your personal data was erased.")))


def register(router: Router) -> None:
    """Wire /forget into the router."""
    router.command("forget", forget, N_("erase my personal data"))
    router.button("forget", confirmed)
