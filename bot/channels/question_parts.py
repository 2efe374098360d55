"""The question inside a longer message, understood on its own (issue 24).

"Jeg er TR på et plejecenter i Nyborg. Kan vi søge uden at vores leder ved det?" is read by the
intent model as facts (inform): the facts outweigh the question, so the FAQ topic of the whole
message is weak or wrong, and the question went unanswered. Here each question sentence of such a
message (bot.domain.text.question_parts) is parsed on its own by the running model, with Rasa's
public `Agent.parse_message`, before Rasa handles the message; what the model says of it goes into
the message's metadata as `question_parts`:

    [{"intent": "faq", "confidence": 0.97, "topic": "faq/enighed", "topic_confidence": 0.68}]

The form reads it at its first question (actions/first_message.py, `opening_question`). No text is
stored there, only labels and confidences. One extra parse per question sentence (at most two),
and only for messages that ask and tell at once; a failure here never stops the message.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from bot.domain.text import QUESTION_PARTS_KEY, question_parts

logger = logging.getLogger(__name__)

RETRIEVAL_INTENT = "faq"  # domain.yml's retrieval intent, whose topics the intent model picks


def _agent() -> Optional[Any]:
    """The Rasa server's agent (its Sanic app's `ctx.agent`), or None where there is none."""
    from sanic import Sanic

    try:
        agent = getattr(Sanic.get_app().ctx, "agent", None)
    except Exception:  # noqa: BLE001 - no app, or several: nothing to ask
        return None
    return agent if agent is not None and agent.is_ready() else None


def summary(parse: dict[str, Any]) -> dict[str, Any]:
    """What the form needs of one parse: the intent and the FAQ topic, each with its confidence."""
    intent = parse.get("intent") or {}
    selected = ((parse.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}).get("response") or {}
    return {
        "intent": intent.get("name"),
        "confidence": round(float(intent.get("confidence") or 0.0), 4),
        "topic": selected.get("intent_response_key"),
        "topic_confidence": round(float(selected.get("confidence") or 0.0), 4),
    }


async def annotate(message: Any, agent: Optional[Any] = None) -> None:
    """Add `question_parts` to a UserMessage's metadata when it asks and tells at once."""
    parts = question_parts(message.text or "")
    if not parts:
        return
    agent = agent or _agent()
    if agent is None:
        return
    try:
        found = [summary(await agent.parse_message(part)) for part in parts]
    except Exception as error:  # noqa: BLE001 - the message goes on as Rasa would take it
        logger.warning("a question part could not be parsed: %s", type(error).__name__)
        return
    message.metadata = {**(message.metadata or {}), QUESTION_PARTS_KEY: found}
