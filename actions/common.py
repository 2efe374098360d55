"""What the actions share: sending a `bot.domain.messages.Reply`, the record store, message facts."""

from __future__ import annotations

import os
from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.domain.messages import Reply
from bot.domain.routing import SLOT_NAMES, Answers
from bot.records.recipients import Routes
from bot.records.store import ApplicationStore

# Intents that are never an answer to the question being asked.
CONTROL_INTENTS = frozenset(
    {
        "faq",
        "stop",
        "restart",
        "human_handoff",
        "out_of_scope",
        "greet",
        "goodbye",
        "thanks",
        "forget_me",
        "privacy_notice",
    }
)

_store: Optional[ApplicationStore] = None
_routes: Optional[Routes] = None


def store() -> ApplicationStore:
    """The record store, created on first use (never at import)."""
    global _store
    if _store is None:
        _store = ApplicationStore()
    return _store


def delivery_routes() -> Routes:
    """How this installation reaches each recipient (read from the environment once)."""
    global _routes
    if _routes is None:
        _routes = Routes.from_env(os.environ)
    return _routes


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    buttons = [{"title": title, "payload": payload} for title, payload in reply.buttons]
    dispatcher.utter_message(text=reply.text, buttons=buttons or None)


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def latest_intent(tracker: Tracker) -> Optional[str]:
    intent: Any = tracker.latest_message.get("intent") or {}
    return intent.get("name")


def is_button_payload(tracker: Tracker) -> bool:
    return latest_text(tracker).startswith("/")


def answers(tracker: Tracker) -> Answers:
    return Answers.from_slots(tracker.slots)


def value_before_this_turn(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message (tracker.slots already holds new candidates)."""
    events = tracker.events
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    for event in reversed(events[:last_user]):
        if event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
        if event.get("event") in ("restart", "session_started"):
            return None
    return None


def answers_before_this_turn(tracker: Tracker) -> Answers:
    """The answers as they were before the latest user message."""
    return Answers.from_slots({name: value_before_this_turn(tracker, name) for name in SLOT_NAMES})
