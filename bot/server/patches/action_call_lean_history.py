"""`action_call_lean_history`: earlier user messages go to the action server without their NLU rankings.

Every custom-action call sends the whole conversation, and each user message in it carries
the classifier's full output: the ranking of every intent, the FAQ selector's ranking and the
tokens. At turn 40 of the bench's long conversation (tools/bench/growth.py) a call sends ~235 kB
of events, ~150 kB without those, several calls per message, which the Rasa server writes and
the action server reads, growing with every turn. The rankings of messages before the latest one
are of use to no action (rasa-sdk reads rankings only from `latest_message`, which stays whole,
as does the latest user event; our actions read earlier events only for slot values, types and
the user turns' timestamps).

So earlier user events keep their text, intent, entities, channel, ids and metadata, and lose
`intent_ranking`, `response_selector` and `text_tokens` in what is sent (the conversation itself
is unchanged). This changes what an action could read, so it is checked the other way round:
our actions give the same events and responses with the lean body as with Rasa's, at every
action call of whole conversations (tests/server/test_rasa_patches.py). An action that needs
an earlier message's ranking would need this patch left out (RASA_PATCHES=-action_call_lean_history).

Wraps `RemoteAction._action_call_format`.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from bot.server.patches._replace import replace

# What earlier user messages leave out of the action-call body.
LEFT_OUT = ("intent_ranking", "response_selector", "text_tokens")


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


def apply() -> Callable[[], None]:
    from rasa.core.actions.action import RemoteAction

    rasas = RemoteAction._action_call_format

    def _action_call_format(self: Any, tracker: Any, domain: Any) -> Dict[str, Any]:
        """Rasa's body for the action server, earlier user messages without their rankings."""
        body = rasas(self, tracker, domain)
        state = body.get("tracker")
        if isinstance(state, dict) and isinstance(state.get("events"), list):
            body["tracker"] = {**state, "events": lean_events(state["events"])}
        return body

    return replace(RemoteAction, "_action_call_format", _action_call_format)
