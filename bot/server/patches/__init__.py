"""Small speed patches of Rasa 3.6, applied at start-up by our launcher (bot/server/rasa_server.py).

Never by editing site-packages: `apply()` replaces a few methods in memory, and
tests/server/test_rasa_patches.py checks that each gives the same results as Rasa's own code.

- `action_reply_validator`: Rasa validates every reply of the action server with
  `jsonschema.validate()`, which first re-checks the *schema* against its meta-schema:
  ~20 ms of CPU per custom-action call, 40 % of our Rasa server's time (RasaHQ/rasa#11717).
  We build the validator once and run the same check (same errors, same message).
  Each event is then checked against the schema of its own type only (the schema's `oneOf`
  branches differ in the event's name, so that is the same verdict; `_EventDispatch`); a
  reply that fails this way is checked in full, for Rasa's exact error.
- `sqlite_tracker_store`: Rasa's SQL tracker store on SQLite opens a new database
  connection for every query (SQLAlchemy 1.4's NullPool for SQLite files) and commits
  every turn in rollback-journal mode, with several fsyncs: together a quarter of the
  server's time here. For SQLite files only, we keep connections in a pool (what
  SQLAlchemy 2.0 does by default) and use write-ahead logging with `synchronous=NORMAL`:
  the same rows, consistent and durable when the process crashes; only a power cut can
  lose the last turns. PostgreSQL and in-memory databases are not touched.

- `event_type_lookup`: to turn each stored or received event back into an object, Rasa
  looks its class up by walking every subclass of Event, with `inspect.isabstract` on
  each, for every single event: 13 ms to read back one finished application (151 events),
  a tenth of the server's time. We remember the name-to-class table and build it again
  when an Event subclass is defined (a hook on `Event.__init_subclass__`) or one has gone;
  unknown names still go to Rasa's own code. (Checking the set of subclasses on every
  lookup instead cost 2 % of the server's time under load.)

- `action_server_keepalive`: Rasa opens a new HTTP session, so a new TCP connection to the
  action server, for every custom-action call (`EndpointConfig.request` closes the session
  it made). We keep one session per endpoint and event loop, built exactly like Rasa's
  (same headers, auth, timeout), so calls reuse a kept-alive connection. Idle connections
  are closed after 2 s, before the action server (Sanic: 5 s) would close them under us.
- `action_call_json`: every custom-action call sends the whole tracker (80 kB for a finished
  application); json.dumps takes ~3 ms for it, ujson (a dependency of Rasa and Sanic) a
  third of that, for JSON that decodes to the same values (`action_call_json()`).
- `active_loop_state`: that tracker state holds the active form's `trigger_message` (the
  whole parse of the message that started the form), which Rasa copies with
  `dataclasses.asdict`, i.e. `copy.deepcopy` item by item: 4 % of the server's time under
  load. Plain JSON-like data (which a parse is) is copied directly instead: an equal dict,
  nothing shared; anything else still goes through `dataclasses.asdict` (`fast_asdict()`).
- `minimal_graph_memo`: before every run of the model's graph (an NLU parse, a policy
  prediction) Rasa works out which nodes the targets need, walking the dependencies
  without remembering any: 4 % of the server's time. We remember the answer per targets.

`RASA_PATCHES` chooses: unset or "all" (every patch), "none", or names joined by "," or "+".
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import weakref
from typing import Any, Callable, Dict, Optional, Text

logger = logging.getLogger(__name__)

PATCHES = ("action_reply_validator", "sqlite_tracker_store", "event_type_lookup",
           "action_server_keepalive", "action_call_json", "active_loop_state",
           "minimal_graph_memo")

# Rasa's own methods, kept so that `revert()` and the tests can compare against them.
_originals: Dict[str, Callable[..., Any]] = {}


def selected(setting: Optional[str] = None) -> tuple[str, ...]:
    """The patches that a RASA_PATCHES value asks for."""
    value = (os.environ.get("RASA_PATCHES", "all") if setting is None else setting).strip().lower()
    if value in ("", "all"):
        return PATCHES
    if value == "none":
        return ()
    names = tuple(name.strip() for name in re.split(r"[,+]", value) if name.strip())
    unknown = [name for name in names if name not in PATCHES]
    if unknown:
        raise ValueError(f"unknown Rasa patch(es) {unknown}; known: {', '.join(PATCHES)}")
    return names


def apply(names: Optional[tuple[str, ...]] = None) -> tuple[str, ...]:
    """Apply the chosen patches (default: from RASA_PATCHES); applying twice changes nothing."""
    names = selected() if names is None else names
    for name in names:
        if name not in _originals:
            _originals[name] = _PATCHERS[name]()
    if names:
        logger.info("Rasa patches applied: %s", ", ".join(names))
    return names


def revert() -> None:
    """Put Rasa's own methods back (for tests that compare both)."""
    from rasa.core.actions.action import RemoteAction

    if "action_reply_validator" in _originals:
        RemoteAction._validate_action_result = _originals.pop("action_reply_validator")
    if "sqlite_tracker_store" in _originals:
        _originals.pop("sqlite_tracker_store")()  # puts both of Rasa's functions back
    if "event_type_lookup" in _originals:
        from rasa.shared.core.events import Event

        Event.resolve_by_type = _originals.pop("event_type_lookup")
        del Event.__init_subclass__  # back to object's
    if "minimal_graph_memo" in _originals:
        from rasa.engine.graph import GraphSchema

        GraphSchema.minimal_graph_schema = _originals.pop("minimal_graph_memo")
    if "active_loop_state" in _originals:
        from rasa.shared.core import trackers

        trackers.dataclasses = _originals.pop("active_loop_state")
    for name in ("action_server_keepalive", "action_call_json"):
        if name in _originals:
            from rasa.utils.endpoints import EndpointConfig

            EndpointConfig.session = _originals.pop(name)  # both kept Rasa's own


