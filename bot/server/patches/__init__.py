"""Small speed patches of Rasa 3.6.21, applied at start-up by our launcher (bot/server/rasa_server.py).

Never by editing site-packages: each patch is a module here whose `apply()` replaces a few of
Rasa's methods in memory and returns its undo; tests/server/test_rasa_patches.py checks that
each gives the same results as Rasa's own code. Each module's docstring says what it replaces
and the measured reason. They replace private Rasa internals, so `apply()` refuses any Rasa
but `RASA_VERSION` (RASA_PATCHES=none runs stock Rasa on any version).

`RASA_PATCHES` chooses: unset or "all" (every patch), "none", names joined by "," or "+", or
"-name" (joined the same way) for every patch but those.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
from typing import Callable, Dict, Iterable, Optional

logger = logging.getLogger(__name__)

# Module names, in the order applied. tensorflow_on_demand first: the others import Rasa modules
# that reach its deferred ones.
PATCHES = (
    "tensorflow_on_demand",
    "action_reply_validator",
    "sqlite_tracker_store",
    "event_type_lookup",
    "action_server_keepalive",
    "action_call_json",
    "active_loop_state",
    "minimal_graph_memo",
    "applied_events_memo",
    "rule_policy_recent_states",
    "action_call_lean_history",
    "action_call_domain_digest",
    "tracker_copy_state",
    "form_temporary_tracker",
    "form_unique_entity_mappings",
    "slot_copy",
    "spacy_compact_lemmas",
    "graph_run_in_order",
    "spacy_load_once",
    "gc_freeze_model",
    "domain_is_empty",
)

# The only Rasa the patches were written and tested against.
RASA_VERSION = "3.6.21"

# Applied patch -> its undo, in the order applied.
_undos: Dict[str, Callable[[], None]] = {}


class RasaVersionError(RuntimeError):
    """The installed Rasa is not the one our patches were checked against."""


def selected(setting: Optional[str] = None) -> tuple[str, ...]:
    """The patches that a RASA_PATCHES value asks for."""
    value = (os.environ.get("RASA_PATCHES", "all") if setting is None else setting).strip().lower()
    if value in ("", "all"):
        return PATCHES
    if value == "none":
        return ()
    names = [name.strip() for name in re.split(r"[,+]", value) if name.strip()]
    left_out = _known(name[1:].strip() for name in names if name.startswith("-"))
    if left_out:  # "-name": every patch but those
        if len(left_out) != len(names):
            raise ValueError(f"RASA_PATCHES {value!r}: either names to apply or '-name' to leave out, not both")
        return tuple(name for name in PATCHES if name not in left_out)
    return _known(names)


def _known(names: Iterable[str]) -> tuple[str, ...]:
    names = tuple(names)
    unknown = [name for name in names if name not in PATCHES]
    if unknown:
        raise ValueError(f"unknown Rasa patch(es) {unknown}; known: {', '.join(PATCHES)}")
    return names


def check_rasa_version() -> None:
    """Refuse to patch any Rasa but RASA_VERSION: the patches replace its private internals."""
    import rasa

    installed = getattr(rasa, "__version__", "unknown")
    if installed != RASA_VERSION:
        raise RasaVersionError(
            f"Rasa {installed} is installed, but our Rasa patches (bot/server/patches/) replace private "
            f"internals of Rasa {RASA_VERSION} and are checked against that version only. Run stock Rasa "
            f"with RASA_PATCHES=none, or install Rasa {RASA_VERSION} (to move the patches to another Rasa, check "
            f"each against it with tests/server/test_rasa_patches.py, then change RASA_VERSION)."
        )


def apply(names: Optional[Iterable[str]] = None) -> tuple[str, ...]:
    """Apply the chosen patches (default: from RASA_PATCHES); applying twice changes nothing."""
    names = selected() if names is None else _known(names)
    if names:
        check_rasa_version()
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
