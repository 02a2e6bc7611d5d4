"""A stand-in Graph API for Messenger on 127.0.0.1: records sends and enforces Messenger's limits.

Any request breaking a documented limit is answered with Graph's error 100 and recorded in
`violations`, so a test can assert that the bot never sent one.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

VERSION = "v21.0"
PAGE_TOKEN = "test-page-token"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
PAGE_ID = "1000000000001"
MESSAGING_TYPES = {"RESPONSE", "UPDATE", "MESSAGE_TAG"}
TAGS = {"CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE", "ACCOUNT_UPDATE", "HUMAN_AGENT"}


@dataclass
class SentMessage:
    """One accepted Send API call."""

    recipient: str
    messaging_type: str
    tag: str | None
    message: dict[str, Any]
    file: tuple[str, bytes] | None = None

    @property
    def text(self) -> str:
        """The visible text: the message text or the button template's text."""
        if "text" in self.message:
            return str(self.message["text"])
        payload = self.message.get("attachment", {}).get("payload", {})
        return str(payload.get("text", ""))

    @property
    def quick_replies(self) -> list[dict[str, Any]]:
        """Quick replies offered with the message."""
        return list(self.message.get("quick_replies", []))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Buttons of a button template."""
        return list(self.message.get("attachment", {}).get("payload", {}).get("buttons", []))


@dataclass
class FakeGraphAPI:
    """The far side of the wire for the Messenger channel."""

    token: str = PAGE_TOKEN
    sent: list[SentMessage] = field(default_factory=list)
    profile_calls: list[dict[str, Any]] = field(default_factory=list)
    people: dict[str, dict[str, str]] = field(default_factory=dict)  # PSID → profile fields
    profile_lookups: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    _failures: list[tuple[int, int | None, str, int]] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _port: int | None = None

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application(client_max_size=30 * 1024 * 1024)
        app.router.add_post(f"/{VERSION}/me/messages", self._messages)
        app.router.add_post(f"/{VERSION}/me/messenger_profile", self._profile)
        app.router.add_get(f"/{VERSION}/{{psid}}", self._person)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """What MESSENGER_API_BASE_URL should be."""
        return f"http://127.0.0.1:{self._port}/{VERSION}"

    async def _person(self, request: web.Request) -> web.Response:
        """The User Profile API: the fields we know of a PSID (Meta answers an error otherwise)."""
        psid = request.match_info["psid"]
        self.profile_lookups.append(psid)
        if request.query.get("access_token") != self.token:
            return self._error(190, "Invalid OAuth access token.")
        if psid not in self.people:
            return self._error(100, "No profile available for that user.")
        wanted = request.query.get("fields", "").split(",")
        return web.json_response({"id": psid} | {k: v for k, v in self.people[psid].items()
                                                 if k in wanted})

    def fail_next(self, code: int, subcode: int | None = None, message: str = "error",
                  status: int = 400) -> None:
        """Answer the next Send API call with this Graph error."""
        self._failures.append((code, subcode, message, status))

    def sent_to(self, psid: str) -> list[SentMessage]:
        """Accepted messages to one person, in order."""
        return [m for m in self.sent if m.recipient == psid]

    async def wait_for(self, psid: str, count: int, timeout: float = 10.0) -> list[SentMessage]:
        """Wait until `count` messages went to `psid`; returns them all."""
        deadline = time.monotonic() + timeout
        while len(self.sent_to(psid)) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        found = self.sent_to(psid)
        assert len(found) >= count, f"expected {count} messages to {psid}, got {len(found)}"
        return found

    def _error(self, code: int, message: str, subcode: int | None = None,
               status: int = 400) -> web.Response:
        error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code,
                                 "fbtrace_id": "fake"}
        if subcode is not None:
            error["error_subcode"] = subcode
        return web.json_response({"error": error}, status=status)

    def _bad(self, why: str) -> web.Response:
        self.violations.append(why)
        return self._error(100, f"(#100) {why}")

    async def _messages(self, request: web.Request) -> web.Response:
        if request.query.get("access_token") != self.token:
            return self._error(190, "Invalid OAuth access token.")
        file: tuple[str, bytes] | None = None
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            body = {k: json.loads(str(v)) if k in ("recipient", "message") else v
                    for k, v in form.items() if k != "filedata"}
            upload = form.get("filedata")
            if not isinstance(upload, web.FileField):
                return self._bad("filedata missing")
            file = (upload.filename, upload.file.read())
        else:
            body = await request.json()
        if self._failures:
            code, subcode, message, status = self._failures.pop(0)
            return self._error(code, message, subcode, status)
        problem = self._check(body, file is not None)
        if problem:
            return self._bad(problem)
        self.sent.append(SentMessage(recipient=body["recipient"]["id"],
                                     messaging_type=body["messaging_type"], tag=body.get("tag"),
                                     message=body["message"], file=file))
        return web.json_response({"recipient_id": body["recipient"]["id"],
                                  "message_id": f"m_{len(self.sent)}"})

    def _check(self, body: dict[str, Any], has_file: bool) -> str | None:
        kind, tag = body.get("messaging_type"), body.get("tag")
        if kind not in MESSAGING_TYPES:
            return f"messaging_type {kind!r}"
        if (kind == "MESSAGE_TAG") != (tag is not None) or (tag is not None and tag not in TAGS):
            return f"tag {tag!r} with messaging_type {kind}"
        if not body.get("recipient", {}).get("id"):
            return "recipient.id missing"
        message = body.get("message") or {}
        text = message.get("text")
        attachment = message.get("attachment")
        if (text is None) == (attachment is None):
            return "message needs exactly one of text and attachment"
        if text is not None and not 0 < len(text) <= 2000:
            return f"text of {len(text)} characters"
        quick = message.get("quick_replies", [])
        if len(quick) > 13:
            return f"{len(quick)} quick replies"
        for q in quick:
            if q.get("content_type") == "text":
                if not 0 < len(q.get("title", "")) <= 20 or not q.get("payload"):
                    return f"quick reply title {q.get('title')!r}"
                if len(q["payload"]) > 1000:
                    return "quick reply payload over 1000"
        if attachment is not None:
            payload = attachment.get("payload", {})
            if attachment.get("type") == "template":
                if payload.get("template_type") != "button":
                    return "only button templates are expected"
                if not 0 < len(payload.get("text", "")) <= 640:
                    return f"template text of {len(payload.get('text', ''))} characters"
                buttons = payload.get("buttons", [])
                if not 1 <= len(buttons) <= 3:
                    return f"{len(buttons)} template buttons"
                for b in buttons:
                    if not 0 < len(b.get("title", "")) <= 20:
                        return f"button title {b.get('title')!r}"
                    if b.get("type") == "postback" and not 0 < len(b.get("payload", "")) <= 1000:
                        return "postback payload"
                    if b.get("type") == "web_url" and not b.get("url"):
                        return "web_url without url"
            elif attachment.get("type") == "file" and not has_file and not payload.get("url"):
                return "file attachment without upload"
        return None

    async def _profile(self, request: web.Request) -> web.Response:
        if request.query.get("access_token") != self.token:
            return self._error(190, "Invalid OAuth access token.")
        body = await request.json()
        self.profile_calls.append(body)
        for item in body.get("greeting", []):
            if len(item.get("text", "")) > 160:
                return self._bad("greeting over 160 characters")
        for menu in body.get("persistent_menu", []):
            if len(menu.get("call_to_actions", [])) > 20:
                return self._bad("more than 20 menu items")
            for action in menu.get("call_to_actions", []):
                if len(action.get("title", "")) > 30:
                    return self._bad(f"menu title {action.get('title')!r}")
        return web.json_response({"result": "success"})


def signed(body: dict[str, Any] | bytes, secret: str = APP_SECRET) -> tuple[bytes, dict[str, str]]:
    """A webhook POST body and its headers, signed as Meta signs them."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


