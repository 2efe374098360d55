"""`tracker_copy_state`: a tracker copied from its state, without replaying every event.

Rasa copies the tracker before running every action (`MessageProcessor._run_action`, so that the
events of a rejected action can be thrown away) by `DialogueStateTracker.copy`, which builds an
empty tracker and replays every event of the conversation onto it. So each action grew with the
conversation: at turn 40 of the bench's long conversation (tools/bench/growth.py) 7 % of the Rasa
server's time, and our tracker store hands out cached conversations through the same copy.

The replay gives a tracker whose state is what the events made of it; the tracker being copied
holds that state already. So we take Rasa's fresh tracker (`init_copy`: the same sender and
settings as Rasa's copy, no model id; without its copies of the slots, which would be reset and
replaced: `init_copy_without_slots`) and give it the same events (the same
objects, as Rasa's replay does) and a copy of each part of the state the events set: the slots
(each slot copied with its value), the active form (copied: Rasa changes it in place), the latest
action (copied) and the latest messages and flags. Rasa's own copy runs where the two could
differ: a tracker with a `max_event_history` (its replay starts from the events kept, not from
the start), one without a domain's slots (`AnySlotDict`), and a tracker of any other class.

Tested against Rasa's copy at every event of whole played conversations: the same attributes,
slots, events and state (tests/server/test_rasa_patches.py).

Replaces `DialogueStateTracker.copy`.
"""

from __future__ import annotations

import copy
from collections import deque
from typing import Any, Callable

from bot.server.patches._replace import replace

# What the events set on a tracker (DialogueStateTracker._reset and the events' apply_to);
# everything else comes from `init_copy`, as in Rasa's copy.
EVENT_STATE = ("_paused", "followup_action", "latest_action", "latest_message", "latest_bot_utterance", "active_loop")


def init_copy_without_slots(tracker: Any) -> Any:
    """Rasa's `tracker.init_copy()` (3.6.21: a new tracker of the same sender and settings), but with no
    slots: init_copy copies every slot and resets it, and `copy_state` replaces them all anyway."""
    from rasa.shared.core.trackers import DEFAULT_SENDER_ID, DialogueStateTracker

    return DialogueStateTracker(
        tracker.sender_id or DEFAULT_SENDER_ID,
        (),
        tracker._max_event_history,
        is_rule_tracker=tracker.is_rule_tracker,
    )


def copy_state(tracker: Any) -> Any:
    """A new tracker equal to Rasa's `tracker.copy()`, built from the tracker's state."""
    new = init_copy_without_slots(tracker)
    new.events = deque(tracker.events, tracker._max_event_history)
    new.slots = {name: copy.copy(slot) for name, slot in tracker.slots.items()}
    for name in EVENT_STATE:
        value = getattr(tracker, name)
        # The latest messages are the events themselves, shared as by Rasa's replay.
        setattr(new, name, copy.copy(value) if name in ("latest_action", "active_loop") else value)
    return new


def apply() -> Callable[[], None]:
    from rasa.shared.core.trackers import DialogueStateTracker

    rasas = DialogueStateTracker.copy

    def copy_tracker(self: Any) -> Any:
        """Rasa's DialogueStateTracker.copy, from the state rather than by replaying the events."""
        if (
            type(self) is not DialogueStateTracker
            or self._max_event_history is not None
            or type(self.slots) is not dict  # AnySlotDict (a tracker without a domain's slots)
        ):
            return rasas(self)
        return copy_state(self)

    return replace(DialogueStateTracker, "copy", copy_tracker)
