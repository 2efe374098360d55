"""`rule_policy_recent_states`: RulePolicy works out the states of only the turns its rules can see.

Before each prediction RulePolicy turns the whole conversation into one state per action
(`Domain.states_for_tracker_history`), twice (once for the user's text, once for the intent),
and then compares only the last few with its rules: a rule of k states looks at the last k
states and passes for every older one (`RulePolicy._is_rule_applicable`). So the work grew with
the conversation: at turn 40 of a long application, a third of the server's time.

We still replay the conversation as Rasa does (`generate_all_prior_trackers`: every applied event
onto a fresh tracker), but build the states (`Domain.get_active_state`) only at the last
actions as many as the longest rule has states; the rule matching then sees exactly Rasa's
states there, so it finds the same rules. The replay is shared by the text and the intent
search of one prediction (same tracker, same events), and each prediction of a turn goes on
from the replay of the one before (`replay()`): when the applied events begin with the same event
objects it replayed (Rasa's copies of the turn's tracker share them) and the domain, slots and
rule length are the same, only the events since are replayed (also from the previous turn's, when
our store's read is a copy of the tracker its save kept: bot/server/tracker_store.py); otherwise
(events undone, a tracker built from the store's rows) from the start. Where the result could differ, Rasa's
own code runs: a RulePolicy that featurizes for ML data or with a `max_history`, a tracker of
another kind (training's), or Rasa's debug log on (`--debug`: its log then shows every state).

One result differs in form only: when no rule matches, Rasa returns the JSON of all states as
the "prediction source", which only decides `hide_rule_turn` (whether it is a rule not in the
stories); ours is the JSON of the recent states. Neither can name such a rule (a rule of those
states would have matched), so the prediction is the same. Tested against Rasa's own predictions
and matching rules before every action of our played conversations (up to 40 turns), rules and
test stories (tests/server/test_rasa_patches.py).

Replaces `RulePolicy._prediction_states` (RulePolicy inherits Policy's; the undo removes ours).
"""

from __future__ import annotations

import json
import logging
import operator
import weakref
from collections import OrderedDict, deque
from typing import Any, Callable, Dict, List, Optional

from bot.server.patches._replace import replace

REPLAYS_KEPT = 64  # conversations whose replay is kept for their next prediction


def longest_rule(policy: Any) -> Optional[int]:
    """The number of states of the policy's longest rule (None before it has rules)."""
    from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH

    lookup = getattr(policy, "lookup", None) or {}
    keys = [*(lookup.get(RULES) or {}), *(lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH) or {})]
    known = policy.__dict__.get("_longest_rule")
    if known is not None and known[0] == len(keys) and known[1] is lookup:
        return known[2]
    longest = max((len(json.loads(key)) for key in keys), default=None)
    policy.__dict__["_longest_rule"] = (len(keys), lookup, longest)
    return longest


def recent_states(tracker: Any, domain: Any, keep: int) -> List[Dict[str, Any]]:
    """The last `keep` states of Rasa's `Domain.states_for_tracker_history(tracker)` (no rule-only
    turns ignored, unset slots kept): the same replay, states built only where they are kept."""
    return replay(tracker, domain, keep).states()


class Replay:
    """Rasa's replay of a tracker's applied events (`generate_all_prior_trackers`), stopped after
    the last of them: the replayed tracker, and the states at the last `keep - 1` actions."""

    def __init__(self, applied: List[Any], prior: Any, action_states: Any, domain: Any, keep: int, slots: tuple):
        self.applied, self.prior, self.action_states = applied, prior, action_states
        self.domain, self.keep, self.slots = domain, keep, slots

    def states(self) -> List[Dict[str, Any]]:
        """The states at the last `keep - 1` actions and after the last event."""
        return [*self.action_states, self.domain._clean_state(self.domain.get_active_state(self.prior))]

    def goes_on_to(self, tracker: Any, domain: Any, keep: int, applied: List[Any]) -> bool:
        """Whether `applied` (the tracker's applied events) begins with the events replayed here, and
        everything else the replay depends on is the same."""
        done = len(self.applied)
        return (
            self.domain is domain
            and self.keep == keep
            and self.slots == _slot_kinds(tracker)
            and self.prior.is_rule_tracker == tracker.is_rule_tracker
            and len(applied) >= done
            and all(map(operator.is_, applied[:done], self.applied))
        )


