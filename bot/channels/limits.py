"""Limits on what users send, shared by every input channel (REST, web chat, Slack)."""

from __future__ import annotations

import os
from typing import Optional

DEFAULT_MAX_MESSAGE_CHARS = 2000


def max_message_chars() -> int:
    return int(os.environ.get("MAX_MESSAGE_CHARS", DEFAULT_MAX_MESSAGE_CHARS))


def too_long_reply(text: Optional[str]) -> Optional[str]:
    """A polite Danish answer when a message is over the limit (it is then not processed), else None."""
    limit = max_message_chars()
    if text is not None and len(text) > limit:
        return (f"Din besked er for lang ({len(text)} tegn). Jeg kan højst læse {limit} tegn ad gangen. "
                "Skriv det gerne kortere, så hjælper jeg dig videre. Intet af det, du skrev, er gemt.")
    return None
