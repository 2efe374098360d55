"""Each Slack delivery is handled once: the ids of the events and clicks the Slack channel has handled.

Slack sends an event again (`X-Slack-Retry-Num`, same `event_id`) when the answer was slow or
failed, up to three times within about five minutes, possibly to another Rasa process or to
one that has restarted meanwhile. Where the ids are kept, first choice first:
- `SharedDeliveries`: the Redis of Rasa's lock store, when there is one (Rasa requires one for
  several processes);
- `StoredDeliveries`: a small table (`slack_deliveries`) in the SQL tracker store's database
  (SQLite or PostgreSQL), created on first use, so the ids survive a restart;
- `RecentDeliveries`: this process's memory, when Rasa's store is no SQL store (or fails).
The ids are Slack's (`Ev…`, a click's trigger id): no personal data.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from typing import Optional, Protocol

import redis
import redis.asyncio
import sqlalchemy as sa
from rasa.core.lock_store import DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore

logger = logging.getLogger(__name__)

# Slack retries an event three times within about five minutes; an hour is a wide margin.
DELIVERY_MEMORY_SECONDS = 60 * 60
DELIVERY_MEMORY_SIZE = 10_000
# Rasa's tracker store keeps its ids in VARCHAR(255) too; a delivery id is far shorter.
DELIVERY_ID_MAX = 255


class DeliveryMemory(Protocol):
    async def first_time(self, delivery_id: str) -> bool:
        """True the first time an id is seen (and remembers it); False for a repeat."""


class RecentDeliveries:
    """Delivery ids seen lately in this process."""

    def __init__(self, seconds: float = DELIVERY_MEMORY_SECONDS, size: int = DELIVERY_MEMORY_SIZE) -> None:
        self.seconds = seconds
        self.size = size
        self._seen: "OrderedDict[str, float]" = OrderedDict()

    def seen_first_at(self, delivery_id: str, now: float) -> bool:
        """True the first time an id is seen at `now` (and remembers it); False for a repeat."""
        while self._seen and (next(iter(self._seen.values())) < now - self.seconds or len(self._seen) >= self.size):
            self._seen.popitem(last=False)
        if delivery_id in self._seen:
            return False
        self._seen[delivery_id] = now
        return True

    async def first_time(self, delivery_id: str) -> bool:
        return self.seen_first_at(delivery_id, time.monotonic())


class SharedDeliveries:
    """Delivery ids kept in the Redis of Rasa's lock store, so that every Rasa process (several
    Sanic workers, several servers) knows what any of them has handled."""

    def __init__(self, client: "redis.asyncio.Redis", key_prefix: str, seconds: int = DELIVERY_MEMORY_SECONDS) -> None:
        self.client = client
        self.key_prefix = key_prefix
        self.seconds = seconds

    async def first_time(self, delivery_id: str) -> bool:
        # SET NX is atomic in Redis: of two processes receiving the same event, exactly one wins.
        return bool(await self.client.set(self.key_prefix + delivery_id, b"1", nx=True, ex=self.seconds))

    @classmethod
    def beside(cls, lock_store: Optional[LockStore]) -> Optional["SharedDeliveries"]:
        """Next to a Redis lock store (Rasa requires one for more than one process), else None."""
        if not isinstance(lock_store, RedisLockStore):
            return None
        pool = lock_store.red.connection_pool
        settings = {
            key: value
            for key, value in pool.connection_kwargs.items()
            if key
            in (
                "host",
                "port",
                "db",
                "username",
                "password",
                "ssl_keyfile",
                "ssl_certfile",
                "ssl_cert_reqs",
                "ssl_ca_certs",
            )
        }
        client = redis.asyncio.Redis(
            **settings, ssl=issubclass(pool.connection_class, redis.SSLConnection), socket_timeout=5
        )
        prefix = lock_store.key_prefix[: -len(DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX)] + "slack_delivery:"
        return cls(client, prefix)


_metadata = sa.MetaData()
deliveries_table = sa.Table(
    "slack_deliveries",
    _metadata,
    sa.Column("delivery_id", sa.String(DELIVERY_ID_MAX), primary_key=True),
    sa.Column("seen_at", sa.Float, nullable=False, index=True),
)


class StoredDeliveries:
    """Delivery ids in a table of the tracker store's database: they survive a restart of Rasa.

    The primary key decides: of two inserts of one id, the second fails (also between two
    processes on one PostgreSQL). Ids older than `seconds` are deleted as new ones come in.
    """

    def __init__(self, engine: sa.engine.Engine, seconds: float = DELIVERY_MEMORY_SECONDS) -> None:
        self.engine = engine
        self.seconds = seconds
        self._table_ready = False
        self._create_lock = threading.Lock()

    def _ensure_table(self) -> None:
        if self._table_ready:
            return
        with self._create_lock:
            if not self._table_ready:
                try:
                    _metadata.create_all(self.engine, checkfirst=True)
                except sa.exc.SQLAlchemyError:
                    # Another process created it between the check and the CREATE: fine; else it is an error.
                    if not sa.inspect(self.engine).has_table(deliveries_table.name):
                        raise
                self._table_ready = True

    def seen_first_at(self, delivery_id: str, now: float) -> bool:
        """True the first time an id is stored at `now`; False when it is there already."""
        self._ensure_table()
        try:
            with self.engine.begin() as connection:
                connection.execute(deliveries_table.delete().where(deliveries_table.c.seen_at < now - self.seconds))
                connection.execute(deliveries_table.insert().values(delivery_id=delivery_id, seen_at=now))
        except sa.exc.IntegrityError:
            return False
        return True

    async def first_time(self, delivery_id: str) -> bool:
        # A blocking database call: in a thread, so the server's event loop keeps serving.
        return await asyncio.to_thread(self.seen_first_at, delivery_id, time.time())

    @classmethod
    def beside(cls, tracker_store: Optional[TrackerStore]) -> Optional["StoredDeliveries"]:
        """In the database of Rasa's SQL tracker store (ours or Rasa's own; not wrapped), else None."""
        if not isinstance(tracker_store, SQLTrackerStore):
            return None
        return cls(tracker_store.engine)


class Deliveries:
    """The Slack channel's memory of handled deliveries: Redis, else the tracker database, else
    this process (see the module docstring); chosen on the first request, when Rasa's agent is loaded."""

    def __init__(self) -> None:
        self.local = RecentDeliveries()
        self._lasting: Optional[DeliveryMemory] = None
        self._chosen = False

    def choose(self, lock_store: Optional[LockStore], tracker_store: Optional[TrackerStore]) -> None:
        """Once, with Rasa's lock store and its (unwrapped) tracker store; before Rasa's agent is
        loaded (both None) nothing is chosen yet."""
        if self._chosen or (lock_store is None and tracker_store is None):
            return
        self._chosen = True
        self._lasting = SharedDeliveries.beside(lock_store) or StoredDeliveries.beside(tracker_store)
        logger.info(
            "Slack deliveries are remembered in %s",
            type(self._lasting).__name__ if self._lasting else "this process only",
        )

    async def first_time(self, delivery_id: str) -> bool:
        if self._lasting is not None:
            try:
                return await self._lasting.first_time(delivery_id)
            except (redis.RedisError, sa.exc.SQLAlchemyError) as error:
                logger.warning(
                    "Slack deliveries: %s unavailable (%s); this process's memory only",
                    type(self._lasting).__name__,
                    type(error).__name__,
                )
        return await self.local.first_time(delivery_id)
