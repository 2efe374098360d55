"""The web chat: Rasa's socket.io channel made safe for a public page, and the page it serves.

The Rasa server serves the chat page itself at `CHAT_PATH` (`/chat/`), on its own port, so the
page, its scripts and its socket are one origin and nothing comes from anywhere else. Compared
with Rasa 3.6's `SocketIOInput`, this channel
- awaits `enter_room`: since python-socketio 5.10 it is a coroutine, and Rasa 3.6.21 does not
  await it, so with `session_persistence` no bot reply ever reached the browser
  (RasaHQ/rasa#13027);
- lets a socket speak only for the session it joined (Rasa takes the `session_id` that each
  message carries), and makes every session id itself (32 hex digits) with a tag, the HMAC of
  the id under WEBCHAT_SESSION_SECRET: a page that asks to go on with a session must send both
  back, and an id without its valid tag gets a new session (Rasa's channel took any id the
  client chose). The conversation is `socketio:<session id>` (`bot.channels.guard.conversation_id`),
  so no other channel can address it, and the tag is stored nowhere but in the page;
- accepts socket.io connections only from the allowed origins (Rasa passes
  `cors_allowed_origins=[]`, which turns python-engineio's origin check off): the
  configured ones, else the page's own origins on loopback;
- passes every message through `bot.channels.guard.guard`, and ignores client metadata;
- answers a client or a session over its rate limit with a bot message (`bot.channels.rate_limit`);
  the chat page's files count against the client's page limit.
The channel's name stays `socketio`, so records say the application came by `socketio`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union
from urllib.parse import urlsplit

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels import cors, rate_limit
from bot.channels.credentials import CHAT_PATH
from bot.channels.guard import OnNewMessage, conversation_id, guard
from bot.domain import messages
from bot.records import conversations as privacy

logger = logging.getLogger(__name__)

WEB_ROOT = Path(__file__).resolve().parents[2] / "web"

SESSION_ID = re.compile(r"[0-9a-f]{32}")
SESSION_TAG = re.compile(r"[0-9a-f]{64}")
# A shorter WEBCHAT_SESSION_SECRET is refused at start (bot/channels/credentials.py).
SESSION_SECRET_MIN_CHARS = 32

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")

# What the page may load and connect to: only its own origin, no inline script or style.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@dataclass(frozen=True)
class Asset:
    """One file of the chat page, read once when the server starts."""

    content_type: str
    body: bytes


# Address under CHAT_PATH -> (file under web/, content type). Nothing else under web/ is served.
ASSET_FILES: Mapping[str, tuple[str, str]] = {
    "": ("index.html", "text/html; charset=utf-8"),
    "chat.js": ("chat.js", "text/javascript; charset=utf-8"),
    "chat.css": ("chat.css", "text/css; charset=utf-8"),
    "favicon.svg": ("favicon.svg", "image/svg+xml"),
    "socket.io.min.js": ("node_modules/socket.io-client/dist/socket.io.min.js", "text/javascript; charset=utf-8"),
}


def load_assets(root: Path = WEB_ROOT) -> dict[str, Asset]:
    """The page's files; a missing one is logged (the page then says the chat could not start)."""
    assets = {}
    for name, (relative, content_type) in ASSET_FILES.items():
        path = root / relative
        if not path.is_file():
            logger.error("web chat file missing: %s (run scripts/setup.sh, which runs npm ci in web/)", path)
            continue
        assets[name] = Asset(content_type, path.read_bytes())
    return assets


def normalise_origin(origin: str) -> str:
    """'HTTPS://Chat.Example.dk/' -> 'https://chat.example.dk'; a value that is no origin raises ValueError."""
    parts = urlsplit(origin.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username
        or parts.password
    ):
        raise ValueError(f"not an http(s) origin: {origin!r}")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


