"""Staff review of organisation registrations: a card with Approve / Reject in the staff chat."""

from __future__ import annotations

from bot.core.messages import is_small_id
from bot.core.messages import Button
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_
from bot.services.organisations import approve_organisation, form_values, reject_organisation
from handlers.org_card import organisation_summary
from storage.models_orgs import Organisation


def post_review_card(turn: Turn, organisation: Organisation) -> None:
    """Ask staff to review a new or changed registration."""
    _ = turn.for_staff
    number = organisation.id
    text = (_(N_("🏢 Organisation #{number} asks to be registered:")).format(number=number)
            + "\n\n" + organisation_summary(form_values(organisation), _))
    turn.notify_staff(text, [[
        Button(label=_(N_("✅ Approve")), payload=f"orgr:a:{number}"),
        Button(label=_(N_("❌ Reject")), payload=f"orgr:r:{number}")]])


async def pressed(turn: Turn, rest: str) -> None:
    """Approve at once; for Reject, ask for the reason."""
    action, _sep, number = rest.partition(":")
    _ = turn.for_staff
    if turn.event.chat_kind != "staff" or not is_small_id(number) or action not in ("a", "r"):
        await turn.stale_button()
        return
    if action == "r":
        turn.say(_(N_("Send /reject {number} followed by the reason; the person will read it."))
                 .format(number=number))
        return
    await _decide(turn, int(number), None)


async def reject_command(turn: Turn) -> None:
    """/reject N REASON."""
    _ = turn.for_staff
    args = (turn.event.command[1] if turn.event.command else "").split(" ", 1)
    if len(args) < 2 or not is_small_id(args[0].lstrip("#")) or not args[1].strip():
        turn.say(_(N_("Use: /reject NUMBER REASON")))
        return
    await _decide(turn, int(args[0].lstrip("#")), args[1].strip())


async def approve_command(turn: Turn) -> None:
    """/approve N."""
    _ = turn.for_staff
    args = (turn.event.command[1] if turn.event.command else "").strip().lstrip("#")
    if not is_small_id(args):
        turn.say(_(N_("Use: /approve NUMBER")))
        return
    await _decide(turn, int(args), None)


async def _decide(turn: Turn, number: int, reason: str | None) -> None:
    _ = turn.for_staff
    outcome = (await reject_organisation(turn.uow, number, reason) if reason
               else await approve_organisation(turn.uow, number))
    if outcome is None:
        turn.say(_(N_("There is no organisation #{number}.")).format(number=number))
        return
    if not outcome.changed:  # a second press or command: the person was told the first time
        turn.say((_(N_("#{number} was already rejected with this reason; nobody was told again."))
                  if reason else
                  _(N_("#{number} was already approved; nobody was told again."))
                  ).format(number=number))
        return
    if outcome.person is not None:
        turn.notify(outcome.person, outcome.text)
    name = turn.person.display_name or "—"
    turn.say((_(N_("❌ #{number} rejected by {name}.")) if reason else
              _(N_("✅ #{number} approved by {name}."))).format(number=number, name=name))


def register(router: Router) -> None:
    """Wire organisation review into the staff chat."""
    router.button("orgr", pressed)
    router.staff_command("approve", approve_command, N_("approve an organisation"))
    router.staff_command("reject", reject_command, N_("reject an organisation, with a reason"))
