"""`active_loop_state`: the active form's state copied without `copy.deepcopy`.

Every custom-action call sends the tracker's state, which holds the active form's
`trigger_message` (the whole parse of the message that started the form); Rasa copies it with
`dataclasses.asdict`, i.e. `copy.deepcopy` item by item: 4 % of the server's time under load.
Plain JSON-like data (which a parse is) is copied directly instead: an equal dict, nothing
shared; anything else still goes through `dataclasses.asdict` (`fast_asdict()`).

Replaces the `dataclasses` module that `rasa.shared.core.trackers` sees.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

from bot.server.patches._replace import replace


class _NotPlainData(Exception):
    """A value that is not plain JSON-like data: dataclasses.asdict decides how to copy it."""


def _copy_plain(value: Any) -> Any:
    kind = type(value)
    if value is None or kind in (str, int, float, bool):
        return value  # immutable: deepcopy gives the object itself too
    if kind is dict:
        return {_copy_plain(key): _copy_plain(item) for key, item in value.items()}
    if kind is list:
        return [_copy_plain(item) for item in value]
    raise _NotPlainData


def fast_asdict(obj: Any, *, dict_factory: Callable[..., Any] = dict) -> Any:
    """dataclasses.asdict's result for a dataclass of plain data, without copy.deepcopy.

    Fields holding anything but None, str, int, float, bool, and (exact) dicts and lists of
    them go the whole way through dataclasses.asdict, so the result is always equal to it
    and shares no mutable object with `obj`.
    """
    if dict_factory is dict and dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        try:
            return {field.name: _copy_plain(getattr(obj, field.name)) for field in dataclasses.fields(obj)}
        except _NotPlainData:
            pass
    return dataclasses.asdict(obj, dict_factory=dict_factory)


class _DataclassesForTrackers:
    """What `rasa.shared.core.trackers` sees as its `dataclasses` module: the same, but a fast asdict."""

    asdict = staticmethod(fast_asdict)

    def __getattr__(self, name: str) -> Any:
        return getattr(dataclasses, name)


def apply() -> Callable[[], None]:
    from rasa.shared.core import trackers

    return replace(trackers, "dataclasses", _DataclassesForTrackers())
