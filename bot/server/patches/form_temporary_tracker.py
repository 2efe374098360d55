"""`form_temporary_tracker`: the tracker a form hands its validation and slot questions, copied
from the current one instead of replayed from every event.

For each validation and each slot question (3 a turn while a form runs) Rasa's FormAction builds a
temporary tracker: a new tracker with the domain's slots, onto which it replays every event since
the latest restart, then a SlotSet of the requested slot, the form's ActionExecuted and the turn's
new events (`FormAction._temporary_tracker`). At turn 40 of the bench's long conversation
(tools/bench/growth.py) that is ~430 events replayed three times a message.

When the conversation has no restart, those are all its events, and the current tracker holds
their state already: so we copy it as `tracker_copy_state` does (the same events, copies of the
slots and of what the events set) and apply only the added events. Rasa's own code runs where the
two could differ: a restart among the events (Rasa's replay then starts after it), a tracker of
another class, a rule tracker or one with a `max_event_history`, or slots not defined exactly as the domain's.

Tested against Rasa's temporary tracker at every event of whole played conversations
(tests/server/test_rasa_patches.py).

Replaces `FormAction._temporary_tracker`.
"""

from __future__ import annotations

from typing import Any, Callable, List

from bot.server.patches._replace import replace
from bot.server.patches.tracker_copy_state import copy_state

# A slot's attributes that change with its value; the others are its definition.
SLOT_VALUE = ("_value", "_has_been_set")


def _definition(slot: Any) -> dict:
    return {name: value for name, value in vars(slot).items() if name not in SLOT_VALUE}


def _same_definition(own: Any, slot: Any) -> bool:
    """`_definition(own) == _definition(slot)` without building either (a tracker's slots are copies of the
    domain's, sharing their definitions' objects: 35 slots, 3 times a turn), where both hold the same
    attribute names; False (Rasa's code then runs) where they do not."""
    mine, theirs = vars(own), vars(slot)
    if len(mine) != len(theirs):
        return False
    for name, value in theirs.items():
        if name not in mine:
            return False
        if name not in SLOT_VALUE and mine[name] is not value and mine[name] != value:
            return False
    return True


def slots_as_domains(tracker: Any, domain: Any) -> bool:
    """Whether the tracker's slots are the domain's: the same names, classes and definitions."""
    slots = tracker.slots
    if type(slots) is not dict or len(slots) != len(domain.slots):
        return False
    for slot in domain.slots:
        own = slots.get(slot.name)
        if own is None or type(own) is not type(slot) or not _same_definition(own, slot):
            return False
    return True


def apply() -> Callable[[], None]:
    from rasa.core.actions.forms import FormAction
    from rasa.shared.core.constants import REQUESTED_SLOT
    from rasa.shared.core.events import ActionExecuted, SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    rasas = FormAction._temporary_tracker

    def _temporary_tracker(self: Any, current_tracker: Any, additional_events: List[Any], domain: Any) -> Any:
        """Rasa's temporary tracker, from the current tracker's state when it has no restart."""
        if (
            type(current_tracker) is not DialogueStateTracker
            or current_tracker._max_event_history is not None
            or current_tracker.is_rule_tracker
            or current_tracker.idx_after_latest_restart() != 0
            or not slots_as_domains(current_tracker, domain)
        ):
            return rasas(self, current_tracker, additional_events, domain)
        temporary = copy_state(current_tracker)
        temporary.sender_id = current_tracker.sender_id
        for event in [
            SlotSet(REQUESTED_SLOT, self.get_slot_to_fill(current_tracker)),
            ActionExecuted(self.name()),
            *additional_events,
        ]:
            temporary.update(event)
        return temporary

    return replace(FormAction, "_temporary_tracker", _temporary_tracker)