# -- action_reply_validator ------------------------------------------------------------

_validators: Dict[type, Any] = {}


def _reply_validator(action_class: type) -> Any:
    """The jsonschema validator for the action-server reply schema, built (and checked) once."""
    validator = _validators.get(action_class)
    if validator is None:
        from jsonschema.validators import validator_for

        schema = action_class.action_response_format_spec()
        cls = validator_for(schema)  # what jsonschema.validate() picks for this schema
        cls.check_schema(schema)     # ... and the check it repeats on every call
        validator = _validators[action_class] = cls(schema)
    return validator


@dataclasses.dataclass(frozen=True)
class _EventDispatch:
    """The reply schema taken apart so that each event is checked against its own type's schema.

    Rasa's schema says: every event is an object with a string "event" (`base`) and matches
    exactly one of ~23 schemas (`oneOf`), each of which fixes "event" to its own constant.
    jsonschema checks every event against all of them, to be sure only one matches: three
    quarters of the validation time. As the constants differ, an event whose "event" is X
    fails every schema but X's, so `oneOf` holds exactly when X's schema does.
    """

    rest: Any                 # the reply schema with `events` only required to be an array
    base: Any                 # one event, without the oneOf
    by_type: Dict[str, Any]   # event type -> validator of its oneOf branch

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


_dispatches: Dict[type, Optional[_EventDispatch]] = {}


def _event_dispatch(action_class: type) -> Optional[_EventDispatch]:
    """The dispatch for this action class's schema, or None if the schema is not of that shape."""
    if action_class in _dispatches:
        return _dispatches[action_class]
    import copy

    schema = action_class.action_response_format_spec()
    validator_class = type(_reply_validator(action_class))
    dispatch = None
    try:
        events = schema["properties"]["events"]
        item = events["items"]
        branches = item["oneOf"]
        constants = [branch["properties"]["event"]["const"] for branch in branches]
        shaped = (events.get("type") == "array" and set(events) == {"type", "items"}
                  and "event" in item.get("required", ()) and item["properties"]["event"] == {"type": "string"}
                  and len(set(constants)) == len(constants) and all(isinstance(c, str) for c in constants))
    except (KeyError, TypeError):
        shaped = False
    if shaped:
        rest = copy.deepcopy(schema)
        rest["properties"]["events"] = {"type": "array"}
        base = {key: value for key, value in item.items() if key != "oneOf"}
        dispatch = _EventDispatch(validator_class(rest), validator_class(base),
                                  {c: validator_class(b) for c, b in zip(constants, branches)})
    _dispatches[action_class] = dispatch
    return dispatch


