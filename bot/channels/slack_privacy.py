"""Where a Slack answer may be posted: personal data only ever in a direct message with the user.

Every member of a channel reads it and its threads. The Slack channel (bot/channels/slack.py)
holds a turn's answer back until Rasa has stored the turn, then asks `answer_in_private` with
the conversation's slots from before and after the turn. The rule errs on the side of privacy:
once an application has reached its personal part, every answer in that conversation goes to
the direct message, whatever the single message says, until the answers are forgotten or reset
("glem mig", "start forfra").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable, Mapping, Optional

from bot.domain import catalogue as catalogue_module
from bot.domain.contacts import mentions_contact_details
from bot.domain.routing import CONTACT_FIELDS, STATE_CONTACT_FIELDS

# The answers of an application's personal part: the workplace, then the people to contact.
PERSONAL_SLOTS = ("workplace", *CONTACT_FIELDS, *STATE_CONTACT_FIELDS)
# The personal part is asked, summed up (`confirmed`) and ends in a filed `reference`.
PRIVATE_QUESTIONS = (*PERSONAL_SLOTS, "confirmed")

Slots = Mapping[str, Any]


def in_personal_part(slots: Slots) -> bool:
    """Whether a conversation has reached the application's personal part: one of its questions
    is being asked, one of its answers is known, or the application was filed (its reference)."""
    return (
        slots.get("requested_slot") in PRIVATE_QUESTIONS
        or any(slots.get(slot) not in (None, "") for slot in PERSONAL_SLOTS)
        or slots.get("reference") is not None
    )


@lru_cache(maxsize=1)
def _references() -> "re.Pattern[str]":
    # A filed application's reference, `<the offer's prefix>-<year>-<number>` (bot/records/store.py).
    prefixes = sorted(offer.reference_prefix for offer in catalogue_module.load().offers.values())
    return re.compile(rf"\b(?:{'|'.join(map(re.escape, prefixes))})-\d{{4}}-\d{{6,}}\b")


def mentions_reference(text: str) -> bool:
    """Whether a text names a filed application by its reference (e.g. SPARK-2026-000001)."""
    return bool(_references().search(text or ""))


def answer_in_private(
    before: Optional[Slots], after: Optional[Slots], user_text: str, bot_texts: Iterable[str]
) -> bool:
    """Whether a turn's answer to a message written in a channel must go to the user's direct message.

    `before` and `after` are the conversation's slots before and after the turn (None: no stored
    conversation, e.g. after "glem mig"). Private when either is in the personal part (a name is
    only ever known there), when the user's message or the answer holds an e-mail address or a
    phone number, or when the answer names a filed application's reference.
    """
    known = [slots for slots in (before, after) if slots is not None]
    return (
        any(in_personal_part(slots) for slots in known)
        or mentions_contact_details(user_text)
        or any(mentions_contact_details(text) or mentions_reference(text) for text in bot_texts)
    )
