"""The audit log: every change made from the console, written with the change itself."""

from __future__ import annotations

from bot.console.staff import StaffMember
from storage.models import utcnow
from storage.models_console import AuditEntry
from storage.repos.console import ConsoleRepo
from storage.uow import UnitOfWork

DETAILS_LIMIT = 500


async def record(uow: UnitOfWork, staff: StaffMember, action: str, target: str,
                 details: str = "") -> None:
    """Add an audit row to the caller's unit of work (committed with the change).

    `action` is a stable key ("ticket.reply", "org.approve"); `target` names the record
    ("ticket #12"); `details` never holds message texts or personal data."""
    await uow.repo(ConsoleRepo).add_audit(AuditEntry(
        at=utcnow(), staff_name=staff.name, telegram_user_id=staff.telegram_user_id,
        action=action[:48], target=target[:128], details=details[:DETAILS_LIMIT]))
