"""Which input channels the Rasa server opens, and what every channel does before Rasa sees a message.

Rasa stops the start when credentials.yml names an unset ${VAR}, so the stack writes a
runtime credentials file from `runtime_credentials()` instead: a channel whose secrets
are missing is simply left out. credentials.yml in the repo documents the same channels.

Every channel of ours (`bot/rasa_channels.py` and its siblings) passes its
`on_new_message` through `guard()`, so the limits in `bot.limits` hold the same way on
REST, the web chat and Slack.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Mapping, Optional

from bot.limits import too_long_reply

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[Any], Awaitable[Any]]


def guard(on_new_message: OnNewMessage) -> OnNewMessage:
    """Wrap Rasa's message handler: an over-long message gets a polite answer and is not processed."""

    async def guarded(message: Any) -> Any:
        reply = too_long_reply(message.text)
        if reply is not None:
            logger.info("message over the length limit refused (%d characters)", len(message.text))
            await message.output_channel.send_text_message(message.sender_id, reply)
            return None
        return await on_new_message(message)

    return guarded


def runtime_credentials(env: Mapping[str, str]) -> dict[str, Optional[dict[str, Any]]]:
    credentials: dict[str, Optional[dict[str, Any]]] = {"bot.rasa_channels.RestInput": None}
    return credentials
