"""Which input channels the Rasa server opens, and what every channel does before Rasa sees a message.

Rasa stops the start when credentials.yml names an unset ${VAR}, so the stack writes a
runtime credentials file from `runtime_credentials()` instead: a channel whose secrets
are missing is simply left out. credentials.yml in the repo documents the same channels.

Every channel of ours (`bot/channels/rest.py` and its siblings) passes its
`on_new_message` through `guard()`, so the limits in `bot.channels.limits` hold the same way on
REST, the web chat and Slack.
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
import unicodedata
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping, Optional

from bot.channels.limits import too_long_reply

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[Any], Awaitable[Any]]
# Rasa's tracker store keeps the conversation id in a VARCHAR(255): a client's own id is at most
# this long, so that "<channel>:" in front of it always fits.
SENDER_MAX = 200
# Deeper JSON than this is no message of ours (Python's parser would raise RecursionError near 1000).
JSON_DEPTH_MAX = 32

# Where the Rasa server serves the web chat page (bot/channels/webchat.py); `make run` prints it.
CHAT_PATH = "/chat/"


FAILURE_REPLY = "Beklager, der skete en teknisk fejl, så jeg kunne ikke læse din besked. Prøv igen om lidt."
EMPTY_REPLY = "Din besked var tom. Skriv gerne, hvad du vil spørge om, så hjælper jeg dig videre."


def conversation_id(channel: str, sender: str) -> str:
    """The conversation id Rasa stores: the channel's name, then the id the channel gave the sender.

    Every channel of ours names its conversations this way, so no client of one channel can
    address a conversation of another (a REST client that sends a Slack user's id as `sender`
    reaches `rest:U123`, never `slack:U123`).
    """
    return f"{channel}:{sender}"


def sender_problem(sender: Any) -> Optional[str]:
    """Why a client's sender id cannot name a conversation, or None when it can.

    Printable characters only: a lone surrogate stops SQLite's driver and a NUL PostgreSQL's.
    """
    if sender is None:
        return "'sender' is required: it names the conversation"
    if not isinstance(sender, str) or not 0 < len(sender) <= SENDER_MAX:
        return f"'sender' must be a string of 1 to {SENDER_MAX} characters"
    if not sender.isprintable():
        return "'sender' may only hold printable characters"
    return None


def clean_message_text(text: str) -> str:
    """The text as Rasa may store it: lone surrogates become U+FFFD, control characters
    other than line breaks and tabs are dropped (a NUL stops PostgreSQL; neither is anything
    a person typed)."""
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def guard(on_new_message: OnNewMessage) -> OnNewMessage:
    """Wrap Rasa's message handler: an over-long or empty message gets a polite answer and is not processed.

    A failure while handling a message is logged here without the message: Rasa's own
    channels log the user's text with it (e.g. `rest.message.received.failure`), and the
    text is personal data. The log gets the error's type and where it happened.
    """

    async def guarded(message: Any) -> Any:
        reply = too_long_reply(message.text)
        if reply is not None:
            logger.info("message over the length limit refused (%d characters)", len(message.text))
            await message.output_channel.send_text_message(message.sender_id, reply)
            return None
        message.text = clean_message_text(message.text or "")
        if not message.text.strip():
            await message.output_channel.send_text_message(message.sender_id, EMPTY_REPLY)
            return None
        try:
            return await on_new_message(message)
        except (Exception, asyncio.CancelledError) as error:  # noqa: BLE001 - see the docstring
            where = "".join(traceback.format_tb(error.__traceback__))
            logger.error("handling a message failed: %s\n%s", type(error).__name__, where)
            if not isinstance(error, asyncio.CancelledError):  # cancelled: the client is gone
                await message.output_channel.send_text_message(message.sender_id, FAILURE_REPLY)
            return None

    return guarded


def json_depth(value: Any, limit: int = JSON_DEPTH_MAX) -> int:
    """How deeply a parsed JSON value nests (stops counting past `limit`)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_json_body(body: bytes) -> tuple[Any, Optional[str]]:
    """(the parsed body, None), or (None, why it is no JSON message of ours)."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None, "the body is not JSON"
    except RecursionError:
        return None, f"the JSON nests deeper than {JSON_DEPTH_MAX} levels"
    if json_depth(payload) > JSON_DEPTH_MAX:
        return None, f"the JSON nests deeper than {JSON_DEPTH_MAX} levels"
    return payload, None


@dataclass(frozen=True)
class RestMessage:
    sender: str
    text: str


def rest_message(body: bytes) -> tuple[Optional[RestMessage], Optional[str]]:
    """The message in a REST webhook body, or why it is none (the reason goes back in a 400).

    Only `sender` and `message` are read: `input_channel` is the channel that really received
    it (REST), and `metadata` is neither used nor stored.
    """
    payload, problem = parse_json_body(body)
    if problem:
        return None, problem
    if not isinstance(payload, dict):
        return None, "the body must be a JSON object"
    if not isinstance(payload.get("message"), str):
        return None, "'message' must be a string"
    problem = sender_problem(payload.get("sender"))
    if problem:
        return None, problem
    return RestMessage(payload["sender"], payload["message"]), None


class ChannelConfigError(ValueError):
    """A channel is half configured (e.g. a Slack token without its signing secret)."""


def runtime_credentials(env: Mapping[str, str]) -> dict[str, Optional[dict[str, Any]]]:
    credentials: dict[str, Optional[dict[str, Any]]] = {"bot.channels.rest.RestInput": None}
    # -- Web chat (bot/channels/webchat.py): always on. The page at CHAT_PATH talks to it; its socket
    # accepts only WEBCHAT_ALLOWED_ORIGINS (comma-separated), else the page's own loopback origins.
    credentials["bot.channels.webchat.WebChatInput"] = {
        "session_persistence": True,
        "allowed_origins": env.get("WEBCHAT_ALLOWED_ORIGINS") or None,
    }
    # -- Slack (bot/channels/slack.py): on only when SLACK_TOKEN is set. The token and the signing
    # secret stay in the environment, which the Rasa server inherits: the credentials file
    # written from this dict holds no secret.
    if env.get("SLACK_TOKEN"):
        if not env.get("SLACK_SIGNING_SECRET"):
            raise ChannelConfigError(
                "SLACK_TOKEN er sat, men SLACK_SIGNING_SECRET mangler. Uden den kan Slack-kanalen ikke "
                "se, om en besked kommer fra Slack, så botten starter ikke. Find den i Slack-appen under "
                "Basic Information > App Credentials > Signing Secret (se README, afsnittet Slack).")
        credentials["bot.channels.slack.SlackInput"] = {"slack_channel": env.get("SLACK_CHANNEL") or None}
    # -- Privacy notice (bot/channels/privacy_page.py): always on. The page at /privatliv that the
    # greeting links to; it receives no messages.
    credentials["bot.channels.privacy_page.PrivacyNoticePage"] = None
    return credentials
