"""`slot_copy`: a slot copied by `copy.copy` without the pickle protocol's detour.

Every new tracker copies each slot of the domain (`DialogueStateTracker.__init__`:
`copy.copy(slot)` for our 35 slots), and a turn makes several: the store's read, Rasa's copy
before each action, the form's temporary trackers, the rules' replay. `copy.copy` of an object
without `__copy__` asks it for `__reduce_ex__(4)` and rebuilds it through `copyreg.__newobj__`
and `copy._reconstruct`: 5 µs a slot, ~6 % of the Rasa server's time at 1 user (py-spy).

For a class that changes none of that protocol (no `__reduce_ex__`, `__reduce__`,
`__getstate__`, `__setstate__`, `__getnewargs__`/`__getnewargs_ex__` or named `__slots__`,
and no entry in `copyreg.dispatch_table`) that detour ends in exactly this: a new object of the
same class, made by `cls.__new__(cls)`, whose `__dict__` is updated with the slot's (a shallow
copy: the value is shared, as in Rasa's copy). So Slot gets a `__copy__` that does that, and for
any other slot class runs the same steps as `copy.copy` would have. Rasa's Slot classes (3.6.21)
are all of the first kind.

Tested: the copy of every slot type, set and unset, has Rasa's class and attributes and shares
the same values (tests/server/test_rasa_patches.py).

Adds `Slot.__copy__` (Rasa's Slot has none).
"""

from __future__ import annotations

import copy
import copyreg
from typing import Any, Callable, Dict

from bot.server.patches._replace import replace

# What copy.copy consults on the way to the pickle protocol; a class that defines any of them
# itself (or inherits it from anywhere but `object`) is copied as copy.copy would.
_PROTOCOL = ("__reduce_ex__", "__reduce__", "__getstate__", "__setstate__", "__getnewargs__", "__getnewargs_ex__")


def plain(cls: type) -> bool:
    """Whether `copy.copy` copies an instance of `cls` as `cls.__new__(cls)` given its `__dict__`."""
    if cls in copyreg.dispatch_table:
        return False
    for name in _PROTOCOL:
        if getattr(cls, name, None) is not getattr(object, name, None):
            return False
    # Named __slots__ put their values beside the __dict__ in the state (Slot's base abc.ABC has
    # empty ones, which change nothing); copyreg lists them as the protocol does.
    return not copyreg._slotnames(cls)


def apply() -> Callable[[], None]:
    from rasa.shared.core.slots import Slot

    plain_classes: Dict[type, bool] = {}

    def __copy__(self: Any) -> Any:
        """copy.copy(slot): the object rebuilt from its class and `__dict__` as the pickle protocol would."""
        cls = type(self)
        is_plain = plain_classes.get(cls)
        if is_plain is None:
            is_plain = plain_classes[cls] = plain(cls)
        if is_plain:
            new = cls.__new__(cls)
            new.__dict__.update(self.__dict__)
            return new
        # copy.copy's own steps after its `__copy__` lookup (Python 3.10).
        reductor = copyreg.dispatch_table.get(cls)
        rv = reductor(self) if reductor is not None else self.__reduce_ex__(4)
        if isinstance(rv, str):
            return self
        return copy._reconstruct(self, None, *rv)

    return replace(Slot, "__copy__", __copy__)
