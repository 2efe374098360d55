"""Which input channels the Rasa server opens, and what every channel does before Rasa sees a message.

Rasa stops the start when credentials.yml names an unset ${VAR}, so the stack writes a
runtime credentials file from `runtime_credentials()` instead: a channel whose secrets
are missing is simply left out. credentials.yml in the repo documents the same channels.

Every channel of ours (`bot/rasa_channels.py` and its siblings) passes its
`on_new_message` through `guard()`, so the limits in `bot.limits` hold the same way on
REST, the web chat and Slack.
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from typing import Any, Awaitable, Callable, Mapping, Optional

from bot.limits import too_long_reply

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[Any], Awaitable[Any]]
# Rasa's tracker store keeps the sender id in a VARCHAR(255).
SENDER_MAX = 255

# Where the Rasa server serves the web chat page (bot/webchat.py); `make run` prints it.
CHAT_PATH = "/chat/"


FAILURE_REPLY = "Beklager, der skete en teknisk fejl, så jeg kunne ikke læse din besked. Prøv igen om lidt."


def guard(on_new_message: OnNewMessage) -> OnNewMessage:
    """Wrap Rasa's message handler: an over-long message gets a polite answer and is not processed.

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
        try:
            return await on_new_message(message)
        except (Exception, asyncio.CancelledError) as error:  # noqa: BLE001 - see the docstring
            where = "".join(traceback.format_tb(error.__traceback__))
            logger.error("handling a message failed: %s\n%s", type(error).__name__, where)
            if not isinstance(error, asyncio.CancelledError):  # cancelled: the client is gone
                await message.output_channel.send_text_message(message.sender_id, FAILURE_REPLY)
            return None

    return guarded


def rest_body_problem(body: bytes) -> Optional[str]:
    """Why a REST webhook body is not a message Rasa can take, or None when it is.

    Rasa's REST channel assumes a JSON object with a string `message`; anything else ends
    in a server error. The sender id is stored in a 255-character column (Rasa's tracker store).
    """
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "the body is not JSON"
    if not isinstance(payload, dict):
        return "the body must be a JSON object"
    if not isinstance(payload.get("message"), str):
        return "'message' must be a string"
    sender = payload.get("sender")
    if sender is not None and not (isinstance(sender, str) and 0 < len(sender) <= SENDER_MAX):
        return f"'sender' must be a string of 1 to {SENDER_MAX} characters"
    channel = payload.get("input_channel")
    if channel is not None and not (isinstance(channel, str) and len(channel) <= SENDER_MAX):
        return "'input_channel' must be a string"
    if payload.get("metadata") is not None and not isinstance(payload["metadata"], dict):
        return "'metadata' must be a JSON object"
    return None


class ChannelConfigError(ValueError):
    """A channel is half configured (e.g. a Slack token without its signing secret)."""


def runtime_credentials(env: Mapping[str, str]) -> dict[str, Optional[dict[str, Any]]]:
    credentials: dict[str, Optional[dict[str, Any]]] = {"bot.rasa_channels.RestInput": None}
    # -- Web chat (bot/webchat.py): always on. The page at CHAT_PATH talks to it; its socket
    # accepts only WEBCHAT_ALLOWED_ORIGINS (comma-separated), else the page's own loopback origins.
    credentials["bot.webchat.WebChatInput"] = {
        "session_persistence": True,
        "allowed_origins": env.get("WEBCHAT_ALLOWED_ORIGINS") or None,
    }
    # -- Slack (bot/slack.py): on only when SLACK_TOKEN is set. The token and the signing
    # secret stay in the environment, which the Rasa server inherits: the credentials file
    # written from this dict holds no secret.
    if env.get("SLACK_TOKEN"):
        if not env.get("SLACK_SIGNING_SECRET"):
            raise ChannelConfigError(
                "SLACK_TOKEN er sat, men SLACK_SIGNING_SECRET mangler. Uden den kan Slack-kanalen ikke "
                "se, om en besked kommer fra Slack, så botten starter ikke. Find den i Slack-appen under "
                "Basic Information > App Credentials > Signing Secret (se README, afsnittet Slack).")
        credentials["bot.slack.SlackInput"] = {"slack_channel": env.get("SLACK_CHANNEL") or None}
    # -- Privacy notice (bot/privacy_page.py): always on. The page at /privatliv that the
    # greeting links to; it receives no messages.
    credentials["bot.privacy_page.PrivacyNoticePage"] = None
    return credentials
