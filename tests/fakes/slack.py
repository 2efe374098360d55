"""Slack's side of the Slack channel, for the tests: a fake Slack Web API and a signed event sender.

`FakeSlackApi` is an aiohttp server on loopback that answers the Web API methods the bot
calls (`chat.postMessage`, `conversations.open`) the way Slack does (bearer token checked, the
token's scopes are those deploy/slack-manifest.yml asks for and a method without its scope gets
`missing_scope`, Block Kit limits enforced with `invalid_blocks`), and records every call. The session
fixture `slack_env` points the shared stack at it (`SLACK_API_BASE_URL`) with a test token
and signing secret. `SlackSender` plays Slack's Events API and interactivity: it signs
requests with the signing secret (computed here, independently of `bot.channels.slack`) and posts
them to the bot's `/webhooks/slack/webhook`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
import yaml
from aiohttp import web

from tests.fakes import LoopbackServer

MANIFEST = Path(__file__).resolve().parents[2] / "deploy" / "slack-manifest.yml"
# The bot scopes that let a bot token call each method, from Slack's method reference (written here,
# independently of the bot's own table, bot.channels.slack.WEB_API_METHODS).
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "chat.postMessage": frozenset({"chat:write"}),
    "chat.update": frozenset({"chat:write"}),
    "conversations.open": frozenset({"channels:manage", "groups:write", "im:write", "mpim:write"}),
}


def manifest_bot_scopes() -> frozenset[str]:
    """The bot scopes the app manifest asks for: what an installed app's bot token holds."""
    return frozenset(yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["oauth_config"]["scopes"]["bot"])


SLACK_TOKEN = "xoxb-test-0000-arbejdsmiljoeguiden"
SLACK_SIGNING_SECRET = "test-signing-secret-3f9a2c7d1e"
BOT_USER = "UBOT00001"
TEAM = "T0TEST001"
# The channel set as SLACK_CHANNEL: the bot answers every message there, mentioned or not.
TR_CHANNEL = "C0TRKANAL"


@dataclass(frozen=True)
class SlackCall:
    """One Web API call the bot made: the method, its arguments, and the error Slack would answer."""

    method: str
    args: dict[str, Any]
    error: Optional[str] = None


def _block_kit_error(args: dict[str, Any]) -> Optional[str]:
    """What Slack answers to a chat.postMessage / chat.update it refuses (the limits the bot must respect)."""
    if not args.get("channel"):
        return "channel_not_found"
    blocks = args.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if not args.get("text") and not blocks:
        return "no_text"
    if blocks is None:
        return None
    if len(blocks) > 50:
        return "invalid_blocks"
    action_ids: list[str] = []
    for block in blocks:
        if block.get("type") == "section" and len(block["text"]["text"]) > 3000:
            return "invalid_blocks"
        if block.get("type") == "actions":
            if not 1 <= len(block["elements"]) <= 25:
                return "invalid_blocks"
            for element in block["elements"]:
                if len(element["text"]["text"]) > 75 or len(element.get("value", "")) > 2000:
                    return "invalid_blocks"
                if "action_id" in element:
                    action_ids.append(element["action_id"])
    if len(action_ids) != len(set(action_ids)):
        return "invalid_blocks"
    return None


@dataclass
class FakeSlackApi(LoopbackServer):
    """A Slack Web API on 127.0.0.1 that records every call (in its own thread and event loop)."""

    token: str
    scopes: frozenset[str] = field(default_factory=manifest_bot_scopes)
    calls: list[SlackCall] = field(default_factory=list)
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def start(self) -> "FakeSlackApi":
        started = threading.Event()
        self._loop = asyncio.new_event_loop()

        async def serve() -> None:
            app = web.Application()
            app.router.add_post("/api/{method}", self._api)
            self._runner = web.AppRunner(app)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            started.set()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(serve())
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-slack-api", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("the fake Slack API did not start")
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            with self._lock:
                self.calls.append(SlackCall(method, {}, "invalid_auth"))
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if request.content_type == "application/json":
            args = await request.json()
        else:
            args = dict(await request.post())
        if method not in METHOD_SCOPES:
            error: Optional[str] = "unknown_method"
        elif not METHOD_SCOPES[method] & self.scopes:
            error = "missing_scope"
        elif method == "conversations.open":
            error = None if isinstance(args.get("users"), str) and args["users"].startswith("U") else "user_not_found"
        else:
            error = _block_kit_error(args)
        with self._lock:
            self.calls.append(SlackCall(method, args, error))
            ts = f"{int(time.time())}.{next(self._ts):06d}"
        if error:
            return web.json_response({"ok": False, "error": error})
        if method == "chat.postMessage":
            message = {
                "type": "message",
                "user": BOT_USER,
                "bot_id": "B0BOT0001",
                "text": args.get("text"),
                "ts": ts,
                **({"thread_ts": args["thread_ts"]} if args.get("thread_ts") else {}),
            }
            return web.json_response({"ok": True, "channel": args["channel"], "ts": ts, "message": message})
        if method == "conversations.open":
            return web.json_response({"ok": True, "channel": {"id": direct_message_of(args["users"])}})
        return web.json_response({"ok": True})

    # -- what the tests read ------------------------------------------------------------
    def mark(self) -> int:
        """A position in the call log: `posts(since=...)` then shows only what came after it."""
        with self._lock:
            return len(self.calls)

    def posts(self, since: int = 0, channel: Optional[str] = None) -> list[SlackCall]:
        """The accepted chat.postMessage calls since a mark (to one channel, if given)."""
        with self._lock:
            calls = self.calls[since:]
        return [
            c
            for c in calls
            if c.method == "chat.postMessage"
            and c.error is None
            and (channel is None or c.args.get("channel") == channel)
        ]

    def wait_for_posts(self, since: int, channel: str, count: int = 1, timeout: float = 60) -> list[SlackCall]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            posts = self.posts(since, channel)
            if len(posts) >= count:
                return posts
            time.sleep(0.1)
        raise AssertionError(f"expected {count} message(s) to {channel}, got {self.posts(since, channel)}")