def real_looking_mid() -> str:
    """A unique message id as long as Messenger's (about 90 characters)."""
    return "m_" + hashlib.sha256(str(time.monotonic_ns()).encode()).hexdigest() + "A" * 24


def text_event(psid: str, text: str, *, mid: str | None = None,
               quick_reply: str | None = None) -> dict[str, Any]:
    """One messaging event: a person sent text (or tapped a quick reply)."""
    message: dict[str, Any] = {"mid": mid or real_looking_mid(), "text": text}
    if quick_reply is not None:
        message["quick_reply"] = {"payload": quick_reply}
    return {"sender": {"id": psid}, "recipient": {"id": PAGE_ID},
            "timestamp": int(time.time() * 1000), "message": message}


def postback_event(psid: str, payload: str, title: str = "") -> dict[str, Any]:
    """One messaging event: a person pressed a button-template or menu button."""
    return {"sender": {"id": psid}, "recipient": {"id": PAGE_ID},
            "timestamp": int(time.time() * 1000),
            "postback": {"mid": real_looking_mid(), "title": title,
                         "payload": payload}}


def webhook(*events: dict[str, Any]) -> dict[str, Any]:
    """A webhook body with the events in one entry."""
    return {"object": "page", "entry": [{"id": PAGE_ID, "time": int(time.time() * 1000),
                                         "messaging": list(events)}]}
