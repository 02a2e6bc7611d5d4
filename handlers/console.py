"""/console in the staff chat: a one-time sign-in link to the staff console.

The link is answered where /console was written (the staff chat is for staff only). A private
message would be safer from other eyes, but Telegram lets a bot write privately only to people
who have started a chat with it, and the bot cannot tell beforehand: the link would then be lost
without a word. The link works once, for 15 minutes, is bound to the sender's name and Telegram
id, and its page asks for one more press, so Telegram's link preview cannot use it up.
"""

from __future__ import annotations

from bot.core.turn import Turn
from bot.i18n import N_
from bot.services import console_access


async def console(turn: Turn) -> None:
    """/console: a sign-in link for whoever sent it."""
    _ = turn.for_staff
    name = turn.person.display_name or turn.event.display_name or turn.event.user_id
    # Staff write from the Telegram staff chat, whose user ids the adapter made from numbers
    # (up to 52 bits: longer than a record's id); any other channel has no Telegram id.
    user_id = int(turn.event.user_id) if turn.event.channel == "telegram" else None
    token = await console_access.new_link(turn.uow, name, user_id)
    url = console_access.link_url(turn.services.settings, token)
    turn.say(_(N_("🔑 Staff console sign-in for {name}:\n{url}\n\nThe link works once, for 15 "
                  "minutes, and signs in as {name} — do not pass it on. Send /console again "
                  "for a new one.")).format(name=name, url=url))
