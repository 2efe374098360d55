"""Small speed patches of Rasa 3.6, applied at start-up by our launcher (bot/server/rasa_server.py).

Never by editing site-packages: each patch is a module here whose `apply()` replaces a few of
Rasa's methods in memory and returns its undo; tests/server/test_rasa_patches.py checks that
each gives the same results as Rasa's own code. Each module's docstring says what it replaces
and the measured reason.

`RASA_PATCHES` chooses: unset or "all" (every patch), "none", or names joined by "," or "+".
"""

from __future__ import annotations

import importlib
import logging
import os
import re
from typing import Callable, Dict, Iterable, Optional

logger = logging.getLogger(__name__)

# Module names, in the order applied.
PATCHES = ("action_reply_validator", "sqlite_tracker_store", "event_type_lookup",
           "action_server_keepalive", "action_call_json", "active_loop_state",
           "minimal_graph_memo")

# Applied patch -> its undo, in the order applied.
_undos: Dict[str, Callable[[], None]] = {}


def selected(setting: Optional[str] = None) -> tuple[str, ...]:
    """The patches that a RASA_PATCHES value asks for."""
    value = (os.environ.get("RASA_PATCHES", "all") if setting is None else setting).strip().lower()
    if value in ("", "all"):
        return PATCHES
    if value == "none":
        return ()
    return _known(name.strip() for name in re.split(r"[,+]", value) if name.strip())


def _known(names: Iterable[str]) -> tuple[str, ...]:
    names = tuple(names)
    unknown = [name for name in names if name not in PATCHES]
    if unknown:
        raise ValueError(f"unknown Rasa patch(es) {unknown}; known: {', '.join(PATCHES)}")
    return names


def apply(names: Optional[Iterable[str]] = None) -> tuple[str, ...]:
    """Apply the chosen patches (default: from RASA_PATCHES); applying twice changes nothing."""
    names = selected() if names is None else _known(names)
    for name in names:
        if name not in _undos:
            _undos[name] = importlib.import_module(f"{__name__}.{name}").apply()
    if names:
        logger.info("Rasa patches applied: %s", ", ".join(names))
    return names


def applied() -> tuple[str, ...]:
    """The patches in place now, in the order applied."""
    return tuple(_undos)


def revert() -> None:
    """Put Rasa's own methods back (for tests that compare both): each patch's undo, last first."""
    for name in reversed(tuple(_undos)):
        _undos.pop(name)()
