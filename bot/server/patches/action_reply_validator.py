"""`action_reply_validator`: the action server's replies checked with a validator built once.

Rasa validates every reply of the action server with `jsonschema.validate()`, which first
re-checks the *schema* against its meta-schema: ~20 ms of CPU per custom-action call, 40 % of
our Rasa server's time (RasaHQ/rasa#11717). We build the validator once and run the same check
(same errors, same message). Each event is then checked against the schema of its own type only
(the schema's `oneOf` branches differ in the event's name, so that is the same verdict;
`EventDispatch`); a reply that fails this way is checked in full, for Rasa's exact error.

Replaces `RemoteAction._validate_action_result`.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any, Callable, Dict, Optional, Text

from bot.server.patches._replace import replace

_validators: Dict[type, Any] = {}


def reply_validator(action_class: type) -> Any:
    """The jsonschema validator for the action-server reply schema, built (and checked) once."""
    validator = _validators.get(action_class)
    if validator is None:
        from jsonschema.validators import validator_for

        schema = action_class.action_response_format_spec()
        cls = validator_for(schema)  # what jsonschema.validate() picks for this schema
        cls.check_schema(schema)  # ... and the check it repeats on every call
        validator = _validators[action_class] = cls(schema)
    return validator


@dataclasses.dataclass(frozen=True)
class EventDispatch:
    """The reply schema taken apart so that each event is checked against its own type's schema.

    Rasa's schema says: every event is an object with a string "event" (`base`) and matches
    exactly one of ~23 schemas (`oneOf`), each of which fixes "event" to its own constant.
    jsonschema checks every event against all of them, to be sure only one matches: three
    quarters of the validation time. As the constants differ, an event whose "event" is X
    fails every schema but X's, so `oneOf` holds exactly when X's schema does.
    """

    rest: Any  # the reply schema with `events` only required to be an array
    base: Any  # one event, without the oneOf
    by_type: Dict[str, Any]  # event type -> validator of its oneOf branch

    def valid(self, result: Any) -> bool:
        """True only if the whole reply is valid; False means "ask the full validator"."""
        if not isinstance(result, dict) or not self.rest.is_valid(result):
            return False
        for event in result.get("events") or ():
            kind = event.get("event") if isinstance(event, dict) else None
            branch = self.by_type.get(kind) if isinstance(kind, str) else None
            if branch is None or not self.base.is_valid(event) or not branch.is_valid(event):
                return False
        return True


_dispatches: Dict[type, Optional[EventDispatch]] = {}


def event_dispatch(action_class: type) -> Optional[EventDispatch]:
    """The dispatch for this action class's schema, or None if the schema is not of that shape."""
    if action_class in _dispatches:
        return _dispatches[action_class]
    schema = action_class.action_response_format_spec()
    validator_class = type(reply_validator(action_class))
    dispatch = None
    try:
        events = schema["properties"]["events"]
        item = events["items"]
        branches = item["oneOf"]
        constants = [branch["properties"]["event"]["const"] for branch in branches]
        shaped = (
            events.get("type") == "array"
            and set(events) == {"type", "items"}
            and "event" in item.get("required", ())
            and item["properties"]["event"] == {"type": "string"}
            and len(set(constants)) == len(constants)
            and all(isinstance(c, str) for c in constants)
        )
    except (KeyError, TypeError):
        shaped = False
    if shaped:
        rest = copy.deepcopy(schema)
        rest["properties"]["events"] = {"type": "array"}
        base = {key: value for key, value in item.items() if key != "oneOf"}
        dispatch = EventDispatch(
            validator_class(rest), validator_class(base), {c: validator_class(b) for c, b in zip(constants, branches)}
        )
    _dispatches[action_class] = dispatch
    return dispatch


def validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    """Rasa's RemoteAction._validate_action_result: the validator built once, each event checked
    against its own type's schema; any reply that is not valid that way gets the full check and
    Rasa's error."""
    from jsonschema import exceptions
    from rasa.shared.constants import DOCS_BASE_URL

    dispatch = event_dispatch(type(self))
    if dispatch is not None and dispatch.valid(result):
        return True
    error = exceptions.best_match(reply_validator(type(self)).iter_errors(result))
    if error is not None:
        # Rasa's own wording (rasa/core/actions/action.py).
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def apply() -> Callable[[], None]:
    from rasa.core.actions.action import RemoteAction

    return replace(RemoteAction, "_validate_action_result", validate_action_result)
