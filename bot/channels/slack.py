"""Our Slack channel for union representatives: Rasa 3.6's Slack connector, made strict and complete.

What Rasa's own connector (`rasa.core.channels.slack`) does not do, and this one does:
- it answers 401 to unsigned, wrongly signed and stale requests (Rasa: 400) and reads the
  secrets from the environment, so no credentials file ever holds them;
- it reads events sent as `application/json; charset=utf-8` (Rasa compares the whole
  Content-Type header and silently drops them);
- it handles each Slack delivery once: Slack retries an event (`X-Slack-Retry-Num`) when
  the answer is slow, with the same `event_id`. The ids are kept in the Redis of Rasa's lock
  store when there is one (Rasa requires one for several processes), else in this process;
- it turns Slack's markup back into what the user typed (`&lt;` → `<`, `<mailto:a@b.dk|a@b.dk>`
  → `a@b.dk`, which Rasa's pattern misses) and escapes `&`, `<`, `>` in what the bot sends;
- it replies where the user wrote: in the thread when the message was in a thread, in the
  direct message or channel otherwise (also when SLACK_CHANNEL is set);
- buttons become Block Kit `actions` blocks (up to 25 each; Rasa drops every button past 5);
- its client posts to SLACK_API_BASE_URL when that is set (a local fake Slack in the tests).
Every message goes through `bot.channels.guard.guard`, like on every other channel of ours, and its
conversation is `slack:<Rasa's id>` (`bot.channels.guard.conversation_id`): no other channel can address it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Text
from urllib.parse import parse_qs

import redis
import redis.asyncio
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot as RasaSlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from rasa.core.lock_store import DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX, LockStore, RedisLockStore
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.credentials import SLACK_HALF_CONFIGURED
from bot.channels.guard import OnNewMessage, conversation_id, guard, parse_json_body, sender_problem

logger = logging.getLogger(__name__)

# Slack's own rule (slack_sdk's SignatureVerifier applies it too): a request whose timestamp is more
# than five minutes away from now may be a replay.
SIGNATURE_MAX_AGE_SECONDS = 5 * 60
# Slack retries an event three times within about five minutes; an hour is a wide margin.
DELIVERY_MEMORY_SECONDS = 60 * 60
DELIVERY_MEMORY_SIZE = 10_000
# Block Kit limits (chat.postMessage rejects the whole message past them).
SECTION_TEXT_MAX = 3000
BUTTONS_PER_ACTIONS_BLOCK = 25
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
# A message subtype that is still something a person wrote; every other subtype (edits,
# deletions, joins, bot messages) is not a new message for the bot.
USER_MESSAGE_SUBTYPES = frozenset({"thread_broadcast", "file_share"})


# -- request signatures ---------------------------------------------------------------
class _At(Clock):
    """The SDK's clock, stopped at one moment (the request's arrival, or a test's `now`)."""

    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def slack_signature(signing_secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Slack-Signature` Slack computes for a request: `v0=` + HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    return SignatureVerifier(signing_secret).generate_signature(timestamp=timestamp, body=body) or ""


def signature_problem(signing_secret: str, timestamp: Optional[str], signature: Optional[str],
                      body: bytes, now: float) -> Optional[str]:
    """Why a request is not Slack's (`missing`, `stale`, `mismatch`), or None when it is.

    The check is slack_sdk's `SignatureVerifier` (HMAC, constant-time comparison, Slack's
    five-minute rule); the reasons are told apart here for the log.
    """
    if not signing_secret or not signing_secret.strip() or not timestamp or not signature:
        return "missing"
    try:
        sent_at = int(timestamp)
    except ValueError:
        return "missing"
    if abs(now - sent_at) > SIGNATURE_MAX_AGE_SECONDS:
        return "stale"
    try:
        valid = SignatureVerifier(signing_secret, clock=_At(now)).is_valid(body, timestamp, signature)
    except UnicodeDecodeError:  # the SDK signs the body as text: bytes that are no UTF-8 are no Slack body
        valid = False
    return None if valid else "mismatch"


# -- text in and out ------------------------------------------------------------------
def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters, escaped as Slack requires in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_SLACK_MARKUP = re.compile(r"<([^<>]*)>")


def user_text(raw: str, bot_user_ids: Iterable[str] = ()) -> str:
    """What the user typed, from Slack's markup: mentions of the bot dropped, links shown as
    their label (`<mailto:a@b.dk|a@b.dk>` → `a@b.dk`), then `&amp;`, `&lt;`, `&gt;` unescaped."""
    bots = set(bot_user_ids)

    def plain(match: re.Match) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@") and target[1:] in bots:
            return " "
        if label:
            return "#" + label if target.startswith("#") else label
        if target.startswith("mailto:") or target.startswith("tel:"):
            return target.split(":", 1)[1]
        if target.startswith("!"):  # <!here>, <!channel>
            return "@" + target[1:]
        return target

    text = _SLACK_MARKUP.sub(plain, raw)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _chunks(items: Sequence[Any], size: int) -> List[Sequence[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def message_blocks(text: str, buttons: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """A text with buttons as Block Kit: the text in sections, the buttons in `actions` blocks."""
    escaped = escape_mrkdwn(text.strip())
    blocks: List[Dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": part}}
        for part in _chunks(escaped, SECTION_TEXT_MAX) if part.strip()]
    for start, group in enumerate(_chunks(list(buttons), BUTTONS_PER_ACTIONS_BLOCK)):
        blocks.append({"type": "actions", "elements": [
            {"type": "button",
             # plain_text is shown as it is: no escaping here
             "text": {"type": "plain_text", "text": str(button["title"])[:BUTTON_TEXT_MAX], "emoji": True},
             "value": str(button["payload"])[:BUTTON_VALUE_MAX],
             "action_id": f"rasa_button_{start * BUTTONS_PER_ACTIONS_BLOCK + index}"}
            for index, button in enumerate(group)]})
    return blocks


# -- which deliveries become a message for Rasa ---------------------------------------
@dataclass(frozen=True)
class Delivery:
    """One thing a Slack user said or clicked, and where the answer goes."""

    delivery_id: str  # Slack's event_id, or the click's trigger_id: the same for a retry
    user: str
    text: str
    channel: str
    thread_ts: Optional[str]
    bot_user_ids: tuple[str, ...] = ()


def _slack_ids(*ids: Any) -> bool:
    """Whether these are ids as Slack writes them (a signed request is Slack's, but its ids name a
    conversation in our store: they must never be what a store refuses)."""
    return all(isinstance(i, str) and sender_problem(i) is None for i in ids)


def bot_user_ids(envelope: Mapping[str, Any]) -> tuple[str, ...]:
    """The bot's own user id(s), as the Events API tells them (newer `authorizations`, older `authed_users`)."""
    ids = [a.get("user_id") for a in envelope.get("authorizations") or [] if isinstance(a, Mapping)]
    ids += list(envelope.get("authed_users") or [])
    return tuple(i for i in ids if isinstance(i, str) and i)


def delivery_from_event(envelope: Mapping[str, Any], slack_channel: Optional[str]) -> Optional[Delivery]:
    """The message in an Events API `event_callback`, or None when the bot should not answer it.

    Answered: direct messages; mentions of the bot in a channel (`app_mention`); every
    message in SLACK_CHANNEL. Not answered: bots (also itself), edits and other subtypes, and a
    `message` event that mentions the bot in a channel: Slack sends the same text again as an
    `app_mention`, which is the one answered.
    """
    event = envelope.get("event")
    if not isinstance(event, Mapping) or envelope.get("type") != "event_callback":
        return None
    kind, channel, user = event.get("type"), event.get("channel"), event.get("user")
    raw = event.get("text")
    if kind not in ("message", "app_mention") or not isinstance(raw, str) or not _slack_ids(user, channel):
        return None
    if event.get("bot_id") or (event.get("subtype") and event.get("subtype") not in USER_MESSAGE_SUBTYPES):
        return None
    bots = bot_user_ids(envelope)
    if user in bots:
        return None
    direct = event.get("channel_type") == "im" or str(channel).startswith("D")
    if kind == "app_mention" and direct:
        return None  # the direct message's own `message` event carries it
    if kind == "message" and not direct:
        mentions_bot = any(f"<@{bot}>" in raw for bot in bots)
        if channel != slack_channel or mentions_bot:
            return None
    text = user_text(raw, bots)
    if not text:
        return None
    delivery_id = envelope.get("event_id") or f"{channel}:{event.get('ts')}"
    return Delivery(str(delivery_id), str(user), text, str(channel), event.get("thread_ts"), bots)


def delivery_from_interaction(payload: Mapping[str, Any]) -> Optional[Delivery]:
    """A button click (or menu choice) in a `block_actions` payload, or None."""
    if payload.get("type") != "block_actions" or not payload.get("actions"):
        return None
    action = payload["actions"][0]
    value = action.get("value")
    if value is None:
        value = (action.get("selected_option") or {}).get("value")
    user = (payload.get("user") or {}).get("id")
    container = payload.get("container") or {}
    channel = (payload.get("channel") or {}).get("id") or container.get("channel_id")
    if not isinstance(value, str) or not value or not _slack_ids(user, channel):
        return None  # a link button has no value: Slack opens the link, the bot has nothing to do
    message = payload.get("message") or {}
    thread_ts = message.get("thread_ts") or container.get("thread_ts")
    delivery_id = payload.get("trigger_id") or f"{channel}:{action.get('action_ts')}"
    return Delivery(f"action:{delivery_id}", str(user), str(value), str(channel), thread_ts)


class RecentDeliveries:
    """Delivery ids seen lately in this process, so a retried Slack event is handled once."""

    def __init__(self, seconds: float = DELIVERY_MEMORY_SECONDS, size: int = DELIVERY_MEMORY_SIZE) -> None:
        self.seconds = seconds
        self.size = size
        self._seen: "OrderedDict[str, float]" = OrderedDict()

    def first_time(self, delivery_id: str, now: float) -> bool:
        """True the first time an id is seen (and remembers it); False for a repeat."""
        while self._seen and (next(iter(self._seen.values())) < now - self.seconds or len(self._seen) >= self.size):
            self._seen.popitem(last=False)
        if delivery_id in self._seen:
            return False
        self._seen[delivery_id] = now
        return True


class SharedDeliveries:
    """Delivery ids kept in the Redis of Rasa's lock store, so that every Rasa process (several
    Sanic workers, several servers) knows what any of them has handled."""

    def __init__(self, client: "redis.asyncio.Redis", key_prefix: str,
                 seconds: int = DELIVERY_MEMORY_SECONDS) -> None:
        self.client = client
        self.key_prefix = key_prefix
        self.seconds = seconds

    async def first_time(self, delivery_id: str) -> bool:
        # SET NX is atomic in Redis: of two processes receiving the same event, exactly one wins.
        return bool(await self.client.set(self.key_prefix + delivery_id, b"1", nx=True, ex=self.seconds))

    @classmethod
    def beside(cls, lock_store: Optional[LockStore]) -> Optional["SharedDeliveries"]:
        """Next to a Redis lock store (Rasa requires one for more than one process), else None."""
        if not isinstance(lock_store, RedisLockStore):
            return None
        pool = lock_store.red.connection_pool
        settings = {key: value for key, value in pool.connection_kwargs.items()
                    if key in ("host", "port", "db", "username", "password", "ssl_keyfile", "ssl_certfile",
                               "ssl_cert_reqs", "ssl_ca_certs")}
        client = redis.asyncio.Redis(**settings, ssl=issubclass(pool.connection_class, redis.SSLConnection),
                                     socket_timeout=5)
        prefix = lock_store.key_prefix[:-len(DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX)] + "slack_delivery:"
        return cls(client, prefix)


# -- the output channel ---------------------------------------------------------------
class SlackBot(RasaSlackBot):
    """Rasa's Slack output, posting escaped text, Block Kit buttons, in the user's thread."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    def __init__(self, token: Text, slack_channel: Optional[Text] = None, thread_id: Optional[Text] = None,
                 proxy: Optional[Text] = None, api_base_url: Optional[Text] = None) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        if api_base_url:
            self.client = AsyncWebClient(token, proxy=proxy, base_url=api_base_url)

    async def _post_message(self, channel: Text, **kwargs: Any) -> None:
        # `as_user` only works for classic Slack apps; a current app posts as its bot user anyway.
        # `type` is no chat.postMessage argument.
        kwargs.pop("as_user", None)
        kwargs.pop("type", None)
        if self.thread_id:
            kwargs["thread_ts"] = self.thread_id
        await self.client.chat_postMessage(channel=channel, **kwargs)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        # One Slack message per bot message (Rasa posts each paragraph on its own).
        if text.strip():
            await self._post_message(self.slack_channel or recipient_id, text=escape_mrkdwn(text.strip()))

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        await self._post_message(self.slack_channel or recipient_id, text=escape_mrkdwn(text.strip()),
                                 blocks=message_blocks(text, buttons))


# -- the input channel ----------------------------------------------------------------
class SlackOff(InputChannel):
    """The Slack channel when no Slack app is configured: its webhook says so (503) and nothing else."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        off = Blueprint("slack_webhook_off", __name__)

        @off.route("/webhook", methods=["GET", "POST"])
        async def webhook(_: Request) -> HTTPResponse:
            return response.text("Slack is not configured on this server.", status=HTTPStatus.SERVICE_UNAVAILABLE)

        return off



class SlackInput(RasaSlackInput):
    """Rasa's Slack input (`/webhooks/slack/webhook`), strict about signatures, retries and formats."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Secrets from the environment (credentials may override them); `slack_channel` optional.

        Without a token the channel is off (`SlackOff`: its webhook answers 503); a token without
        its signing secret stops the start.
        """
        credentials = credentials or {}
        token = credentials.get("slack_token") or os.environ.get("SLACK_TOKEN")
        secret = credentials.get("slack_signing_secret") or os.environ.get("SLACK_SIGNING_SECRET")
        if not token and not secret:
            logger.info("Slack is off: SLACK_TOKEN is not set")
            return SlackOff()
        if not token or not secret:
            raise InvalidConfigException(SLACK_HALF_CONFIGURED)
        return cls(
            slack_token=token,
            slack_channel=credentials.get("slack_channel") or os.environ.get("SLACK_CHANNEL") or None,
            proxy=credentials.get("proxy"),
            slack_signing_secret=secret,
            conversation_granularity=credentials.get("conversation_granularity", "sender"),
            api_base_url=credentials.get("slack_api_base_url") or os.environ.get("SLACK_API_BASE_URL") or None,
        )

    def __init__(self, slack_token: Text, slack_channel: Optional[Text] = None, proxy: Optional[Text] = None,
                 slack_signing_secret: Text = "", conversation_granularity: Optional[Text] = "sender",
                 api_base_url: Optional[Text] = None) -> None:
        super().__init__(slack_token, slack_channel, proxy, slack_signing_secret=slack_signing_secret,
                         conversation_granularity=conversation_granularity)
        self.api_base_url = api_base_url
        self.recent_deliveries = RecentDeliveries()
        self._shared_deliveries: Optional[SharedDeliveries] = None
        self._looked_for_shared = False

    def _get_conversation_id(self, sender_id: Optional[Text], channel_id: Optional[Text],
                             thread_id: Optional[Text]) -> Optional[Text]:
        """Rasa's id (the user, or user and channel and thread by `conversation_granularity`), as `slack:<id>`."""
        return conversation_id(self.name(), super()._get_conversation_id(sender_id, channel_id, thread_id))

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        return SlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_base_url)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        guarded = guard(on_new_message)
        slack_webhook = Blueprint("slack_webhook", __name__)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @slack_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            return await self._handle(request, guarded)

        return slack_webhook

    async def _handle(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        body = request.body or b""
        problem = signature_problem(self.slack_signing_secret, request.headers.get("X-Slack-Request-Timestamp"),
                                    request.headers.get("X-Slack-Signature"), body, time.time())
        if problem:
            logger.warning("Slack request refused: signature %s", problem)
            return response.text("Not signed by Slack.", status=HTTPStatus.UNAUTHORIZED)

        # The media type only: Slack may add "; charset=utf-8", which Rasa's exact comparison drops.
        media_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        try:
            if media_type == "application/json":
                envelope, problem = parse_json_body(body)
                if problem:
                    return response.text(problem, status=HTTPStatus.BAD_REQUEST)
                if envelope.get("type") == "url_verification":
                    return response.json({"challenge": envelope.get("challenge")})
                delivery = delivery_from_event(envelope, self.slack_channel)
            elif media_type == "application/x-www-form-urlencoded":
                form = parse_qs(body.decode("utf-8"))
                payload, problem = parse_json_body(form["payload"][0].encode("utf-8", "surrogatepass"))
                if problem:
                    return response.text(problem, status=HTTPStatus.BAD_REQUEST)
                delivery = delivery_from_interaction(payload)
            else:
                return response.text("Unsupported content type.", status=HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
        except (ValueError, KeyError, AttributeError, TypeError, UnicodeDecodeError):
            return response.text("Malformed Slack request.", status=HTTPStatus.BAD_REQUEST)

        if delivery is None:
            return response.text("")
        if not await self._first_time(request, delivery.delivery_id):
            logger.info("Slack delivery %s already handled; repeat ignored (retry %s, %s)", delivery.delivery_id,
                        request.headers.get("X-Slack-Retry-Num"), request.headers.get("X-Slack-Retry-Reason"))
            return response.text("")

        message = UserMessage(
            delivery.text,
            self.get_output_channel(delivery.channel, delivery.thread_ts),
            self._get_conversation_id(delivery.user, delivery.channel, delivery.thread_ts),
            input_channel=self.name(),
            message_id=delivery.delivery_id,
            metadata={"out_channel": delivery.channel, "thread_id": delivery.thread_ts,
                      "users": list(delivery.bot_user_ids), "slack_delivery_id": delivery.delivery_id},
        )
        # Answer Slack at once (it retries after 3 s) and let Rasa work in the background.
        task = asyncio.create_task(on_new_message(message))
        self._background_tasks.add(task)
        task.add_done_callback(self._finished)
        return response.text("")

    async def _first_time(self, request: Request, delivery_id: str) -> bool:
        """Whether no Rasa process has had this delivery yet: in Redis when Rasa's lock store is
        there (created on the first request, in the worker's own event loop), else in memory."""
        if not self._looked_for_shared:
            self._looked_for_shared = True
            agent = getattr(request.app.ctx, "agent", None)
            self._shared_deliveries = SharedDeliveries.beside(getattr(agent, "lock_store", None))
        if self._shared_deliveries is not None:
            try:
                return await self._shared_deliveries.first_time(delivery_id)
            except redis.RedisError as error:
                logger.warning("Slack deliveries: Redis unavailable (%s); this process's memory only", error)
        return self.recent_deliveries.first_time(delivery_id, time.monotonic())

    def _finished(self, task: "asyncio.Task[Any]") -> None:
        self._background_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The exception only: the message text is personal data.
            logger.error("Slack message not handled: %r", task.exception())