def _slot_kinds(tracker: Any) -> tuple:
    return tuple((name, type(slot)) for name, slot in tracker.slots.items())


def replay(tracker: Any, domain: Any, keep: int, previous: Optional[Replay] = None) -> Replay:
    """The replay of the tracker's applied events, from `previous` (which is used up) when the
    tracker's applied events begin with those it replayed, else from the start."""
    from rasa.shared.core.events import ActionExecuted

    applied = tracker.applied_events()
    action_states: Any = deque(maxlen=max(keep - 1, 0))
    if previous is not None and previous.goes_on_to(tracker, domain, keep, applied):
        prior, action_states, new = previous.prior, previous.action_states, applied[len(previous.applied) :]
        skip = 0
    else:
        prior, new = tracker.init_copy(), applied
        # generate_all_prior_trackers yields the tracker before every ActionExecuted, then the final one.
        skip = 1 + sum(1 for event in applied if isinstance(event, ActionExecuted)) - keep
    for event in new:
        if isinstance(event, ActionExecuted):
            if skip <= 0:
                action_states.append(domain._clean_state(domain.get_active_state(prior)))
            skip -= 1
        prior.update(event)
    return Replay(applied, prior, action_states, domain, keep, _slot_kinds(tracker))


def _copy_states(states: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    # The featurizer deletes keys of the sub-states (user text or intent): copy down to them.
    return [{kind: dict(sub_state) for kind, sub_state in state.items()} for state in states]


def apply() -> Callable[[], None]:
    from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
    from rasa.core.policies import rule_policy
    from rasa.core.policies.policy import Policy, SupportedData
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.shared.core.trackers import DialogueStateTracker

    rasas = Policy._prediction_states
    debug_log = logging.getLogger(rule_policy.__name__)

    def _prediction_states(
        self: Any,
        tracker: Any,
        domain: Any,
        use_text_for_last_user_input: bool = False,
        rule_only_data: Optional[Dict[str, Any]] = None,
    ) -> List[Dict[str, Any]]:
        """Rasa's Policy._prediction_states for RulePolicy: the states its rules can see."""
        featurizer = self.featurizer
        keep = longest_rule(self)
        if (
            keep is None
            or type(tracker) is not DialogueStateTracker
            or type(featurizer) is not MaxHistoryTrackerFeaturizer
            or featurizer.max_history is not None
            or self.supported_data() == SupportedData.ML_DATA
            or debug_log.isEnabledFor(logging.DEBUG)
        ):
            return rasas(self, tracker, domain, use_text_for_last_user_input, rule_only_data)
        events = tracker.events
        key = (len(events), id(events[-1]) if events else None, id(domain), keep)
        memo = self.__dict__.get("_recent_states_memo")
        if memo is not None and memo[0]() is tracker and memo[1] == key:
            states = memo[2]
        else:
            # Each prediction of a turn goes on from the replay of the one before (the same
            # event objects, also across turns from the store's kept tracker); new objects start again.
            replays = self.__dict__.setdefault("_replays", OrderedDict())
            done = replay(tracker, domain, keep, replays.pop(tracker.sender_id, None))
            replays[tracker.sender_id] = done
            while len(replays) > REPLAYS_KEPT:
                replays.popitem(last=False)
            states = done.states()
            self.__dict__["_recent_states_memo"] = (weakref.ref(tracker), key, states)
        states = _copy_states(states)
        # As Rasa's MaxHistoryTrackerFeaturizer.prediction_states ends (no max_history to slice by).
        featurizer._choose_last_user_input([states], use_text_for_last_user_input)
        return states

    return replace(RulePolicy, "_prediction_states", _prediction_states)
