"""Our Slack channel for union representatives: Rasa 3.6's Slack connector, made strict and complete.

What Rasa's own connector (`rasa.core.channels.slack`) does not do, and this one does:
- it answers 401 to unsigned, wrongly signed and stale requests (Rasa: 400; the check is
  slack_sdk's SignatureVerifier) and reads the secrets from the environment, so no credentials
  file ever holds them;
- it reads events sent as `application/json; charset=utf-8` (Rasa compares the whole
  Content-Type header and silently drops them);
- it handles each Slack delivery once: Slack retries an event (`X-Slack-Retry-Num`) when the
  answer is slow, with the same `event_id`; the ids are remembered across processes and
  restarts (bot/channels/slack_deliveries.py). A delivery without an id is never taken for another;
- it turns Slack's markup back into what the user typed (`&lt;` → `<`, `<mailto:a@b.dk|a@b.dk>`
  → `a@b.dk`, which Rasa's pattern misses) and escapes `&`, `<`, `>` in what the bot sends;
- it answers in a thread in a channel, never with a new post there: under the user's message,
  or in the thread the user wrote in (in a direct message, where the user wrote);
- it keeps personal data out of channels: a turn's answer is held back until Rasa has stored
  the turn, and when the conversation has reached the application's personal part (the
  workplace, contact details, summary, filed reference), or names or reaches a person, it goes
  to the user's direct message, with one line in the thread that says so
  (bot/channels/slack_privacy.py has the rule);
- after "glem mig" it says what stays in Slack: the messages, which only their authors delete;
- buttons become Block Kit `actions` blocks (up to 25 each; Rasa drops every button past 5);
- a slash command (SLASH_COMMAND) opens the direct message;
- its client posts to SLACK_API_BASE_URL when that is set (a local fake Slack in the tests).

One conversation per Slack user: a mention in any channel, its thread and the direct message
are one conversation, `slack:<user id>` (`bot.channels.guard.conversation_id` of Rasa's id with
`conversation_granularity: sender`, the only granularity this channel accepts). So an
application begun in a channel goes on in the direct message with everything already answered.
Every message goes through `bot.channels.guard.guard`, like on every other channel of ours.
The Web API methods, events and scopes it uses are listed below; deploy/slack-manifest.yml
asks Slack for exactly those (tests/channels/test_slack_manifest.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus
from types import MappingProxyType
from typing import Any, AsyncIterator, Dict, Iterable, List, Mapping, Optional, Sequence, Text
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot as RasaSlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from rasa.core.tracker_store import FailSafeTrackerStore, TrackerStore
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.credentials import SLACK_HALF_CONFIGURED
from bot.channels.guard import OnNewMessage, conversation_id, guard, parse_json_body, sender_problem
from bot.channels.slack_deliveries import Deliveries
from bot.channels.slack_privacy import answer_in_private
from bot.domain import messages
from bot.domain.contacts import mentions_contact_details

logger = logging.getLogger(__name__)

# -- what the channel asks of Slack (deploy/slack-manifest.yml grants exactly this) ------
# Every Web API method the channel calls (`SlackBot.call` refuses any other), with the bot
# scope Slack requires for it.
WEB_API_METHODS: Mapping[str, str] = MappingProxyType(
    {
        "chat.postMessage": "chat:write",
        "conversations.open": "im:write",  # the direct message an application goes on in
    }
)
# Every Events API event the channel answers (`subscription` names an incoming event so), with
# the bot scope Slack requires to send it.
SUBSCRIBED_EVENTS: Mapping[str, str] = MappingProxyType(
    {
        "app_mention": "app_mentions:read",  # a mention in a channel
        "message.im": "im:history",  # the direct message
        "message.channels": "channels:history",  # every message in SLACK_CHANNEL, a public channel
        "message.groups": "groups:history",  # ... or a private one
    }
)
# The slash command that opens the direct message, and its scope.
SLASH_COMMAND = "/arbejdsmiljo"
SLASH_COMMAND_SCOPE = "commands"
# Rasa's conversation granularity this channel works with: one conversation per user (see above).
CONVERSATION_GRANULARITY = "sender"


def bot_scopes() -> set[str]:
    """Every bot scope the channel needs: for its Web API calls, its events and its slash command."""
    return {*WEB_API_METHODS.values(), *SUBSCRIBED_EVENTS.values(), SLASH_COMMAND_SCOPE}


# Slack's own rule (slack_sdk's SignatureVerifier applies it too): a request whose timestamp is more
# than five minutes away from now may be a replay.
SIGNATURE_MAX_AGE_SECONDS = 5 * 60
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


def signature_problem(
    signing_secret: str, timestamp: Optional[str], signature: Optional[str], body: bytes, now: float
) -> Optional[str]:
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
def code_block(text: str) -> str:
    """Text as a Slack code block: escaped, and no run of backticks that would end the block early."""
    return "```\n" + escape_mrkdwn(text.replace("```", "``\u200b`")) + "\n```"


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters, escaped as Slack requires in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_SLACK_MARKUP = re.compile(r"<([^<>]*)>")


def unescape_mrkdwn(text: str) -> str:
    """Text as it shows in Slack: the three escaped characters back."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


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
    text = unescape_mrkdwn(text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _chunks(items: Sequence[Any], size: int) -> List[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def message_blocks(text: str, buttons: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """A text with buttons as Block Kit: the text in sections, the buttons in `actions` blocks."""
    escaped = escape_mrkdwn(text.strip())
    blocks: List[Dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": part}}
        for part in _chunks(escaped, SECTION_TEXT_MAX)
        if part.strip()
    ]
    for start, group in enumerate(_chunks(list(buttons), BUTTONS_PER_ACTIONS_BLOCK)):
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        # plain_text is shown as it is: no escaping here
                        "text": {"type": "plain_text", "text": str(button["title"])[:BUTTON_TEXT_MAX], "emoji": True},
                        "value": str(button["payload"])[:BUTTON_VALUE_MAX],
                        "action_id": f"rasa_button_{start * BUTTONS_PER_ACTIONS_BLOCK + index}",
                    }
                    for index, button in enumerate(group)
                ],
            }
        )
    return blocks


