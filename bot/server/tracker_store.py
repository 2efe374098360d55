"""The conversation store the Rasa server uses: Rasa's SQL tracker store that can forget a conversation.

Named by module path in the endpoints files (`type: bot.server.tracker_store.PrivacySQLTrackerStore`);
takes the same settings as Rasa's `type: SQL` (SQLite or PostgreSQL).

Why a store of our own: Rasa's SQLTrackerStore.save appends the events beyond those
already stored, so rows deleted by an action would simply be written back at the end
of the turn. Here, when the turn ran the forget action (`bot.records.conversations.FORGET_ACTION`,
"glem mig"), save deletes every row of the conversation instead and stores nothing: the
next message starts a new, empty conversation.

It also keeps recently used conversations in memory (`TrackerCache`): Rasa's store reads,
decodes and replays every stored row of a conversation for every message, and counts the
stored rows again to save (a full application is 151 events: a third of the server's time).
The cache is never trusted blindly: before each use, one indexed query reads the number of
the sender's rows and the highest row id, and any difference from what the cache saw (the
retention purge, "glem mig", a second Rasa instance on the same PostgreSQL) means a full
read, as Rasa does it. Its size is bounded (TRACKER_CACHE_MB, default 32; 0 turns it off).
A cached row is the event Rasa builds from it, kept as its marshalled attributes (`StoredRow`):
a full read makes new events from them without decoding JSON or building events, then Rasa's
own replay makes the tracker. For the conversations used last (TRACKER_CACHE_TRACKERS, default
64) the cache also keeps the tracker our own save left (`TrackerCache.tracker`), and a read is
a copy of it (`DialogueStateTracker.copy`) that shares its event objects: see `_keep_saved_tracker`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import marshal
import operator
import os
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Optional, Union

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, UserUttered, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.records import conversations as privacy

logger = logging.getLogger(__name__)


def forgets_in_this_turn(tracker: DialogueStateTracker) -> bool:
    """Whether the forget action ran after the latest user message.

    The turn's events are enough (no query): after a forget nothing of the conversation is
    stored, so a tracker read back from the store never holds an earlier one.
    """
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecuted) and event.action_name == privacy.FORGET_ACTION:
            return True
        if isinstance(event, UserUttered):
            return False
    return False


# --- The tracker cache ------------------------------------------------------------------

DEFAULT_CACHE_MB = 32
DEFAULT_CACHE_TRACKERS = 64  # conversations whose tracker is kept besides their rows (those answered at once)
# What a cached conversation and each of its rows cost besides the events' bytes (Python
# objects): counted so that the bound holds for many short conversations too.
ENTRY_OVERHEAD_BYTES = 400
ROW_OVERHEAD_BYTES = 150

# (number of the sender's rows, highest row id, latest timestamp). The ids alone could
# repeat: SQLite hands out the highest deleted ids again; a later conversation cannot also
# have the same latest timestamp. PostgreSQL's sequence never repeats an id.
Fingerprint = tuple[int, Optional[int], Optional[float]]


@dataclass(frozen=True)
class StoredRow:
    """One stored event row: its id, type and timestamp, and the event Rasa builds from its JSON `data`, marshalled.

    `blob` holds the attributes (`__dict__`) of the event that Rasa's `Event.from_parameters`
    builds from the row's JSON, and `event_class` its class: a new event is that class's empty
    object given `marshal.loads(blob)` as its attributes, half the time of decoding the JSON
    and building the event again (marshal keeps the attributes Rasa shares within an event
    shared: a user message's `intent` is its `parse_data["intent"]`). New objects each time, so
    a tracker that changes its events never changes the cache. A row whose event marshal
    cannot hold keeps its JSON as Python objects (`event_class` None) and is built as Rasa does.
    """

    id: int
    type_name: str
    timestamp: Optional[float]
    blob: bytes
    event_class: Optional[type] = None

    @classmethod
    def from_json(cls, id: int, type_name: str, timestamp: Optional[float], data: str) -> StoredRow:
        event_dict = json.loads(data)
        events = deserialise_events([event_dict])
        if len(events) == 1:
            with contextlib.suppress(ValueError, TypeError, AttributeError):
                return cls(id, type_name, timestamp, marshal.dumps(vars(events[0])), type(events[0]))
        return cls(id, type_name, timestamp, marshal.dumps(event_dict))

    def event(self) -> Optional[Event]:
        """The row's event as Rasa's `deserialise_events` gives it (None for a row it skips), new objects."""
        if self.event_class is None:
            return next(iter(deserialise_events([marshal.loads(self.blob)])), None)
        event = self.event_class.__new__(self.event_class)
        event.__dict__ = marshal.loads(self.blob)
        return event


def _as_read(event: Event, read: Event) -> bool:
    """Whether an event has the attributes of the event Rasa's read gives (`read`). A user message whose
    attributes differ from them only by tuples where they have lists (its parse's `text_tokens`) gets
    lists in their place, inside the containers it has (which the tracker's state may hold too: the
    active form's `trigger_message` is a message's `parse_data`)."""
    if type(event) is not type(read):
        return False
    if vars(event) == vars(read):
        return True
    if not isinstance(event, UserUttered) or _lists_for_tuples(vars(event)) != vars(read):
        return False
    _tuples_to_lists_inside(vars(event))
    return vars(event) == vars(read)


def _lists_for_tuples(value: Any) -> Any:
    """The value as JSON gives it back: every tuple inside it a list."""
    if isinstance(value, dict):
        return {key: _lists_for_tuples(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_lists_for_tuples(item) for item in value]
    return value


def _tuples_to_lists_inside(container: Any) -> None:
    """Replace every tuple inside a dict or list (at any depth) by a list, in place."""
    items = container.items() if isinstance(container, dict) else enumerate(container)
    for key, item in list(items):
        if isinstance(item, tuple):
            container[key] = item = list(item)
        if isinstance(item, (dict, list)):
            _tuples_to_lists_inside(item)


def _in_latest_session(row: StoredRow, session_start: Optional[float]) -> bool:
    # Rasa's own filter in SQL (SQLTrackerStore._event_query): timestamp >= the latest
    # session start, or every row when there is none; NULL compares as false.
    return session_start is None or (row.timestamp is not None and row.timestamp >= session_start)


def _sql_max(values: Iterable[Any]) -> Any:
    """SQL's max(): NULLs are skipped; NULL when nothing is left."""
    return max((value for value in values if value is not None), default=None)


def _rows_size(rows: Iterable[StoredRow]) -> int:
    return sum(ROW_OVERHEAD_BYTES + len(row.blob) for row in rows)


@dataclass(frozen=True)
class CachedConversation:
    """What the database held for a sender when `fingerprint` was read.

    `rows` are the rows Rasa's `retrieve` reads (the latest session, in id order);
    `session_start` is the latest SessionStarted timestamp over all the sender's rows.
    """

    fingerprint: Fingerprint
    session_start: Optional[float]
    rows: tuple[StoredRow, ...]

    # Counted once, from the rows (the cache reads it three times per save).
    size: int = field(default=-1, compare=False)

    def __post_init__(self) -> None:
        if self.size < 0:
            object.__setattr__(self, "size", ENTRY_OVERHEAD_BYTES + _rows_size(self.rows))

    def with_new_rows(self, new_rows: Iterable[StoredRow]) -> CachedConversation:
        """The entry after our own save appended `new_rows` (nobody else writes this sender meanwhile:
        the lock store holds the conversation; any other change shows in the next fingerprint)."""
        new_rows = tuple(new_rows)
        if not new_rows:
            return self
        session_start = _sql_max(
            [self.session_start, *(row.timestamp for row in new_rows if row.type_name == SessionStarted.type_name)]
        )
        if session_start == self.session_start:
            # The rows kept are already those of this session: only the new ones to check.
            appended = tuple(row for row in new_rows if _in_latest_session(row, session_start))
            rows, size = self.rows + appended, self.size + _rows_size(appended)
        else:
            rows = tuple(row for row in (*self.rows, *new_rows) if _in_latest_session(row, session_start))
            size = -1
        count, highest, latest = self.fingerprint
        return CachedConversation(
            fingerprint=(
                count + len(new_rows),
                _sql_max([highest, *(row.id for row in new_rows)]),
                _sql_max([latest, *(row.timestamp for row in new_rows)]),
            ),
            session_start=session_start,
            rows=rows,
            size=size,
        )


class TrackerCache:
    """Least recently used conversations, bounded by the bytes of their events."""

    def __init__(self, max_bytes: int, max_trackers: int = DEFAULT_CACHE_TRACKERS) -> None:
        self.max_bytes = max_bytes
        self.max_trackers = max_trackers
        self._entries: OrderedDict[str, CachedConversation] = OrderedDict()
        self._bytes = 0
        # sender -> (the entry's fingerprint, the domain, the tracker of exactly the entry's rows)
        self._trackers: OrderedDict[str, tuple[Fingerprint, Any, DialogueStateTracker]] = OrderedDict()

    def __bool__(self) -> bool:
        return self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        return self._bytes

    def get(self, sender_id: str) -> Optional[CachedConversation]:
        entry = self._entries.get(sender_id)
        if entry is not None:
            self._entries.move_to_end(sender_id)
        return entry

    def put(self, sender_id: str, entry: CachedConversation) -> None:
        self.drop(sender_id)
        if not self or entry.size > self.max_bytes:
            return
        self._entries[sender_id] = entry
        self._bytes += entry.size
        while self._bytes > self.max_bytes:
            evicted_sender, evicted = self._entries.popitem(last=False)
            self._bytes -= evicted.size
            self._trackers.pop(evicted_sender, None)

    def drop(self, sender_id: str) -> None:
        entry = self._entries.pop(sender_id, None)
        if entry is not None:
            self._bytes -= entry.size
        self._trackers.pop(sender_id, None)

    def tracker(self, sender_id: str, entry: CachedConversation, domain: Any) -> Optional[DialogueStateTracker]:
        """The tracker kept for the entry's rows (read with `domain`'s slots), if any."""
        kept = self._trackers.get(sender_id)
        if kept is None or kept[0] != entry.fingerprint or kept[1] is not domain:
            return None
        self._trackers.move_to_end(sender_id)
        return kept[2]

    def keep_tracker(
        self, sender_id: str, entry: CachedConversation, domain: Any, tracker: Optional[DialogueStateTracker]
    ) -> None:
        """Keep `tracker` as the one of the entry's rows (None: keep none for this sender)."""
        self._trackers.pop(sender_id, None)
        if tracker is None or self.max_trackers <= 0 or self._entries.get(sender_id) is not entry:
            return
        self._trackers[sender_id] = (entry.fingerprint, domain, tracker)
        while len(self._trackers) > self.max_trackers:
            self._trackers.popitem(last=False)

    @classmethod
    def from_environment(cls) -> TrackerCache:
        megabytes = float(os.environ.get("TRACKER_CACHE_MB") or DEFAULT_CACHE_MB)
        trackers = int(os.environ.get("TRACKER_CACHE_TRACKERS") or DEFAULT_CACHE_TRACKERS)
        return cls(max_bytes=int(megabytes * 1_000_000), max_trackers=trackers)


class PrivacySQLTrackerStore(SQLTrackerStore):
    """Rasa's SQLTrackerStore; a conversation whose new events include the forget action is deleted, not saved."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Rasa passes `host=<url>` from the endpoints file; ours may also name `url`.
        if kwargs.get("url") and not kwargs.get("host"):
            kwargs["host"] = kwargs.pop("url")
        self.cache = TrackerCache.from_environment()
        super().__init__(*args, **kwargs)

    @property
    def engine(self) -> sa.engine.Engine:
        return self._engine

    @engine.setter
    def engine(self, engine: sa.engine.Engine) -> None:
        # Whoever builds the engine (Rasa, or a subclass rebuilding it): a database error's
        # message would otherwise carry the statement's parameters, i.e. the events with what
        # the user wrote, and Rasa logs that message.
        engine.hide_parameters = True
        self._engine = engine

    @contextlib.contextmanager
    def session_scope(self) -> Iterator[sa.orm.Session]:
        """Rasa's session scope, except that an error is an error of this request, never the end of the server.

        Rasa's catches every ValueError raised inside the scope, takes it for a missing
        PostgreSQL schema and calls sys.exit(1): one message whose id SQLite's driver could not
        encode (a lone surrogate) or PostgreSQL refused (a NUL) stopped the whole service.
        """
        session = self.sessionmaker()
        try:
            try:
                ensure_schema_exists(session)
            except ValueError as missing:
                raise TrackerStoreUnavailable(f"the PostgreSQL schema '{missing}' does not exist") from None
            yield session
        finally:
            session.close()

    async def save(self, tracker: DialogueStateTracker) -> None:
        if forgets_in_this_turn(tracker):
            self.cache.drop(tracker.sender_id)
            # No event broker either: nothing of the forgotten conversation leaves this store.
            with self.engine.begin() as conn:
                removed = privacy.delete_conversation(conn, tracker.sender_id)
            logger.info("a conversation was forgotten at the user's request (%d stored events deleted)", removed)
            return
        if not self.cache:
            await super().save(tracker)
            return
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        if self._append_to_cached(tracker):
            logger.debug(f"Tracker with sender_id '{sender_id}' stored to database")
            return
        # Not cached (or the database changed under the cache): Rasa appends the events beyond
        # those of the latest session already stored, and counts them; the next retrieve reads
        # the conversation in full and caches it.
        with self.session_scope() as session:
            stored = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).count()
            session.add_all(
                [
                    self._event_row(sender_id, event)
                    for event in itertools.islice(tracker.events, stored, len(tracker.events))
                ]
            )
            session.commit()
        self.cache.drop(sender_id)  # whatever a cache entry says now, it is not these rows
        logger.debug(f"Tracker with sender_id '{sender_id}' stored to database")

    def _append_to_cached(self, tracker: DialogueStateTracker) -> bool:
        """Save a cached conversation's new events in one transaction on a plain connection.

        The ORM session Rasa's save uses (unit of work, a flush per row, snapshots) cost more
        than the SQL it ran. Same rows, each inserted on its own to learn its id; False (and
        nothing written) when the conversation is not cached or the database no longer holds
        exactly what the cache saw: then the session path below counts as Rasa does.
        """
        sender_id = tracker.sender_id
        if self.cache.get(sender_id) is None:
            return False
        table = self.SQLEvent.__table__
        with self.engine.begin() as connection:
            cached = self._valid_entry(connection, sender_id)
            if cached is None:
                return False
            kept = self.cache.tracker(sender_id, cached, self.domain)
            new_events = list(itertools.islice(tracker.events, len(cached.rows), len(tracker.events)))
            new_rows = []
            for event in new_events:
                values = self._event_values(sender_id, event)
                if self._on_sqlite:
                    row_id = self._sqlite_insert(connection, values)
                else:
                    row_id = connection.execute(table.insert(), values).inserted_primary_key[0]
                new_rows.append(StoredRow.from_json(row_id, values["type_name"], values["timestamp"], values["data"]))
        entry = cached.with_new_rows(new_rows)
        self.cache.put(sender_id, entry)
        self._keep_saved_tracker(tracker, kept, entry, new_events, new_rows)
        return True

    def _keep_saved_tracker(
        self,
        tracker: DialogueStateTracker,
        kept: Optional[DialogueStateTracker],
        entry: CachedConversation,
        new_events: list[Event],
        new_rows: list[StoredRow],
    ) -> None:
        """Keep a copy of the saved tracker for the next read, when it is the tracker Rasa's next read gives.

        The next read is then a copy of it (`DialogueStateTracker.copy`: with `tracker_copy_state`,
        without replaying the events) instead of building every event from its row and replaying them:
        at turn 40 of the bench's long conversation (tools/bench/growth.py, ~430 events) 1.5 ms of
        the read, and thousands of new objects each turn for the garbage collector to walk. And the
        next turn's tracker holds the same event objects as this one, so the patches that go on from
        the previous turn's work by object identity (`applied_events_memo`, `rule_policy_recent_states`)
        go on instead of starting again.

        Rasa's next read: the tracker read before this save was the kept one (its events the same
        objects: nobody replaced the conversation's events in between), the rows of its session are
        all its events (no new session that Rasa's read would start from), and each new event has the
        attributes of the event Rasa's read builds from its row and replays (`as_read`). A user message
        may differ from it only by tuples where the JSON has lists (its parse's `text_tokens`, which
        nothing reads): those become lists now, after the save (`_as_read`). Events are shared from
        here on between the reads, as they are in Rasa between the copies of one turn's tracker: Rasa
        changes an event in a tracker only by replaying the conversation's own events
        (`DefinePrevUserUtteredFeaturization`), which gives it the same attributes again, and copies
        one before changing it otherwise (as in `_revert_affirmation_events`). Tested: after every
        turn of whole conversations answered by Rasa's processor, our read is Rasa's
        (tests/server/test_rasa_patches.py).
        """
        sender_id = tracker.sender_id
        stored = len(entry.rows) - len(new_rows)
        if (
            kept is None
            or type(tracker) is not DialogueStateTracker
            or len(entry.rows) != len(tracker.events)
            or len(kept.events) != stored
            or not all(map(operator.is_, itertools.islice(tracker.events, stored), kept.events))
        ):
            self.cache.keep_tracker(sender_id, entry, self.domain, None)
            return
        read_events = [row.event() for row in new_rows]
        as_read = kept  # no longer the cache's (`put` dropped it): Rasa's next read is replayed onto it
        for event in read_events:
            if event is None:
                self.cache.keep_tracker(sender_id, entry, self.domain, None)
                return
            as_read.update(event)  # Rasa's replay, which may change the events (the featurization)
        if not all([_as_read(event, read) for event, read in zip(new_events, read_events)]):
            self.cache.keep_tracker(sender_id, entry, self.domain, None)
            return
        self.cache.keep_tracker(sender_id, entry, self.domain, tracker.copy())

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """Rasa's `retrieve` (the latest session), from memory when the database still holds what the cache saw."""
        if not self.cache:
            return await super().retrieve(sender_id)
        cached = None
        if self.cache.get(sender_id) is not None:
            # A plain connection: an ORM session costs more than this one indexed query.
            with self.engine.connect() as connection:
                cached = self._valid_entry(connection, sender_id)
        if cached is None:
            with self.session_scope() as session:
                cached = self._read(session, sender_id)
        if not (self.domain and cached.rows):
            return None
        kept = self.cache.tracker(sender_id, cached, self.domain)
        if kept is None:
            events = [event for event in map(StoredRow.event, cached.rows) if event is not None]
            kept = DialogueStateTracker.from_events(sender_id, events, self.domain.slots)
            if len(kept.events) != len(cached.rows):  # a row Rasa skips: the save could not tell
                return kept
            self.cache.keep_tracker(sender_id, cached, self.domain, kept)
        return kept.copy()

    def _fingerprint(self, session: Union[sa.orm.Session, sa.engine.Connection], sender_id: str) -> Fingerprint:
        # Through the sender_id index: ~0.15 ms on SQLite for a finished application.
        if self._on_sqlite and isinstance(session, sa.engine.Connection):
            count, highest, latest = self._sqlite_fingerprint(session, sender_id)
        else:
            count, highest, latest = session.execute(self._fingerprint_query, {"sender_id": sender_id}).one()
        return int(count), highest, latest

    # --- SQLite: the two statements of every cached turn, on the driver's own cursor ----------
    # SQLAlchemy's work around each statement (compiling from its cache, binding, building the
    # result) cost more than SQLite took to run it (py-spy at 1 user: two thirds of `save`). On
    # SQLite we send the same SQL, compiled once by SQLAlchemy for this dialect, with the same
    # values, on the connection's DBAPI cursor inside the same transaction; the columns written and
    # read (str, float, int, None) need no type conversion there. Other databases keep SQLAlchemy.

    @property
    def _on_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def _compiled(self, name: str, statement: Callable[[], Any]) -> tuple[str, tuple[str, ...]]:
        """The SQL text of a statement for this engine's dialect and its parameters' order, compiled once."""
        found = self.__dict__.get(name)
        if found is None:
            compiled = statement().compile(dialect=self.engine.dialect)
            found = self.__dict__[name] = (str(compiled), tuple(compiled.positiontup or ()))
        return found

    def _sqlite_insert(self, connection: sa.engine.Connection, values: dict[str, Any]) -> int:
        """Insert one event row, as `connection.execute(table.insert(), values)`; its new id."""
        table = self.SQLEvent.__table__
        sql, order = self._compiled(
            f"_insert_sql{tuple(values)}", lambda: table.insert().values({key: sa.bindparam(key) for key in values})
        )
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, [values[key] for key in order])
            return cursor.lastrowid
        finally:
            cursor.close()

    def _sqlite_fingerprint(self, connection: sa.engine.Connection, sender_id: str) -> tuple:
        """The row of `_fingerprint_query`, as `connection.execute(...).one()` gives it."""
        sql, _ = self._compiled("_fingerprint_sql", lambda: self._fingerprint_query)
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, (sender_id,))
            return cursor.fetchone()
        finally:
            cursor.close()

    @property
    def _fingerprint_query(self) -> sa.sql.Select:
        # Built once: building the statement cost as much as running it.
        query = self.__dict__.get("_fingerprint_select")
        if query is None:
            event = self.SQLEvent
            query = self.__dict__["_fingerprint_select"] = sa.select(
                sa.func.count(event.id), sa.func.max(event.id), sa.func.max(event.timestamp)
            ).where(event.sender_id == sa.bindparam("sender_id"))
        return query

    def _valid_entry(
        self, session: Union[sa.orm.Session, sa.engine.Connection], sender_id: str
    ) -> Optional[CachedConversation]:
        """The cached conversation, if the database holds exactly the rows it saw; else None (and forgotten)."""
        cached = self.cache.get(sender_id)
        if cached is None:
            return None
        if cached.fingerprint == self._fingerprint(session, sender_id):
            return cached
        self.cache.drop(sender_id)
        return None

    def _read(self, session: sa.orm.Session, sender_id: str) -> CachedConversation:
        """A full read with Rasa's own query, remembered with the fingerprint read before it.

        Fingerprint first: whatever changes after it (even between the two reads) makes the next
        fingerprint differ, so the worst a race costs is one more full read.
        """
        fingerprint = self._fingerprint(session, sender_id)
        event = self.SQLEvent
        session_start = session.execute(
            sa.select(sa.func.max(event.timestamp)).where(
                event.sender_id == sender_id, event.type_name == SessionStarted.type_name
            )
        ).scalar()
        rows = tuple(
            StoredRow.from_json(row.id, row.type_name, row.timestamp, row.data)
            for row in self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
        )
        entry = CachedConversation(fingerprint, session_start, rows)
        self.cache.put(sender_id, entry)
        return entry

    def _event_row(self, sender_id: str, event: Any) -> Any:
        """The row Rasa's SQLTrackerStore.save writes for an event (same columns, same JSON)."""
        return self.SQLEvent(**self._event_values(sender_id, event))

    @staticmethod
    def _event_values(sender_id: str, event: Any) -> dict[str, Any]:
        data = event.as_dict()
        return dict(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )


# --- Scale-out profile (endpoints.production.yml) ----------------------------------------
# Rasa's SQLTrackerStore, when its database cannot be reached at start, retries forever
# without ever serving (Rasa 3.6) or, in older versions, fell back to memory
# (RasaHQ/rasa#3243); and any ImportError or AttributeError raised while a custom store is
# created makes Rasa use an InMemoryTrackerStore with only a warning. Either way
# conversations would be lost or the instance would hang unnoticed. This store waits a
# bounded time for the database, then stops the start with a clear error of its own type.


class ProductionTrackerStore(PrivacySQLTrackerStore):
    """PrivacySQLTrackerStore that refuses to start without its database (after SERVICES_STARTUP_TIMEOUT s)
    and survives a database restart between two messages."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Everything inside the try: an ImportError escaping from here would be turned into
        # an in-memory store by Rasa.
        try:
            self._wait_for_database(kwargs)
            super().__init__(*args, **kwargs)
            self._check_connections_before_use()
        except Exception as error:
            if type(error).__name__ == "ServiceUnavailable":  # bot.server.services: a clear message already
                raise TrackerStoreUnavailable(str(error)) from None
            # e.g. a missing database driver
            raise TrackerStoreUnavailable(f"{type(error).__name__}: {error}") from error

    def _check_connections_before_use(self) -> None:
        """Rebuild Rasa's engine with pool_pre_ping.

        After PostgreSQL restarts (or fails over), every pooled connection is dead. Without a
        check, the next message's read fails and Rasa's fail-safe wrapper answers it from an
        empty conversation in memory; with it, a dead connection is replaced before use.
        """
        import sqlalchemy as sa
        from rasa.core.tracker_store import create_engine_kwargs

        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    @staticmethod
    def _wait_for_database(kwargs: dict[str, Any]) -> None:
        import os

        from rasa.core.tracker_store import validate_port

        from bot.server.services import DEFAULT_STARTUP_TIMEOUT, wait_for_sql

        settings = {name: kwargs.get(name) for name in ("dialect", "db", "username", "password", "login_db", "query")}
        url = SQLTrackerStore.get_db_url(
            host=kwargs.get("host") or kwargs.get("url"),
            port=validate_port(kwargs.get("port")),
            **{k: v for k, v in settings.items() if v is not None},
        )
        timeout = float(os.environ.get("SERVICES_STARTUP_TIMEOUT") or DEFAULT_STARTUP_TIMEOUT)
        wait_for_sql(url, timeout)


class TrackerStoreUnavailable(RuntimeError):
    """The production tracker store could not reach its database: the Rasa server must not start."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            "Samtalelageret (PostgreSQL) kan ikke nås, så Rasa-serveren starter ikke: samtaler "
            f"ville ellers gå tabt. {reason}. Start databasen (scripts/services.sh start) eller ret "
            "DB_HOST/DB_PORT/DB_USER/DB_PASSWORD/DB_DATABASE."
        )
