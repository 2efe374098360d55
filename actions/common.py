"""What the actions share: sending a `bot.domain.messages.Reply`, the record store, message facts."""

from __future__ import annotations

import os
from typing import Any, Dict, Iterable, Optional

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


def values_before_this_turn(tracker: Tracker, slots: Iterable[str]) -> Dict[str, Any]:
    """The slots' values before the latest user message (tracker.slots already holds new candidates).

    One pass back from the latest user message: it was a pass per slot over the whole history, a
    quarter of the action server's time at turn 40 (py-spy, the performance issue).
    """
    events = tracker.events
    last_user = next((i for i in range(len(events) - 1, -1, -1) if events[i].get("event") == "user"), len(events))
    wanted, found = set(slots), {}
    for event in reversed(events[:last_user]):
        kind = event.get("event")
        if kind == "slot" and event.get("name") in wanted and event.get("name") not in found:
            found[event["name"]] = event.get("value")
            if len(found) == len(wanted):
                break
        elif kind in ("restart", "session_started"):
            break
    return {name: found.get(name) for name in wanted}


def value_before_this_turn(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message."""
    return values_before_this_turn(tracker, (slot,))[slot]


def answers_before_this_turn(tracker: Tracker) -> Answers:
    """The answers as they were before the latest user message."""
    return Answers.from_slots(values_before_this_turn(tracker, SLOT_NAMES))


def said_this_turn(tracker: Tracker, opening: str) -> bool:
    """Did the bot say a text that begins with `opening` since the latest user message? (Those events reach the
    action server whole, also with the lean history: bot/server/patches/action_call_lean_history.py.)"""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot" and (event.get("text") or "").startswith(opening):
            return True
    return False