# -- which deliveries become a message for Rasa ---------------------------------------
@dataclass(frozen=True)
class Delivery:
    """One thing a Slack user said, clicked or commanded, and where the answer goes."""

    # Slack's event_id, a click's trigger_id, or the channel and ts of the message: the same for a
    # retry. None when nothing identifies it: then it is never taken for another delivery.
    delivery_id: Optional[str]
    user: str
    text: str
    channel: str
    thread_ts: Optional[str]  # the thread to answer in; in a channel there always is one
    bot_user_ids: tuple[str, ...] = ()
    direct: bool = False  # written in the user's direct message with the bot
    wants_private: bool = False  # the slash command: answer in the direct message, whatever the turn


def _slack_ids(*ids: Any) -> bool:
    """Whether these are ids as Slack writes them (a signed request is Slack's, but its ids name a
    conversation in our store: they must never be what a store refuses)."""
    return all(isinstance(i, str) and sender_problem(i) is None for i in ids)


def _ts(value: Any) -> Optional[str]:
    """A Slack message timestamp (`1700000000.000100`), or None."""
    return value if isinstance(value, str) and value and sender_problem(value) is None else None


def bot_user_ids(envelope: Mapping[str, Any]) -> tuple[str, ...]:
    """The bot's own user id(s), as the Events API tells them (newer `authorizations`, older `authed_users`)."""
    ids = [a.get("user_id") for a in envelope.get("authorizations") or [] if isinstance(a, Mapping)]
    ids += list(envelope.get("authed_users") or [])
    return tuple(i for i in ids if isinstance(i, str) and i)


