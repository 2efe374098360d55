"""What every channel of ours does before Rasa sees a message, and how it names conversations.

Every channel (`rest.py`, `webchat.py`, `slack.py`) passes its `on_new_message` through
`guard()`, so the same limits hold on REST, the web chat and Slack, and names each
conversation `conversation_id(channel, sender)`. The sentences the guard answers with are
in `bot.domain.messages`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import traceback
import unicodedata
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Optional

from bot.channels import question_parts
from bot.domain import messages
from bot.server import action_server_down

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[Any], Awaitable[Any]]
# Rasa's tracker store keeps the conversation id in a VARCHAR(255): a client's own id is at most
# this long, so that "<channel>:" in front of it always fits.
SENDER_MAX = 200
# Deeper JSON than this is no message of ours (Python's parser would raise RecursionError near 1000).
JSON_DEPTH_MAX = 32

DEFAULT_MAX_MESSAGE_CHARS = 2000


def max_message_chars() -> int:
    """The longest message any channel passes on (MAX_MESSAGE_CHARS, default 2,000 characters)."""
    return int(os.environ.get("MAX_MESSAGE_CHARS", DEFAULT_MAX_MESSAGE_CHARS))


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

    When the action server cannot be reached, the turn stops unsaved and the user is asked to
    send the message again in a moment (bot/server/action_server_down.py).
    A failure while handling a message is logged here without the message: Rasa's own
    channels log the user's text with it (e.g. `rest.message.received.failure`), and the
    text is personal data. The log gets the error's type and where it happened.
    """
    action_server_down.install()

    async def guarded(message: Any) -> Any:
        limit = max_message_chars()
        if message.text is not None and len(message.text) > limit:
            logger.info("message over the length limit refused (%d characters)", len(message.text))
            await message.output_channel.send_text_message(
                message.sender_id, messages.message_too_long(len(message.text), limit)
            )
            return None
        message.text = clean_message_text(message.text or "")
        if not message.text.strip():
            await message.output_channel.send_text_message(message.sender_id, messages.EMPTY_MESSAGE)
            return None
        try:
            await question_parts.annotate(message)
            with action_server_down.handling_a_turn():
                return await on_new_message(message)
        except action_server_down.ActionServerUnreachable as down:
            logger.warning("%s: the turn was not stored; the user was asked to send the message again", down)
            await message.output_channel.send_text_message(message.sender_id, messages.ACTION_SERVER_DOWN)
            return None
        except (Exception, asyncio.CancelledError) as error:  # noqa: BLE001 - see the docstring
            where = "".join(traceback.format_tb(error.__traceback__))
            logger.error("handling a message failed: %s\n%s", type(error).__name__, where)
            if not isinstance(error, asyncio.CancelledError):  # cancelled: the client is gone
                await message.output_channel.send_text_message(message.sender_id, messages.TECHNICAL_FAILURE)
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
