"""`replace()`: what every patch does to Rasa, with the exact undo."""

from __future__ import annotations

from typing import Any, Callable

_ABSENT = object()


def replace(owner: Any, name: str, value: Any) -> Callable[[], None]:
    """Set `owner.name` to `value`; return the undo, which puts back what `owner` itself held.

    The raw entry of the class or module (`vars(owner)`), so a classmethod or staticmethod comes
    back as that object; a name the owner only inherited is deleted again.
    """
    before = vars(owner).get(name, _ABSENT)
    setattr(owner, name, value)

    def undo() -> None:
        if before is _ABSENT:
            delattr(owner, name)
        else:
            setattr(owner, name, before)

    return undo