def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    """Rasa's RemoteAction._validate_action_result: the validator built once, each event checked
    against its own type's schema; any reply that is not valid that way gets the full check and
    Rasa's error."""
    from jsonschema import exceptions

    from rasa.shared.constants import DOCS_BASE_URL

    dispatch = _event_dispatch(type(self))
    if dispatch is not None and dispatch.valid(result):
        return True
    error = exceptions.best_match(_reply_validator(type(self)).iter_errors(result))
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


def _patch_action_reply_validator() -> Callable[..., Any]:
    from rasa.core.actions.action import RemoteAction

    original = RemoteAction._validate_action_result
    RemoteAction._validate_action_result = _validate_action_result
    return original


# -- sqlite_tracker_store -------------------------------------------------------------------

SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")


def _is_sqlite_file(url: Any) -> bool:
    from sqlalchemy.engine import make_url

    url = make_url(url)
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _patch_sqlite_tracker_store() -> Callable[..., Any]:
    import sqlalchemy as sa

    from rasa.core import tracker_store

    original_init = tracker_store.SQLTrackerStore.__init__
    original_kwargs = tracker_store.create_engine_kwargs

    def create_engine_kwargs(url: Any) -> Dict[str, Any]:
        kwargs = original_kwargs(url)
        if _is_sqlite_file(url):
            # One event loop thread uses the store; the pool may hand its connections on.
            kwargs.update(poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False})
        return kwargs

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        if _is_sqlite_file(self.engine.url):
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.engine.dispose()  # connections opened while creating tables: reopened with the pragmas

    tracker_store.create_engine_kwargs = create_engine_kwargs
    tracker_store.SQLTrackerStore.__init__ = __init__
    return lambda: (setattr(tracker_store, "create_engine_kwargs", original_kwargs),
                    setattr(tracker_store.SQLTrackerStore, "__init__", original_init))


# -- event_type_lookup ---------------------------------------------------------------------------

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


def _patch_event_type_lookup() -> Callable[..., Any]:
    from rasa.shared.core.events import Event

    original = Event.__dict__["resolve_by_type"]  # the staticmethod object
    original_function = original.__func__

    def resolve_by_type(type_name: Text, default: Optional[type] = None) -> Optional[type]:
        by_type = _event_table["by_type"] or _build_event_table()
        reference = by_type.get(type_name)
        found = reference() if reference is not None else None
        if reference is not None and found is None:  # that class has gone: look again
            found = (_build_event_table().get(type_name) or (lambda: None))()
        # Unknown names (old "topic" events, defaults, errors): Rasa's own answer.
        return found if found is not None else original_function(type_name, default)

    def __init_subclass__(cls: type, **kwargs: Any) -> None:
        super(Event, cls).__init_subclass__(**kwargs)  # type: ignore[misc]
        _event_table["by_type"] = None  # a new Event class: build the table again when asked

    Event.__init_subclass__ = classmethod(__init_subclass__)  # type: ignore[assignment]
    Event.resolve_by_type = staticmethod(resolve_by_type)
    _event_table["by_type"] = None
    return original


# -- action_server_keepalive, action_call_json ---------------------------------------------------
# Both change how EndpointConfig.session builds the HTTP session; `_endpoint_session` does
# what the applied ones ask for.

# Shorter than the action server's keep-alive (Sanic's KEEP_ALIVE_TIMEOUT, 5 s): the client
# closes an idle connection first, so a call never goes out on one the server is closing.
KEEPALIVE_S = 2.0