def subscription(event: Mapping[str, Any]) -> Optional[str]:
    """The Events API subscription an event comes through (`message.im`, `app_mention`, ...)."""
    kind = event.get("type")
    if kind == "app_mention":
        return "app_mention"
    if kind != "message":
        return None
    channel_type = event.get("channel_type")
    if channel_type is None and str(event.get("channel", "")).startswith("D"):
        channel_type = "im"
    return (
        {"im": "message.im", "channel": "message.channels", "group": "message.groups", "mpim": "message.mpim"}.get(
            channel_type
        )
        if isinstance(channel_type, str)
        else None
    )


def delivery_from_event(envelope: Mapping[str, Any], slack_channel: Optional[str]) -> Optional[Delivery]:
    """The message in an Events API `event_callback`, or None when the bot should not answer it.

    Answered: direct messages; mentions of the bot in a channel (`app_mention`); every
    message in SLACK_CHANNEL. Not answered: bots (also itself), edits and other subtypes, and a
    `message` event that mentions the bot in a channel: Slack sends the same text again as an
    `app_mention`, which is the one answered. In a channel the answer goes in a thread: the
    message's own, or a new one under the message.
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
    if subscription(event) not in SUBSCRIBED_EVENTS and kind == "message":
        return None
    if kind == "message" and not direct:
        mentions_bot = any(f"<@{bot}>" in raw for bot in bots)
        if channel != slack_channel or mentions_bot:
            return None
    text = user_text(raw, bots)
    if not text:
        return None
    ts, thread_ts = _ts(event.get("ts")), _ts(event.get("thread_ts"))
    if not direct:
        thread_ts = thread_ts or ts
        if thread_ts is None:
            return None  # no thread to answer in, and a channel gets no new top-level post from the bot
    event_id = envelope.get("event_id")
    delivery_id = event_id if isinstance(event_id, str) and event_id else (f"{channel}:{ts}" if ts else None)
    return Delivery(delivery_id, str(user), text, str(channel), thread_ts, bots, direct=direct)


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
    direct = str(channel).startswith("D")
    thread_ts = _ts(message.get("thread_ts")) or _ts(container.get("thread_ts"))
    if not direct:
        thread_ts = thread_ts or _ts(container.get("message_ts")) or _ts(message.get("ts"))
        if thread_ts is None:
            return None
    trigger_id, action_ts = payload.get("trigger_id"), _ts(action.get("action_ts"))
    if isinstance(trigger_id, str) and trigger_id:
        delivery_id: Optional[str] = f"action:{trigger_id}"
    else:
        delivery_id = f"action:{channel}:{action_ts}" if action_ts else None
    return Delivery(delivery_id, str(user), str(value), str(channel), thread_ts, direct=direct)


def delivery_from_command(form: Mapping[str, List[str]]) -> Optional[Delivery]:
    """The slash command (SLASH_COMMAND), or None: always answered in the user's direct message
    (the bot may not be in the channel it was typed in, and cannot post in other people's direct
    messages). Its text is the user's first message; without text the bot greets."""

    def field(name: str) -> str:
        values = form.get(name) or [""]
        return values[0]

    user, channel = field("user_id"), field("channel_id")
    if field("command") != SLASH_COMMAND or not _slack_ids(user, channel):
        return None
    text = user_text(field("text")) or "/greet"
    trigger_id = field("trigger_id")
    return Delivery(f"command:{trigger_id}" if trigger_id else None, user, text, channel, None, wants_private=True)


# -- the output channel ---------------------------------------------------------------
@dataclass(frozen=True)
class Place:
    """Where a Slack message is posted: a channel or direct message, and the thread in it."""

    channel: str
    thread_ts: Optional[str] = None

    def arguments(self) -> Dict[str, str]:
        return {"channel": self.channel, **({"thread_ts": self.thread_ts} if self.thread_ts else {})}


