"""`action_call_lean_history`: the action server gets the current turn whole and, of the turns
before it, only what our actions read: user messages without their NLU rankings, each slot's
latest value, session starts, restarts and slot resets.

Every custom-action call (form validations: several a turn) sends the whole conversation. At
turn 40 of the bench's long conversation (tools/bench/growth.py) that is ~430 events, 230 kB:
each user message carries the classifier's whole output (the ranking of every intent, the FAQ
selector's ranking, the tokens), and two thirds of the events are the bot's utterances, the
actions run, rejected actions and featurisation markers. Rasa turns every event into a dict and
writes the JSON, the action server parses it, on every call: the part of a message's cost that
grows with the conversation (py-spy at turn 40).

What reads the events on the action server: rasa-sdk's `slots_to_validate` (the slot events at
the end), `latest_event_time` and `get_latest_input_channel` (the last event, the latest user
message), and `latest_message` (sent on its own, whole); our `values_before_this_turn` (each
slot's latest SlotSet before the latest user message, back to a restart or session start) and
`new_application_id` (every user message, the latest one's timestamp). So the events from the
latest user message on are sent whole; before it, every user message (text, intent, entities,
channel, ids, metadata: `intent_ranking`, `response_selector` and `text_tokens` left out), session
start, restart and slot reset, and each slot's latest SlotSet, in their order
(`kept_positions()`, `lean_events()`). Each of those readers gives the same answer on this list as
on all events. The tracker's other fields and the domain are Rasa's; the conversation itself is
unchanged.

This changes what an action could read, so it is checked the other way round: our actions give
the same events and responses with the lean body as with Rasa's, at every action call of whole
conversations, and a test fails if an action reads the events in another place
(tests/server/test_rasa_patches.py). An action that needs earlier bot utterances, actions or
rankings needs this patch left out (RASA_PATCHES=-action_call_lean_history).

Replaces `RemoteAction._action_call_format` (Rasa 3.6.21's, with the events chosen first and only
those turned into dicts).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence

from bot.server.patches._replace import replace

# What earlier user messages leave out of the action-call body.
LEFT_OUT = ("intent_ranking", "response_selector", "text_tokens")

# Event types kept before the latest user message, besides each slot's latest SlotSet.
KEPT_BEFORE_TURN = frozenset({"user", "session_started", "restart", "reset_slots"})


def kept_positions(kinds: Sequence[str], slot_names: Sequence[Optional[str]]) -> List[int]:
    """The positions of the events sent, given each event's type and (for "slot") slot name:
    from the latest user event on, all; before it, those of KEPT_BEFORE_TURN and each slot's
    latest "slot" event. Without a user event, all."""
    turn_start = next((i for i in range(len(kinds) - 1, -1, -1) if kinds[i] == "user"), 0)
    latest_slot_event: Dict[Optional[str], int] = {}
    kept = []
    for position in range(turn_start):
        if kinds[position] == "slot":
            latest_slot_event[slot_names[position]] = position
        elif kinds[position] in KEPT_BEFORE_TURN:
            kept.append(position)
    return sorted(kept + list(latest_slot_event.values())) + list(range(turn_start, len(kinds)))


def recent_event_dicts(events: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The kept events of a list of event dicts (as Rasa sends them)."""
    positions = kept_positions([e.get("event") for e in events], [e.get("name") for e in events])
    return [events[position] for position in positions]


def lean_events(events: list) -> list:
    """The events with every user event but the latest without LEFT_OUT (new dicts; the
    events' own parse_data is never changed)."""
    latest_user = max((i for i, event in enumerate(events) if event.get("event") == "user"), default=-1)
    lean = []
    for position, event in enumerate(events):
        parse_data = event.get("parse_data") if event.get("event") == "user" else None
        if position != latest_user and isinstance(parse_data, dict) and any(k in parse_data for k in LEFT_OUT):
            event = {**event, "parse_data": {k: v for k, v in parse_data.items() if k not in LEFT_OUT}}
        lean.append(event)
    return lean


def action_call_events(events: Sequence[Any]) -> List[Dict[str, Any]]:
    """What the body's "events" holds, of a conversation's Rasa events: the kept ones as dicts,
    earlier user messages lean; equal to lean_events(recent_event_dicts(Rasa's dicts))."""
    kinds = [event.type_name for event in events]
    names = [getattr(event, "key", None) if kind == "slot" else None for event, kind in zip(events, kinds)]
    return lean_events([events[position].as_dict() for position in kept_positions(kinds, names)])


def apply() -> Callable[[], None]:
    import rasa
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.trackers import EventVerbosity

    def _action_call_format(self: Any, tracker: Any, domain: Any) -> Dict[str, Any]:
        """Rasa's body for the action server, with the lean history as its events."""
        tracker_state = tracker.current_state(EventVerbosity.NONE)  # all but the events, as Rasa's
        tracker_state["events"] = action_call_events(list(tracker.events))
        result = {
            "next_action": self._name,
            "sender_id": tracker.sender_id,
            "tracker": tracker_state,
            "version": rasa.__version__,
        }
        if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
            result["domain"] = domain.as_dict()
        return result

    return replace(RemoteAction, "_action_call_format", _action_call_format)