def parse_origins(value: Union[str, Sequence[str], None]) -> tuple[str, ...]:
    """Allowed origins from a comma-separated string or a list; empty means 'the page's own'."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(normalise_origin(item) for item in items if item.strip())


def loopback_origins(port: int) -> tuple[str, ...]:
    """The origins a browser on this machine uses for a page served on `port`."""
    return tuple(f"http://{host}:{port}" for host in LOOPBACK_HOSTS)


def session_secret(env: Mapping[str, str] = os.environ) -> bytes:
    """WEBCHAT_SESSION_SECRET (the launcher sets it, from the run folder unless it is set already).

    Without it (plain `rasa run`), a secret of this process only: sessions then end when it stops.
    """
    value = (env.get("WEBCHAT_SESSION_SECRET") or "").strip()
    if not value:
        logger.warning(
            "WEBCHAT_SESSION_SECRET is not set: web chat sessions are signed with a secret of "
            "this process only and cannot go on after a restart (python -m bot run sets one)"
        )
        return secrets.token_bytes(32)
    return value.encode("utf-8")


def session_tag(secret: bytes, session_id: str) -> str:
    """The tag that proves the server made `session_id`: HMAC-SHA256 of the id, 64 hex digits."""
    return hmac.new(secret, b"webchat-session:" + session_id.encode("ascii"), hashlib.sha256).hexdigest()


def session_valid(secret: bytes, session_id: Any, tag: Any) -> bool:
    """Whether a page's (session id, tag) is one this server made."""
    return (
        isinstance(session_id, str)
        and isinstance(tag, str)
        and SESSION_ID.fullmatch(session_id) is not None
        and SESSION_TAG.fullmatch(tag) is not None
        and hmac.compare_digest(session_tag(secret, session_id), tag)
    )


