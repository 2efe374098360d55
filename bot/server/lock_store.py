"""The conversation lock store of the scale-out profile: Rasa's Redis lock store, safe for several instances.

Named by module path in endpoints.production.yml (`type: bot.server.lock_store.ProductionLockStore`),
with the settings of Rasa's `type: redis`. Rasa 3.6's RedisLockStore has two flaws that
show once several instances share it:

- A message whose own ticket expires while it waits (behind a crashed instance's ticket,
  or behind a slow message) waits for ever: the emptied lock then serves ticket 0, never
  its number. After an instance crash, a message re-sent at once can hang this way
  (tests/scale/test_lock_store.py shows it with Rasa's store).
- Every change is read, modify in Python, write back: two instances changing one lock at
  the same moment overwrite each other's tickets, and two messages of one conversation can
  then be processed at once (measured: 100 tickets issued by 4 threads on 2 stores at once
  got 51 distinct numbers, 50 stayed in the lock; with this store 100 and 100).

This store changes a lock only in a Redis transaction (WATCH/MULTI, retried on conflict),
gives a waiter whose ticket expired a new one at the end of the queue, lets a lock key
expire a minute after its last ticket (a crash leaves nothing behind for good), and
refuses to start when Redis does not answer within SERVICES_STARTUP_TIMEOUT seconds.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import time
from contextlib import asynccontextmanager
from typing import AsyncGenerator, Callable, Optional, Text, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
# A lock key lives this long after its last ticket expires, then Redis drops it.
KEY_GRACE_SECONDS = 60
DEFAULT_WAIT_SECONDS = 0.25


class LockStoreUnavailable(RuntimeError):
    """Redis could not be reached at start: the Rasa server must not start without its locks."""


class ProductionLockStore(RedisLockStore):
    """RedisLockStore with atomic lock changes and waiters that are never stranded."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        settings = {
            key: value
            for key, value in endpoint_config.kwargs.items()
            if key
            in (
                "port",
                "db",
                "username",
                "password",
                "use_ssl",
                "ssl_certfile",
                "ssl_keyfile",
                "ssl_ca_certs",
                "key_prefix",
                "socket_timeout",
            )
        }
        super().__init__(host=endpoint_config.url or "localhost", **settings)
        try:
            self._wait_for_redis(endpoint_config.url or "localhost", settings)
        except Exception as error:  # noqa: BLE001 - whatever it is, the server must not start
            raise LockStoreUnavailable(
                "Låsene (Redis) kan ikke nås, så Rasa-serveren starter ikke: to instanser kunne ellers "
                f"svare i samme samtale på én gang. {error}. Start Redis (scripts/services.sh start) eller "
                "ret REDIS_HOST/REDIS_PORT/REDIS_PASSWORD."
            ) from None

    @staticmethod
    def _wait_for_redis(host: str, settings: dict) -> None:
        from bot.server.services import DEFAULT_STARTUP_TIMEOUT, RedisAddress, wait_for_redis

        timeout = float(os.environ.get("SERVICES_STARTUP_TIMEOUT") or DEFAULT_STARTUP_TIMEOUT)
        wait_for_redis(
            RedisAddress(host, int(settings.get("port", 6379)), settings.get("password"), int(settings.get("db", 1))),
            timeout,
        )

    # --- one atomic read-modify-write of a lock -------------------------------------------
    def _change(
        self, conversation_id: Text, change: Callable[[Optional[TicketLock]], tuple[Optional[TicketLock], T]]
    ) -> T:
        """Apply `change` to the stored lock in one Redis transaction; a None lock deletes the key."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    new_lock, result = change(lock)
                    pipe.multi()
                    if new_lock is None or not new_lock.tickets:
                        pipe.delete(key)
                    else:
                        last_expiry = max(ticket.expires for ticket in new_lock.tickets)
                        seconds = max(1, math.ceil(last_expiry - time.time())) + KEY_GRACE_SECONDS
                        pipe.set(key, new_lock.dumps(), ex=seconds)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another process changed this lock meanwhile: read it again

    # --- Rasa's LockStore interface, each change atomic ----------------------------------
    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except redis.RedisError as error:  # as Rasa's own: the message fails, the server stays up
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def remove(lock: Optional[TicketLock]) -> tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, remove)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # finish_serving then delete when nobody waits: one transaction (an empty lock is deleted).
        self.finish_serving(conversation_id, ticket_number)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: Text,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = DEFAULT_WAIT_SECONDS,
    ) -> AsyncGenerator[TicketLock, None]:
        """Wait for this conversation's turn, hold it, and always give it back."""
        ticket = [self.issue_ticket(conversation_id, lock_lifetime)]  # the latest ticket we hold
        try:
            yield await self._wait_for_turn(conversation_id, ticket, lock_lifetime, wait_time_in_seconds)
        finally:
            self.cleanup(conversation_id, ticket[0])

    async def _wait_for_turn(
        self, conversation_id: Text, ticket: list[int], lock_lifetime: float, wait_time_in_seconds: float
    ) -> TicketLock:
        def check(lock: Optional[TicketLock]) -> tuple[TicketLock, Optional[TicketLock]]:
            lock = lock or self.create_lock(conversation_id)
            lock.remove_expired_tickets()
            if all(t.number != ticket[0] for t in lock.tickets):
                # Our ticket expired while we waited: queue again rather than wait for ever.
                ticket[0] = lock.issue_ticket(lock_lifetime)
            return lock, (lock if lock.now_serving == ticket[0] else None)

        while True:
            served = self._change(conversation_id, check)
            if served is not None:
                return served
            await asyncio.sleep(wait_time_in_seconds)
