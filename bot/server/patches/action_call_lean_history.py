"""`action_call_lean_history`: the action server gets the current turn whole and, of the turns
before it, only what our actions read: a marker for each user message, each slot's latest
value, session starts, restarts and slot resets.

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
`new_application_id` (how many user messages there are, the latest one's timestamp), and `said_this_turn`
(the bot's utterances since the latest user message); none reads
an earlier user message's text, intent or entities. So the events from the latest user message on
are sent whole; before it, a marker for every user message (its "event" and "timestamp" only:
`EARLIER_USER_KEPT`), session start, restart and slot reset, and each slot's latest SlotSet, in
their order (`kept_positions()`, `lean_events()`). Each of those readers gives the same answer on this list as
on all events. The tracker's other fields and the domain are Rasa's; the conversation itself is
unchanged.

The part before the latest user message is worked out once a turn: the turn's calls (~4 a
message) share its event objects, so later calls reuse it while those objects are the same
(`action_call_events`).

This changes what an action could read, so it is checked the other way round: our actions give
the same events and responses with the lean body as with Rasa's, at every action call of whole
conversations, and a test fails if an action reads the events in another place
(tests/server/test_rasa_patches.py). An action that needs earlier bot utterances, actions or
user messages' texts or intents needs this patch left out (RASA_PATCHES=-action_call_lean_history).

Replaces `RemoteAction._action_call_format` (Rasa 3.6.21's, with the events chosen first and only
those turned into dicts).
"""

from __future__ import annotations

import itertools
import operator
from collections import OrderedDict
from typing import Any, Callable, Dict, Hashable, List, Optional, Sequence

from bot.server.patches._replace import replace

# What the action-call body keeps of a user message before the latest one. (Until 7 Dec the text,
# intent and entities too, without the NLU rankings and tokens: at turn 40 those 39 messages were
# most of the body's bytes, written, sent and parsed on every call, and no action reads them.)
EARLIER_USER_KEPT = ("event", "timestamp")

# Event types kept before the latest user message, besides each slot's latest SlotSet.
KEPT_BEFORE_TURN = frozenset({"user", "session_started", "restart", "reset_slots"})


def kept_positions(kinds: Sequence[str], slot_names: Sequence[Optional[str]]) -> List[int]:
    """The positions of the events sent, given each event's type and (for "slot") slot name:
    from the latest user event on, all; before it, those of KEPT_BEFORE_TURN and each slot's
    latest "slot" event. Without a user event, all."""
    turn_start = next((i for i in range(len(kinds) - 1, -1, -1) if kinds[i] == "user"), 0)
    return kept_before_turn(kinds[:turn_start], slot_names[:turn_start]) + list(range(turn_start, len(kinds)))


def kept_before_turn(kinds: Sequence[str], slot_names: Sequence[Optional[str]]) -> List[int]:
    """Of the events before the latest user event, the positions of those sent: KEPT_BEFORE_TURN's
    and each slot's latest "slot" event, in their order."""
    latest_slot_event: Dict[Optional[str], int] = {}
    kept = []
    for position, kind in enumerate(kinds):
        if kind == "slot":
            latest_slot_event[slot_names[position]] = position
        elif kind in KEPT_BEFORE_TURN:
            kept.append(position)
    return sorted(kept + list(latest_slot_event.values()))


def recent_event_dicts(events: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The kept events of a list of event dicts (as Rasa sends them)."""
    positions = kept_positions([e.get("event") for e in events], [e.get("name") for e in events])
    return [events[position] for position in positions]


def lean_events(events: list) -> list:
    """The events with every user event but the latest cut to EARLIER_USER_KEPT (new dicts; the
    events themselves are never changed)."""
    latest_user = max((i for i, event in enumerate(events) if event.get("event") == "user"), default=-1)
    return [event if position == latest_user else _lean_user(event) for position, event in enumerate(events)]


def action_call_events(events: Sequence[Any], conversation: Optional[Hashable] = None) -> List[Dict[str, Any]]:
    """What the body's "events" holds, of a conversation's Rasa events: the kept ones as dicts,
    earlier user messages lean; equal to lean_events(recent_event_dicts(Rasa's dicts)).

    The part before the latest user message is remembered per `conversation` (when given) and
    reused while the events before it are the same objects: the calls of one turn (the form's
    validation, its question, the actions: ~4 a message) share them, so only the first call of a
    turn works through the whole conversation (0.2 ms at turn 40 of the growth probe).
    """
    turn_start = _latest_user(events)
    memo = _before_turns.get(conversation) if conversation is not None else None
    if memo is not None and len(memo.events) == turn_start and all(map(operator.is_, memo.events, events)):
        before = memo.dicts
        _before_turns.move_to_end(conversation)
    else:
        earlier = list(events[:turn_start])
        kinds = [event.type_name for event in earlier]
        names = [getattr(event, "key", None) if kind == "slot" else None for event, kind in zip(earlier, kinds)]
        # Every user message before the latest one goes lean.
        before = [_lean_user(earlier[position].as_dict()) for position in kept_before_turn(kinds, names)]
        if conversation is not None:
            _before_turns[conversation] = _BeforeTurn(earlier, before)
            _before_turns.move_to_end(conversation)
            while len(_before_turns) > TURNS_KEPT:
                _before_turns.popitem(last=False)
    return [*before, *(event.as_dict() for event in itertools.islice(events, turn_start, None))]


def _latest_user(events: Sequence[Any]) -> int:
    """The position of the latest user event (0 without one: then every event is sent whole)."""
    return next((i for i in range(len(events) - 1, -1, -1) if events[i].type_name == "user"), 0)


def _lean_user(event: Dict[str, Any]) -> Dict[str, Any]:
    """An event dict as lean_events sends an earlier user message (others as they are)."""
    if event.get("event") == "user":
        return {key: event[key] for key in EARLIER_USER_KEPT if key in event}
    return event


class _BeforeTurn:
    """A conversation's events before its latest user message, and what the body sends of them."""

    __slots__ = ("events", "dicts")

    def __init__(self, events: List[Any], dicts: List[Dict[str, Any]]) -> None:
        self.events, self.dicts = events, dicts


TURNS_KEPT = 64  # conversations whose earlier turns are remembered (those being answered at once)
_before_turns: "OrderedDict[Hashable, _BeforeTurn]" = OrderedDict()


def apply() -> Callable[[], None]:
    import rasa
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.trackers import EventVerbosity

    def _action_call_format(self: Any, tracker: Any, domain: Any) -> Dict[str, Any]:
        """Rasa's body for the action server, with the lean history as its events."""
        tracker_state = tracker.current_state(EventVerbosity.NONE)  # all but the events, as Rasa's
        tracker_state["events"] = action_call_events(list(tracker.events), tracker.sender_id)
        result = {
            "next_action": self._name,
            "sender_id": tracker.sender_id,
            "tracker": tracker_state,
            "version": rasa.__version__,
        }
        if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
            result["domain"] = domain.as_dict()
        return result

    undo = replace(RemoteAction, "_action_call_format", _action_call_format)

    def undo_and_forget() -> None:
        _before_turns.clear()
        undo()

    return undo_and_forget