class WebChatBlueprint(SocketBlueprint):
    """Rasa's socket.io blueprint that also serves the chat page at the server's root."""

    def __init__(
        self, sio: AsyncServer, socketio_path: str, assets: Mapping[str, Asset], *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(sio, socketio_path, *args, **kwargs)
        self.ctx.assets = assets

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        super().register(app, options)
        add_page_routes(app, self.ctx.assets)
        cors.restrict(app)  # Rasa configured CORS before it registers the channels


def add_page_routes(app: Sanic, assets: Mapping[str, Asset]) -> None:
    """GET CHAT_PATH and CHAT_PATH<file>: the page from memory, never a path from the request."""

    def serve(request: Request, name: str) -> HTTPResponse:
        wait = rate_limit.limiter().page(rate_limit.client_address(request))
        if wait:
            return rate_limit.too_many_requests(wait, SECURITY_HEADERS)
        asset = assets.get(name)
        if asset is None:
            return response.text("Ikke fundet.", status=404, headers=SECURITY_HEADERS)
        return response.raw(asset.body, content_type=asset.content_type, headers=SECURITY_HEADERS)

    async def chat_page(request: Request) -> HTTPResponse:
        return serve(request, "")

    async def chat_file(request: Request, name: str) -> HTTPResponse:
        return serve(request, name)

    app.add_route(chat_page, CHAT_PATH, methods=["GET"], name="webchat_page")
    app.add_route(chat_file, CHAT_PATH + "<name:str>", methods=["GET"], name="webchat_file")


class WebChatOutput(SocketIOOutput):
    """Rasa's socket.io output, with custom messages under one `custom` key.

    Rasa's own passes a custom message's keys to `emit` as keyword arguments, which fails
    for anything but `data`; the page reads `{"custom": {...}}` (e.g. the "glem mig" signal).
    """

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self.sio.emit(self.bot_message_evt, {"custom": json_message}, room=recipient_id)


class WebChatInput(SocketIOInput):
    """Rasa's socket.io channel for our chat page (credentials key `bot.channels.webchat.WebChatInput`)."""

    @classmethod
    def name(cls) -> str:
        return privacy.WEBCHAT_CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> InputChannel:
        credentials = credentials or {}
        if credentials.get("jwt_key"):
            raise ValueError("bot.channels.webchat.WebChatInput does not support jwt_key: the chat page is public")
        if credentials.get("session_persistence", True) is not True:
            raise ValueError(
                "bot.channels.webchat.WebChatInput needs session_persistence: true (a reload keeps the conversation)"
            )
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            allowed_origins=parse_origins(
                credentials.get("allowed_origins") or os.environ.get("WEBCHAT_ALLOWED_ORIGINS")
            ),
            secret=session_secret(),
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        socketio_path: str = "/socket.io",
        allowed_origins: Sequence[str] = (),
        secret: Optional[bytes] = None,
    ) -> None:
        super().__init__(
            user_message_evt=user_message_evt,
            bot_message_evt=bot_message_evt,
            session_persistence=True,
            socketio_path=socketio_path,
        )
        self.allowed_origins = tuple(allowed_origins)
        self.secret = secret or secrets.token_bytes(32)

    def origin_allowed(self, origin: str, environ: Mapping[str, Any]) -> bool:
        """python-engineio asks this for every request that carries an Origin header."""
        if self.allowed_origins:
            return origin in self.allowed_origins
        # The port the server really listens on, not the Host header (a DNS-rebinding page sets that).
        request = environ.get("sanic.request")
        port = request.conn_info.server_port if request is not None and request.conn_info else None
        return port is not None and origin in loopback_origins(port)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        handle = guard(on_new_message)
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.origin_allowed, cors_credentials=False)
        self.sio = sio  # Rasa's get_output_channel() reads it
        chat = WebChatBlueprint(sio, self.socketio_path or "/socket.io", load_assets(), "socketio_webhook", __name__)

        @chat.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def refused(sid: str, client: str, session_id: Optional[str] = None) -> bool:
            """Count one event of the socket; over a limit, tell this socket (not the session's room)."""
            limits = rate_limit.limiter()
            wait = limits.client_message(client)
            if not wait and session_id is not None:
                wait = limits.conversation_message(conversation_id(self.name(), session_id))
            if wait:
                await sio.emit(self.bot_message_evt, {"text": messages.RATE_LIMITED_MESSAGE}, room=sid)
            return bool(wait)

        @sio.on("connect")
        async def connect(sid: str, environ: Mapping[str, Any], auth: Any = None) -> None:
            request = environ.get("sanic.request")
            async with sio.session(sid) as session:
                session["client"] = rate_limit.client_address(request) if request is not None else "unknown"

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            socket_session = await sio.get_session(sid)
            if await refused(sid, socket_session.get("client", "unknown")):
                return
            requested = data.get("session_id") if isinstance(data, dict) else None
            tag = data.get("session_tag") if isinstance(data, dict) else None
            # Only a session this server made (its tag proves it) goes on; any other request gets a new one.
            session_id = requested if session_valid(self.secret, requested, tag) else uuid.uuid4().hex
            async with sio.session(sid) as session:
                previous = session.get("session_id")
                session["session_id"] = session_id
            if previous and previous != session_id:
                await sio.leave_room(sid, conversation_id(self.name(), previous))
            # Replies go to the room named by the conversation id (Rasa sends to the tracker's sender id).
            # Awaited: without it the socket never joins that room (RasaHQ/rasa#13027).
            await sio.enter_room(sid, conversation_id(self.name(), session_id))
            await sio.emit(
                "session_confirm",
                {"session_id": session_id, "session_tag": session_tag(self.secret, session_id)},
                room=sid,
            )

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any) -> None:
            socket_session = await sio.get_session(sid)
            session_id = socket_session.get("session_id")
            if await refused(sid, socket_session.get("client", "unknown"), session_id):
                return
            text = data.get("message") if isinstance(data, dict) else None
            if session_id is None or not isinstance(text, str):
                logger.warning("web chat message ignored: no session_request before it, or no text")
                return
            output = WebChatOutput(sio, self.bot_message_evt)
            await handle(UserMessage(text, output, conversation_id(self.name(), session_id), input_channel=self.name()))

        return chat
