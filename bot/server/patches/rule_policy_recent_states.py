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
search of one prediction (same tracker, same events). Where the result could differ, Rasa's
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
import weakref
from typing import Any, Callable, Dict, List, Optional

from bot.server.patches._replace import replace


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
    from rasa.shared.core.events import ActionExecuted

    applied = tracker.applied_events()
    # generate_all_prior_trackers yields the tracker before every ActionExecuted, then the final one.
    skip = 1 + sum(1 for event in applied if isinstance(event, ActionExecuted)) - keep
    prior = tracker.init_copy()
    states = []
    for event in applied:
        if isinstance(event, ActionExecuted):
            if skip <= 0:
                states.append(domain._clean_state(domain.get_active_state(prior)))
            skip -= 1
        prior.update(event)
    states.append(domain._clean_state(domain.get_active_state(prior)))
    return states


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
            states = recent_states(tracker, domain, keep)
            self.__dict__["_recent_states_memo"] = (weakref.ref(tracker), key, states)
        states = _copy_states(states)
        # As Rasa's MaxHistoryTrackerFeaturizer.prediction_states ends (no max_history to slice by).
        featurizer._choose_last_user_input([states], use_text_for_last_user_input)
        return states

    return replace(RulePolicy, "_prediction_states", _prediction_states)