class _KeptSession:
    """`async with` gives the endpoint's long-lived session and leaves it open."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *exc_info: Any) -> None:
        return None


def action_call_json(value: Any) -> str:
    """The JSON text of a request body: ujson's, which decodes to what json.dumps's decodes to.

    Three times faster than json.dumps on the 80 kB tracker of a finished application (sent
    on every custom-action call). ujson writes compactly and leaves "/" unescaped; NaN and
    big integers as json.dumps does. Whatever ujson refuses goes to json.dumps, so the same
    values fail with the same error as in Rasa, with one exception: a dict key that is no
    str/int/float/bool/None (a tuple), which ujson writes as str(key) and json.dumps refuses.
    A tracker's state and the domain, built from JSON and YAML, have none.
    """
    import json

    import ujson

    try:
        return ujson.dumps(value, ensure_ascii=True, escape_forward_slashes=False, reject_bytes=True)
    except Exception:  # noqa: BLE001 - json.dumps gives the answer or Rasa's own error
        return json.dumps(value)


def _endpoint_session(self: Any) -> Any:
    """Rasa's EndpointConfig.session (same headers, auth and timeout), with the applied session patches."""
    import asyncio
    import weakref

    import aiohttp

    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    def new_session(**extra: Any) -> Any:
        auth = (aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
                if self.basic_auth else None)
        if "action_call_json" in _originals:
            extra["json_serialize"] = action_call_json
        return aiohttp.ClientSession(headers=self.headers, auth=auth,
                                     timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT), **extra)

    if "action_server_keepalive" not in _originals:
        return new_session()  # closed after the call, as Rasa's
    loop = asyncio.get_running_loop()
    sessions = self.__dict__.setdefault("_kept_sessions", weakref.WeakKeyDictionary())
    session = sessions.get(loop)
    if session is None or session.closed:
        session = sessions[loop] = new_session(connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S))
    return _KeptSession(session)


def _patch_endpoint_session() -> Callable[..., Any]:
    from rasa.utils.endpoints import EndpointConfig

    original = EndpointConfig.__dict__["session"]
    if original is _endpoint_session:  # the other session patch came first: it kept Rasa's
        original = next(_originals[name] for name in ("action_server_keepalive", "action_call_json")
                        if name in _originals)
    EndpointConfig.session = _endpoint_session
    return original


# -- active_loop_state ---------------------------------------------------------------------------


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


def _patch_active_loop_state() -> Callable[..., Any]:
    from rasa.shared.core import trackers

    original = trackers.dataclasses
    trackers.dataclasses = _DataclassesForTrackers()  # type: ignore[assignment]
    return original


# -- minimal_graph_memo ----------------------------------------------------------------------------


def _memoised_minimal_graph_schema(self: Any, targets: Optional[list] = None) -> Any:
    """Rasa's GraphSchema.minimal_graph_schema, worked out once per set of targets.

    Each call returns a new GraphSchema over a new dict of the same nodes, as Rasa's does;
    the memo is keyed by the targets and by the identity and size of `nodes`, so a schema
    whose nodes are replaced or extended is worked out again.
    """
    from rasa.engine.graph import GraphSchema

    memo = self.__dict__.setdefault("_minimal_schemas", {})
    key = (tuple(targets) if targets else None, id(self.nodes), len(self.nodes))
    found = memo.get(key)
    if found is None:
        found = memo[key] = _originals["minimal_graph_memo"](self, targets)
    return GraphSchema(dict(found.nodes))


def _patch_minimal_graph_memo() -> Callable[..., Any]:
    from rasa.engine.graph import GraphSchema

    original = GraphSchema.minimal_graph_schema
    _originals["minimal_graph_memo"] = original  # the memo calls it before apply() records it
    GraphSchema.minimal_graph_schema = _memoised_minimal_graph_schema
    return original


_PATCHERS: Dict[str, Callable[[], Callable[..., Any]]] = {
    "action_reply_validator": _patch_action_reply_validator,
    "sqlite_tracker_store": _patch_sqlite_tracker_store,
    "event_type_lookup": _patch_event_type_lookup,
    "action_server_keepalive": _patch_endpoint_session,
    "action_call_json": _patch_endpoint_session,
    "active_loop_state": _patch_active_loop_state,
    "minimal_graph_memo": _patch_minimal_graph_memo,
}
