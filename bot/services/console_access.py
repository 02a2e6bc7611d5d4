"""Sign-in to the staff console without passwords: one-time links, sessions, CSRF tokens.

Only SHA-256 hashes of tokens are stored. A link works once, for `LINK_VALID`; a session lasts
until it is revoked (sign-out, `hubbot console logout-all`) or unused for `SESSION_IDLE`.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from bot.settings import Settings
from storage.models import utcnow
from storage.models_console import AuditEntry, ConsoleLink, ConsoleSession
from storage.repos.console import ConsoleRepo
from storage.uow import UnitOfWork

LINK_VALID = timedelta(minutes=15)
SESSION_IDLE = timedelta(days=30)
TOUCH_EVERY = timedelta(minutes=1)  # last_seen is written at most this often
NAME_LIMIT = 128


class Refusal(enum.Enum):
    """Why a sign-in link did not sign anybody in."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class SignedIn:
    """A new session: its cookie value (shown once, never stored) and its row."""

    token: str
    session: ConsoleSession


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(session_token: str) -> str:
    """The per-session token every form carries (derived, so nothing more is stored)."""
    return hashlib.sha256(b"csrf:" + session_token.encode()).hexdigest()


def csrf_matches(session_token: str, given: str) -> bool:
    """True when a form's token belongs to this session."""
    return hmac.compare_digest(csrf_token(session_token), given)


def link_url(settings: Settings, token: str, base: str | None = None) -> str:
    """The address staff open to sign in with `token` (at CONSOLE_PUBLIC_URL unless `base`)."""
    return f"{base or settings.console_url}/console/login/{token}"


async def new_link(uow: UnitOfWork, name: str, telegram_user_id: int | None = None) -> str:
    """A fresh one-time token for `name` (the caller commits)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    await uow.repo(ConsoleRepo).add_link(ConsoleLink(
        token_hash=token_hash(token), staff_name=name.strip()[:NAME_LIMIT] or "—",
        telegram_user_id=telegram_user_id, created_at=now, expires_at=now + LINK_VALID))
    return token


async def peek(uow: UnitOfWork, token: str) -> ConsoleLink | Refusal:
    """The link of a token if it still works (nothing changes), or why not."""
    link = await uow.repo(ConsoleRepo).link(token_hash(token), lock=False)
    if link is None:
        return Refusal.UNKNOWN
    if link.used_at is not None:
        return Refusal.USED
    if link.expires_at <= utcnow():
        return Refusal.EXPIRED
    return link


async def redeem(uow: UnitOfWork, token: str, language: str) -> SignedIn | Refusal:
    """Use a link: a new session, or why not (the caller commits)."""
    repo = uow.repo(ConsoleRepo)
    link = await repo.link(token_hash(token))
    now = utcnow()
    if link is None or link.id is None:
        return Refusal.UNKNOWN
    if link.used_at is not None:
        return Refusal.USED
    if link.expires_at <= now:
        return Refusal.EXPIRED
    if not await repo.use_link(link.id, now):
        return Refusal.USED
    session_token = secrets.token_urlsafe(32)
    row = await repo.add_session(ConsoleSession(
        token_hash=token_hash(session_token), staff_name=link.staff_name,
        telegram_user_id=link.telegram_user_id, language=language, created_at=now,
        last_seen=now))
    await repo.add_audit(AuditEntry(at=now, staff_name=link.staff_name,
                                    telegram_user_id=link.telegram_user_id,
                                    action="console.sign_in", target="console"))
    return SignedIn(token=session_token, session=row)


async def current(uow: UnitOfWork, session_token: str) -> ConsoleSession | None:
    """The live session of a cookie, or None (unknown, revoked or idle too long)."""
    repo = uow.repo(ConsoleRepo)
    row = await repo.session_by_hash(token_hash(session_token))
    now = utcnow()
    if row is None or row.id is None or row.revoked_at is not None \
            or now - row.last_seen > SESSION_IDLE:
        return None
    if now - row.last_seen > TOUCH_EVERY:
        await repo.touch(row.id, now)
        row.last_seen = now
    return row


async def remember_language(uow: UnitOfWork, session: ConsoleSession, language: str) -> None:
    """The language this staff member chose."""
    assert session.id is not None
    await uow.repo(ConsoleRepo).touch(session.id, utcnow(), language)


async def sign_out(uow: UnitOfWork, session: ConsoleSession) -> bool:
    """Revoke one session (a second sign-out changes nothing)."""
    assert session.id is not None
    now = utcnow()
    done = await uow.repo(ConsoleRepo).revoke(session.id, now)
    if done:
        await uow.repo(ConsoleRepo).add_audit(AuditEntry(
            at=now, staff_name=session.staff_name, telegram_user_id=session.telegram_user_id,
            action="console.sign_out", target="console"))
    return done


async def logout_all(uow: UnitOfWork, by: str) -> int:
    """Revoke every session; returns how many were live."""
    now = utcnow()
    count = await uow.repo(ConsoleRepo).revoke_all(now)
    if count:
        await uow.repo(ConsoleRepo).add_audit(AuditEntry(
            at=now, staff_name=by, action="console.logout_all", target="console",
            details=f"{count} sessions"))
    return count