class SlackBot(RasaSlackBot):
    """Rasa's Slack output: escaped text, Block Kit buttons, every message held until the turn is over.

    Every message Rasa sends (text, buttons, images, custom JSON) reaches `_post_message` and is
    held there, whatever channel it names; `SlackInput` then posts the turn's messages where the
    privacy rule allows. (Rasa's HTTP API, sending outside a turn, is held and never posted: no rule
    says where it could go.)
    """

    @classmethod
    def name(cls) -> Text:
        return "slack"

    def __init__(
        self,
        token: Text,
        slack_channel: Optional[Text] = None,
        thread_id: Optional[Text] = None,
        proxy: Optional[Text] = None,
        api_base_url: Optional[Text] = None,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        if api_base_url:
            self.client = AsyncWebClient(token, proxy=proxy, base_url=api_base_url)
        self.held: List[Dict[str, Any]] = []  # chat.postMessage arguments, without a place
        self.answered_by_rasa = False  # set when Rasa has handled the turn's message (not the guard)

    async def call(self, method: str, **arguments: Any) -> Any:
        """One Web API call; only the methods in WEB_API_METHODS (their scopes are the app's)."""
        if method not in WEB_API_METHODS:
            raise ValueError(
                f"{method} is no Web API method of this channel: add it to WEB_API_METHODS "
                "and deploy/slack-manifest.yml"
            )
        return await self.client.api_call(method, json=arguments)

    async def _post_message(self, channel: Text, **kwargs: Any) -> None:
        # `as_user` only works for classic Slack apps; `type` is no chat.postMessage argument;
        # the place is decided when the turn is over.
        for name in ("as_user", "type", "channel", "thread_ts"):
            kwargs.pop(name, None)
        self.held.append(kwargs)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        # One Slack message per bot message (Rasa posts each paragraph on its own).
        if text.strip():
            await self._post_message(recipient_id, text=escape_mrkdwn(text.strip()))

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self._post_message(recipient_id, text=escape_mrkdwn(text.strip()), blocks=message_blocks(text, buttons))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        copy_text = json_message.get("copy_text")
        if isinstance(copy_text, str):
            # The answers to copy into the recipient's own form (actions/conclude.py): a code block,
            # so Slack keeps the lines and formats nothing in them.
            await self._post_message(recipient_id, text=code_block(copy_text))
            return
        # Rasa's passes a `channel` in the JSON twice (a TypeError); the place is not the JSON's to choose.
        await self._post_message(recipient_id, **{k: v for k, v in json_message.items() if k != "channel"})

    @property
    def held_content(self) -> List[str]:
        """Everything the held messages would show, as text (the privacy rule reads it)."""
        return [unescape_mrkdwn(json.dumps(message, ensure_ascii=False)) for message in self.held]

    def say_what_slack_keeps(self) -> None:
        """After "glem mig": the confirmation says what stays in Slack (messages.slack_forgotten)."""
        plain = [
            None if "blocks" in message else unescape_mrkdwn(str(message.get("text") or "")) for message in self.held
        ]
        honest = iter(messages.slack_forgotten([text for text in plain if text is not None]))
        for message, before in zip(self.held, plain):
            if before is not None:
                after = next(honest)
                if after != before:
                    message["text"] = escape_mrkdwn(after)
        self.held.extend({"text": escape_mrkdwn(extra)} for extra in honest)

    async def post(self, place: Place, **arguments: Any) -> bool:
        """One chat.postMessage; False (and the error code logged) when Slack refuses it."""
        try:
            await self.call("chat.postMessage", **place.arguments(), **arguments)
            return True
        except SlackApiError as error:
            logger.error("Slack refused a message: %s", error.response.get("error"))
        except SlackClientError as error:
            logger.error("Slack could not be reached: %s", type(error).__name__)
        return False

    async def post_held(self, place: Place) -> None:
        held, self.held = self.held, []
        for arguments in held:
            await self.post(place, **arguments)

    async def open_direct_message(self, user: str) -> Optional[Place]:
        """The direct message between the bot and a user (conversations.open), or None when Slack refuses."""
        try:
            answer = await self.call("conversations.open", users=user)
            channel = answer["channel"]["id"]
        except SlackApiError as error:
            logger.warning("Slack would not open a direct message: %s", error.response.get("error"))
            return None
        except (SlackClientError, KeyError, TypeError) as error:
            logger.warning("Slack would not open a direct message: %s", type(error).__name__)
            return None
        return Place(channel) if _slack_ids(channel) else None


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


class OneTurnAtATime:
    """Per conversation, one turn at a time in this process, from Rasa's answer to the last post:
    Rasa's own lock ends when the turn is stored, before its answer is posted, and the answers to
    two quick messages must not cross."""

    def __init__(self) -> None:
        self._locks: Dict[str, asyncio.Lock] = {}
        self._users: Dict[str, int] = {}

    @asynccontextmanager
    async def turn(self, conversation: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(conversation, asyncio.Lock())
        self._users[conversation] = self._users.get(conversation, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[conversation] -= 1
            if not self._users[conversation]:
                del self._users[conversation], self._locks[conversation]


class Unreadable(Exception):
    """The conversation store could not be read: the answer goes to the direct message."""


def primary_tracker_store(agent: Any) -> Optional[TrackerStore]:
    """Rasa's tracker store itself: the fail-safe wrapper around it answers an error with "no
    conversation", which must not read as "nothing personal here"."""
    store = getattr(agent, "tracker_store", None)
    return store._tracker_store if isinstance(store, FailSafeTrackerStore) else store


class SlackInput(RasaSlackInput):
    """Rasa's Slack input (`/webhooks/slack/webhook`), strict about signatures, retries, formats and privacy."""

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
            conversation_granularity=credentials.get("conversation_granularity", CONVERSATION_GRANULARITY),
            api_base_url=credentials.get("slack_api_base_url") or os.environ.get("SLACK_API_BASE_URL") or None,
        )

    def __init__(
        self,
        slack_token: Text,
        slack_channel: Optional[Text] = None,
        proxy: Optional[Text] = None,
        slack_signing_secret: Text = "",
        conversation_granularity: Optional[Text] = CONVERSATION_GRANULARITY,
        api_base_url: Optional[Text] = None,
    ) -> None:
        if conversation_granularity != CONVERSATION_GRANULARITY:
            raise InvalidConfigException(
                f"The Slack channel keeps one conversation per Slack user (conversation_granularity: "
                f"{CONVERSATION_GRANULARITY}), so that an application begun in a channel goes on in the "
                f"direct message; '{conversation_granularity}' is not supported."
            )
        super().__init__(
            slack_token,
            slack_channel,
            proxy,
            slack_signing_secret=slack_signing_secret,
            conversation_granularity=conversation_granularity,
        )
        self.api_base_url = api_base_url
        self.deliveries = Deliveries()
        self.turns = OneTurnAtATime()

    def _get_conversation_id(
        self, sender_id: Optional[Text], channel_id: Optional[Text], thread_id: Optional[Text]
    ) -> Optional[Text]:
        """Rasa's id (the user: granularity `sender`), as `slack:<id>`."""
        return conversation_id(self.name(), super()._get_conversation_id(sender_id, channel_id, thread_id))

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        return SlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_base_url)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        async def answered_by_rasa(message: UserMessage) -> Any:
            result = await on_new_message(message)
            if isinstance(message.output_channel, SlackBot):
                message.output_channel.answered_by_rasa = True
            return result

        guarded = guard(answered_by_rasa)
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
        problem = signature_problem(
            self.slack_signing_secret,
            request.headers.get("X-Slack-Request-Timestamp"),
            request.headers.get("X-Slack-Signature"),
            body,
            time.time(),
        )
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
                if "payload" in form:
                    payload, problem = parse_json_body(form["payload"][0].encode("utf-8", "surrogatepass"))
                    if problem:
                        return response.text(problem, status=HTTPStatus.BAD_REQUEST)
                    delivery = delivery_from_interaction(payload)
                else:
                    delivery = delivery_from_command(form)
            else:
                return response.text("Unsupported content type.", status=HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
        except (ValueError, KeyError, AttributeError, TypeError, UnicodeDecodeError):
            return response.text("Malformed Slack request.", status=HTTPStatus.BAD_REQUEST)

        if delivery is None:
            return response.text("")
        agent = getattr(request.app.ctx, "agent", None)
        self.deliveries.choose(getattr(agent, "lock_store", None), primary_tracker_store(agent))
        if delivery.delivery_id is not None and not await self.deliveries.first_time(delivery.delivery_id):
            logger.info(
                "Slack delivery %s already handled; repeat ignored (retry %s, %s)",
                delivery.delivery_id,
                request.headers.get("X-Slack-Retry-Num"),
                request.headers.get("X-Slack-Retry-Reason"),
            )
            return response.text("")

        message = UserMessage(
            delivery.text,
            self.get_output_channel(delivery.channel, delivery.thread_ts),
            self._get_conversation_id(delivery.user, delivery.channel, delivery.thread_ts),
            input_channel=self.name(),
            message_id=delivery.delivery_id,
            metadata={
                "out_channel": delivery.channel,
                "thread_id": delivery.thread_ts,
                "users": list(delivery.bot_user_ids),
                "slack_delivery_id": delivery.delivery_id,
            },
        )
        # Answer Slack at once (it retries after 3 s) and let Rasa work in the background.
        task = asyncio.create_task(self._answer(delivery, message, on_new_message, agent))
        self._background_tasks.add(task)
        task.add_done_callback(self._finished)
        if delivery.wants_private:
            # The slash command's answer, seen by the user alone.
            return response.json({"response_type": "ephemeral", "text": messages.SLACK_COMMAND_ANSWERED})
        return response.text("")

    async def _answer(self, delivery: Delivery, message: UserMessage, on_new_message: OnNewMessage, agent: Any) -> None:
        """One turn: Rasa answers (held back), then the answer is posted where the privacy rule allows."""
        output = message.output_channel
        assert isinstance(output, SlackBot)
        store = primary_tracker_store(agent)
        async with self.turns.turn(message.sender_id):
            readable = True
            try:
                before = await self._slots(store, message.sender_id)
            except Unreadable:
                before, readable = None, False
            await on_new_message(message)
            try:
                after = await self._slots(store, message.sender_id)
            except Unreadable:
                after, readable = None, False
            if readable and output.answered_by_rasa and after is None:
                # Rasa stores every turn it handles; only "glem mig" leaves no conversation behind.
                output.say_what_slack_keeps()
            private = (
                delivery.wants_private
                or not readable
                or answer_in_private(before, after, delivery.text, output.held_content)
            )
            await self._post(output, delivery, private)

    @staticmethod
    async def _slots(store: Optional[TrackerStore], conversation: str) -> Optional[Mapping[str, Any]]:
        """The conversation's stored slots, or None when it has none stored; Unreadable on any failure."""
        if store is None:
            raise Unreadable("no tracker store")
        try:
            tracker = await store.retrieve(conversation)
        except Exception as error:  # noqa: BLE001 - whatever it is, the rule must not take it for "nothing"
            logger.warning("Slack: the conversation could not be read (%s); answering in private", type(error).__name__)
            raise Unreadable(type(error).__name__) from None
        return None if tracker is None else tracker.current_slot_values()

    async def _post(self, output: SlackBot, delivery: Delivery, private: bool) -> None:
        here = Place(delivery.channel, delivery.thread_ts)
        if delivery.direct or not private:
            await output.post_held(here)
            return
        if not output.held:
            return
        direct_message = await output.open_direct_message(delivery.user)
        if direct_message is None:
            output.held.clear()  # never in the channel instead
            if not delivery.wants_private:
                await output.post(here, text=escape_mrkdwn(messages.SLACK_NO_PRIVATE_MESSAGE))
            return
        if not delivery.wants_private:
            line = (
                messages.SLACK_CONTACT_DETAILS_IN_CHANNEL
                if mentions_contact_details(delivery.text)
                else messages.SLACK_CONTINUES_IN_PRIVATE
            )
            await output.post(here, text=escape_mrkdwn(line))
        await output.post_held(direct_message)

    def _finished(self, task: "asyncio.Task[Any]") -> None:
        self._background_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The exception only: the message text is personal data.
            logger.error("Slack message not handled: %r", task.exception())
