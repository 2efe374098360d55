"""`event_type_lookup`: event classes found by name in a table, not by walking Event's subclasses.

To turn each stored or received event back into an object, Rasa looks its class up by walking
every subclass of Event, with `inspect.isabstract` on each, for every single event: 13 ms to
read back one finished application (151 events), a tenth of the server's time. We remember the
name-to-class table and build it again when an Event subclass is defined (a hook on
`Event.__init_subclass__`) or one has gone; unknown names still go to Rasa's own code.
(Checking the set of subclasses on every lookup instead cost 2 % of the server's time under load.)

Replaces `Event.resolve_by_type` and adds `Event.__init_subclass__` (removed again by the undo).
"""

from __future__ import annotations

import weakref
from typing import Any, Callable, Dict, Optional, Text

from bot.server.patches._replace import replace

# name -> weak reference to the class Rasa would find; None until built, and again whenever an
# Event subclass is defined (our __init_subclass__ hook). Weak, so that a class that goes away
# (garbage-collected, as a test's local class does) is missed as Rasa would miss it.
_event_table: Dict[str, Any] = {"by_type": None}


def _build_event_table() -> Dict[str, Any]:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    by_type: Dict[str, Any] = {}
    for cls in all_subclasses(Event):  # Rasa's order: the first class with a name wins
        by_type.setdefault(cls.type_name, weakref.ref(cls))
    _event_table["by_type"] = by_type
    return by_type


def apply() -> Callable[[], None]:
    from rasa.shared.core.events import Event

    rasas = Event.__dict__["resolve_by_type"].__func__  # the function inside the staticmethod

    def resolve_by_type(type_name: Text, default: Optional[type] = None) -> Optional[type]:
        by_type = _event_table["by_type"] or _build_event_table()
        reference = by_type.get(type_name)
        found = reference() if reference is not None else None
        if reference is not None and found is None:  # that class has gone: look again
            found = (_build_event_table().get(type_name) or (lambda: None))()
        # Unknown names (old "topic" events, defaults, errors): Rasa's own answer.
        return found if found is not None else rasas(type_name, default)

    def __init_subclass__(cls: type, **kwargs: Any) -> None:
        super(Event, cls).__init_subclass__(**kwargs)  # type: ignore[misc]
        _event_table["by_type"] = None  # a new Event class: build the table again when asked

    undo_hook = replace(Event, "__init_subclass__", classmethod(__init_subclass__))
    undo_lookup = replace(Event, "resolve_by_type", staticmethod(resolve_by_type))
    _event_table["by_type"] = None

    def undo() -> None:
        undo_lookup()
        undo_hook()
        _event_table["by_type"] = None

    return undo
