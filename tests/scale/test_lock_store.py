"""The production lock store on real Redis, next to Rasa's own RedisLockStore where that one fails."""

from __future__ import annotations

import asyncio
import os
import threading
import time

import pytest
import redis

from bot.server.lock_store import LockStoreUnavailable, ProductionLockStore

pytestmark = pytest.mark.slow


def _config(services: dict[str, str], **overrides):
    from rasa.utils.endpoints import EndpointConfig

    settings = {"port": services["REDIS_PORT"], "password": services["REDIS_PASSWORD"], "db": 1, **overrides}
    return EndpointConfig(url=services["REDIS_HOST"], type="bot.server.lock_store.ProductionLockStore", **settings)


@pytest.fixture
def conversation_id() -> str:
    return "lock-test-" + os.urandom(4).hex()


@pytest.fixture
def production_store(services) -> ProductionLockStore:
    from rasa.core.lock_store import LockStore

    store = LockStore.create(_config(services))  # Rasa's own factory, as the server uses it
    assert isinstance(store, ProductionLockStore)
    return store


@pytest.fixture
def rasa_store(services):
    from rasa.core.lock_store import RedisLockStore

    return RedisLockStore(
        host=services["REDIS_HOST"], port=int(services["REDIS_PORT"]), password=services["REDIS_PASSWORD"], db=1
    )


async def _wait_behind_a_dead_holder(store, conversation_id: str) -> None:
    """A crashed instance's ticket (never given back) ahead of ours; both outlive their 1 s lifetime
    while we wait 2 s between looks, as a message waits behind a crash or a slow message."""
    store.issue_ticket(conversation_id, lock_lifetime=1)
    async with store.lock(conversation_id, lock_lifetime=1, wait_time_in_seconds=2):
        pass


def test_rasa_redis_lock_store_strands_a_waiter_whose_ticket_expired(rasa_store, conversation_id):
    """Why we have a lock store of our own: with Rasa's, this message would never be answered."""
    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(asyncio.wait_for(_wait_behind_a_dead_holder(rasa_store, conversation_id), timeout=8))


def test_waiter_whose_ticket_expired_is_served_and_leaves_no_lock(production_store, conversation_id):
    started = time.monotonic()
    asyncio.run(asyncio.wait_for(_wait_behind_a_dead_holder(production_store, conversation_id), timeout=8))
    assert time.monotonic() - started < 5
    assert production_store.get_lock(conversation_id) is None


def test_tickets_issued_at_once_by_two_instances_are_all_kept(services, conversation_id):
    from rasa.core.lock_store import LockStore

    instances = [LockStore.create(_config(services)) for _ in range(2)]
    issued: list[int] = []

    def issue(store) -> None:
        for _ in range(25):
            issued.append(store.issue_ticket(conversation_id, lock_lifetime=60))

    threads = [threading.Thread(target=issue, args=(store,)) for store in instances for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lock = instances[0].get_lock(conversation_id)
    assert sorted(issued) == list(range(100))  # no number twice
    assert sorted(t.number for t in lock.tickets) == list(range(100))  # none lost


def test_one_message_of_a_conversation_at_a_time_across_instances(services, conversation_id):
    from rasa.core.lock_store import LockStore

    instances = [LockStore.create(_config(services)) for _ in range(2)]
    inside, most_inside, served = 0, 0, []

    async def message(number: int) -> None:
        nonlocal inside, most_inside
        async with instances[number % 2].lock(conversation_id, lock_lifetime=30):
            inside += 1
            most_inside = max(most_inside, inside)
            await asyncio.sleep(0.02)
            served.append(number)
            inside -= 1

    async def run() -> None:
        await asyncio.wait_for(asyncio.gather(*(message(n) for n in range(12))), timeout=60)

    asyncio.run(run())
    assert most_inside == 1 and sorted(served) == list(range(12))
    assert instances[0].get_lock(conversation_id) is None


def test_a_lock_key_does_not_outlive_its_last_ticket_for_long(production_store, conversation_id):
    production_store.issue_ticket(conversation_id, lock_lifetime=5)
    ttl = production_store.red.ttl(production_store.key_prefix + conversation_id)
    assert 5 < ttl <= 5 + 60 + 1


def test_lock_store_without_redis_refuses_to_start(services, monkeypatch):
    from rasa.core.lock_store import LockStore

    from bot.server.stack import free_port

    monkeypatch.setenv("SERVICES_STARTUP_TIMEOUT", "2")
    started = time.monotonic()
    with pytest.raises(LockStoreUnavailable, match="Rasa-serveren starter ikke"):
        LockStore.create(_config(services, port=str(free_port())))
    assert time.monotonic() - started < 15


def test_lock_store_with_a_wrong_password_refuses_to_start(services, monkeypatch):
    from rasa.core.lock_store import LockStore

    monkeypatch.setenv("SERVICES_STARTUP_TIMEOUT", "1")
    with pytest.raises(LockStoreUnavailable) as error:
        LockStore.create(_config(services, password="not-the-password"))
    assert "not-the-password" not in str(error.value)
    assert isinstance(redis.AuthenticationError("x"), redis.RedisError)  # what Redis answered
