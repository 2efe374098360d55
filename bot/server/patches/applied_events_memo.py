"""`applied_events_memo`: a tracker's applied events worked out from where the last call left off.

`DialogueStateTracker.applied_events` walks every event of the conversation (with an
`isinstance` per event and kind, and a look back over the forms' executions), and a turn calls
it ~6 times: for each RulePolicy prediction, the session check and the last-event lookups. At
turn 40 of the bench's long conversation (tools/bench/growth.py, ~430 events) that is ~0.7 ms a
call, growing with the conversation (cProfile of one message at turn 40 against turn 5).

Rasa's walk is a fold: one pass over the events in order, changing a list (append, or undo back
to an earlier event), given the names of the conversation's forms (`loop_names`). So when a
tracker's events begin with exactly (the same objects) the events of the previous call for the
same conversation, and the events since bring no new form name, the result is the fold of the
new events continued from the previous result: the same list. Rasa's fold looks at each event's
class and names only (`signature()`): so when a new turn's tracker (its events new objects the
store built from the same rows) begins with events of the same signatures as the previous call's,
the fold's choices for them were the same, and the applied ones are the new objects at the same
positions; the fold then goes on with the events since. Anything else (other events, a new form
name, a tracker of another class or with a `max_event_history`) runs Rasa's code.
Remembered per conversation (sender id), for the last MEMO_SIZE conversations: the events of a
turn are the same objects across the tracker's copies within the turn (Rasa's copy and ours),
and across turns when our store's read is a copy of the tracker its save kept
(bot/server/tracker_store.py); a read built from the rows has new objects (the carried-over path).

Tested against Rasa's own result after every event of whole played conversations and of
crafted ones with reverts, restarts and form rejections (tests/server/test_rasa_patches.py).

Replaces `DialogueStateTracker.applied_events`.
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from typing import Any, Callable, List, Optional

from bot.server.patches._replace import replace

MEMO_SIZE = 64  # conversations remembered (the turns being answered at the same time)


def signature(event: Any) -> tuple:
    """What of an event Rasa's applied_events looks at: its class (every check is an isinstance) and
    the names it compares (ActionExecuted's and ActionExecutionRejected's action, ActiveLoop's form)."""
    return type(event), getattr(event, "action_name", None), getattr(event, "name", None)


class _Memo:
    __slots__ = ("events", "loop_names", "applied", "signatures")

    def __init__(self, events: list, loop_names: set, applied: list) -> None:
        self.events = events
        self.loop_names = loop_names
        self.applied = applied
        self.signatures: Optional[list] = None  # worked out when a new turn's events are compared

    def positions(self) -> Optional[List[int]]:
        """Where each applied event stands among the events (None if an event object occurs twice)."""
        where = {id(event): position for position, event in enumerate(self.events)}
        if len(where) != len(self.events):
            return None
        return [where[id(event)] for event in self.applied]


def apply() -> Callable[[], None]:
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionReverted,
        ActiveLoop,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
        UserUttered,
    )
    from rasa.shared.core.trackers import DialogueStateTracker

    rasas = DialogueStateTracker.applied_events
    memos: "OrderedDict[Any, _Memo]" = OrderedDict()

    def fold(tracker: Any, events: Any, loop_names: set, applied: List[Any]) -> List[Any]:
        """The loop of Rasa's DialogueStateTracker.applied_events (3.6.21), continued from `applied`."""
        for event in events:
            if isinstance(event, (Restarted, SessionStarted)):
                applied = []
            elif isinstance(event, ActionReverted):
                tracker._undo_till_previous(ActionExecuted, applied)
            elif isinstance(event, UserUtteranceReverted):
                tracker._undo_till_previous(UserUttered, applied)
                tracker._undo_till_previous(ActionExecuted, applied)
            elif (
                isinstance(event, ActionExecuted)
                and event.action_name in loop_names
                and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
            ):
                tracker._undo_till_previous_loop_execution(event.action_name, applied)
            else:
                applied.append(event)
        return applied

    def loop_names_of(events: Any) -> set:
        return {event.name for event in events if isinstance(event, ActiveLoop) and event.name}

    def continued(memo: Optional[_Memo], events: list) -> Optional[tuple[set, list]]:
        if memo is None or len(events) < len(memo.events):
            return None
        done = len(memo.events)
        if not all(map(operator.is_, events[:done], memo.events)):
            return None
        new = events[done:]
        if not loop_names_of(new) <= memo.loop_names:
            return None
        return memo.loop_names, new

    def carried_over(memo: Optional[_Memo], events: list) -> Optional[tuple[set, list, list]]:
        """For a new turn's tracker (the store builds new event objects from the same rows): when the
        events begin with events of the same signatures as the memo's, Rasa's fold made the same
        choices for them, so the applied ones are the new objects at the memo's positions."""
        if memo is None or len(events) < len(memo.events):
            return None
        done = len(memo.events)
        if memo.signatures is None:
            memo.signatures = [signature(event) for event in memo.events]
        if [signature(event) for event in events[:done]] != memo.signatures:
            return None
        new = events[done:]
        positions = memo.positions()
        if positions is None or not loop_names_of(new) <= memo.loop_names:
            return None
        return memo.loop_names, [events[position] for position in positions], new

    def applied_events(self: Any) -> List[Any]:
        """Rasa's applied events, continued from the previous call's when the events only grew."""
        if type(self) is not DialogueStateTracker or self._max_event_history is not None:
            return rasas(self)
        events = list(self.events)
        key = self.sender_id
        memo = memos.get(key)
        found = continued(memo, events)
        if found is not None:
            loop_names, new = found
            applied = fold(self, new, loop_names, list(memo.applied)) if new else memo.applied
        elif (carried := carried_over(memo, events)) is not None:
            loop_names, applied, new = carried
            applied = fold(self, new, loop_names, applied)
        else:
            loop_names, applied = loop_names_of(events), rasas(self)
        memos[key] = _Memo(events, loop_names, applied)
        memos.move_to_end(key)
        while len(memos) > MEMO_SIZE:
            memos.popitem(last=False)
        return list(applied)

    undo = replace(DialogueStateTracker, "applied_events", applied_events)

    def undo_and_forget() -> None:
        memos.clear()
        undo()

    return undo_and_forget