def direct_message_of(user: str) -> str:
    """The id of a user's direct message with the bot: `D` and the rest of the user's id
    (`Workspace.new_user` makes them so; Slack's ids are unrelated, but as stable)."""
    return "D" + user[1:]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature, as its documentation describes it."""
    return "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()


@dataclass
class SlackSender:
    """Posts signed Events API and interactivity requests to the bot, as Slack does."""

    webhook_url: str
    signing_secret: str = SLACK_SIGNING_SECRET
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{int(time.time() * 1000)}{next(self._ids):04d}"

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: Optional[str] = None,
        signature: Optional[str] = None,
        sign_with: Optional[str] = None,
        headers: Optional[dict[str, str]] = None,
    ) -> tuple[int, bytes]:
        """POST a body; signed with the signing secret unless `signature`/`timestamp` say otherwise."""
        timestamp = str(int(time.time())) if timestamp is None else timestamp
        all_headers = {"Content-Type": content_type, **(headers or {})}
        if timestamp:
            all_headers["X-Slack-Request-Timestamp"] = timestamp
        if signature is None:
            signature = sign(sign_with or self.signing_secret, timestamp, body)
        if signature:
            all_headers["X-Slack-Signature"] = signature
        request = urllib.request.Request(self.webhook_url, data=body, headers=all_headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def event_envelope(self, event: dict[str, Any], event_id: Optional[str] = None) -> dict[str, Any]:
        """An Events API `event_callback` around one event, as Slack wraps it."""
        return {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "api_app_id": "A0TESTAPP",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or self.new_id("Ev"),
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        }

    def message_event(
        self,
        user: str,
        channel: str,
        text: str,
        *,
        kind: str = "message",
        channel_type: Optional[str] = "im",
        thread_ts: Optional[str] = None,
        markup: bool = False,
    ) -> dict[str, Any]:
        """A message as the user typed it (Slack escapes &, <, >), or with `markup` already in Slack's
        format (`<@U123>` for a mention, `<mailto:a@b.dk|a@b.dk>` for an e-mail address)."""
        if not markup:
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        event: dict[str, Any] = {
            "type": kind,
            "user": user,
            "text": text,
            "channel": channel,
            "ts": f"{time.time():.6f}",
            "event_ts": f"{time.time():.6f}",
        }
        if kind == "message" and channel_type:
            event["channel_type"] = channel_type
        if thread_ts:
            event["thread_ts"] = thread_ts
        return event

    def send_event(
        self,
        envelope: dict[str, Any],
        *,
        content_type: str = "application/json",
        headers: Optional[dict[str, str]] = None,
        **signing: Any,
    ) -> tuple[int, bytes]:
        return self.post(json.dumps(envelope).encode(), content_type, headers=headers, **signing)

    def click(
        self, user: str, post: SlackCall, title: str, *, trigger_id: Optional[str] = None, message_ts: str = ""
    ) -> tuple[dict[str, Any], tuple[int, bytes]]:
        """Click the button titled `title` in a message the bot posted; returns the payload and the answer."""
        elements = [e for b in post.args.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]
        button = next(e for e in elements if e["text"]["text"] == title)
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER,
            "bot_id": "B0BOT0001",
            "ts": message_ts or f"{time.time():.6f}",
            "text": post.args.get("text"),
            "blocks": post.args.get("blocks"),
        }
        if post.args.get("thread_ts"):
            message["thread_ts"] = post.args["thread_ts"]
        payload = {
            "type": "block_actions",
            "user": {"id": user, "team_id": TEAM},
            "api_app_id": "A0TESTAPP",
            "team": {"id": TEAM},
            "trigger_id": trigger_id or self.new_id("trig."),
            "container": {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": post.args["channel"],
                "is_ephemeral": False,
            },
            "channel": {"id": post.args["channel"]},
            "message": message,
            "response_url": "https://hooks.slack.invalid/actions/T0TEST001/1/x",
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "block_id": "b1",
                    "text": button["text"],
                    "value": button["value"],
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return payload, self.post(body, "application/x-www-form-urlencoded")


@pytest.fixture(scope="session")
def slack_api() -> Iterator[FakeSlackApi]:
    with FakeSlackApi(SLACK_TOKEN) as api:
        yield api


@pytest.fixture(scope="session")
def slack_env(slack_api: FakeSlackApi) -> dict[str, str]:
    """The shared stack's Slack settings: test secrets, SLACK_CHANNEL, and the fake Web API's address."""
    return {
        "SLACK_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
        "SLACK_CHANNEL": TR_CHANNEL,
        "SLACK_API_BASE_URL": slack_api.base_url,
    }


class Workspace:
    """A Slack workspace talking to the running bot: users write, click, and read the bot's posts.

    The bot posts a turn's answer after Rasa has stored the turn (where it goes depends on the
    stored conversation), so a turn is over when as many posts have arrived as the tracker holds
    bot messages after the user's message (`wait_answered`); the line in a channel's thread that
    says the answer went to the direct message is not one of them.
    """

    def __init__(self, bot: Any, api: FakeSlackApi) -> None:
        self.bot = bot
        self.api = api
        self.sender = SlackSender(f"{bot.stack.rasa_url}/webhooks/slack/webhook")
        self.last_event: dict[str, Any] = {}

    @staticmethod
    def new_user() -> tuple[str, str]:
        """A fresh user and their direct-message channel with the bot."""
        suffix = uuid.uuid4().hex[:10].upper()
        return f"U{suffix}", f"D{suffix}"

    def user_events(self, user: str) -> list[dict]:
        return [e for e in self.bot.tracker(user, "slack")["events"] if e["event"] == "user"]

    def wait_handled(self, user: str, message_id: str, timeout: float = 90) -> None:
        """Until Rasa has stored the message (it stores the tracker after every reply is sent)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(e.get("message_id") == message_id for e in self.user_events(user)):
                return
            time.sleep(0.2)
        raise AssertionError(f"message {message_id} was not handled")

    def bot_messages_after(self, user: str, message_id: str) -> int:
        """How many messages the bot sent in answer to one user message (each is one Slack post)."""
        events = self.bot.tracker(user, "slack")["events"]
        start = next(i for i, e in enumerate(events) if e["event"] == "user" and e.get("message_id") == message_id)
        answer = []
        for event in events[start + 1 :]:
            if event["event"] == "user":
                break
            if event["event"] == "bot" and (
                (event.get("text") or "").strip()
                or any((event.get("data") or {}).get(key) for key in ("buttons", "custom", "image", "attachment"))
            ):
                answer.append(event)
        return len(answer)

    def answer_posts(self, user: str, channel: str, since: int) -> list[SlackCall]:
        """The bot's posts since a mark where the answer to `user` writing in `channel` can go:
        there (in a thread, in a channel) and in the user's direct message."""
        return [p for p in self.api.posts(since) if p.args["channel"] in (channel, direct_message_of(user))]

    def wait_answered(self, user: str, channel: str, message_id: str, since: int, timeout: float = 90) -> None:
        from bot.domain import messages

        self.wait_handled(user, message_id, timeout)
        expected = self.bot_messages_after(user, message_id)
        lines = {messages.SLACK_CONTINUES_IN_PRIVATE, messages.SLACK_CONTACT_DETAILS_IN_CHANNEL}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len([p for p in self.answer_posts(user, channel, since) if p.args.get("text") not in lines]) >= expected:
                return
            time.sleep(0.05)
        raise AssertionError(f"expected {expected} post(s) in answer, got {self.answer_posts(user, channel, since)}")

    def say(
        self, user: str, channel: str, text: str, *, event_id: Optional[str] = None, wait: bool = True, **event: Any
    ) -> list[SlackCall]:
        """A user message event, signed; the bot's posts in answer (there, or in the user's direct message).
        The event sent is `last_event` (its `ts` is the thread a channel message is answered in)."""
        mark = self.api.mark()
        envelope = self.sender.event_envelope(self.sender.message_event(user, channel, text, **event), event_id)
        self.last_event = envelope["event"]
        status, _ = self.sender.send_event(envelope)
        assert status == 200
        if wait:
            self.wait_answered(user, channel, envelope["event_id"], mark)
        return self.answer_posts(user, channel, mark)

    def mention(self, user: str, channel: str, text: str, **event: Any) -> list[SlackCall]:
        """`@Arbejdsmiljøguiden <text>` in a channel (or in a thread of it: `thread_ts`), as Slack's `app_mention`."""
        return self.say(
            user,
            channel,
            f"<@{BOT_USER}> " + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
            kind="app_mention",
            channel_type=None,
            markup=True,
            **event,
        )

    def click(self, user: str, post: SlackCall, title: str) -> list[SlackCall]:
        mark = self.api.mark()
        payload, (status, _) = self.sender.click(user, post, title)
        assert status == 200
        self.wait_answered(user, post.args["channel"], f"action:{payload['trigger_id']}", mark)
        return self.answer_posts(user, post.args["channel"], mark)
