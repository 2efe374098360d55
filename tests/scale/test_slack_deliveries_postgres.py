"""Slack's handled deliveries in the tracker store's PostgreSQL database (bot.channels.slack_deliveries):
the same table and rules as on SQLite, and of several processes racing for one delivery exactly one wins."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from bot.channels.slack_deliveries import StoredDeliveries


def test_a_delivery_stored_in_postgresql_is_known_to_a_restarted_process(tracker_engine):
    delivery = "Ev" + uuid.uuid4().hex
    assert StoredDeliveries(tracker_engine).seen_first_at(delivery, now=time.time())
    restarted = StoredDeliveries(sa.create_engine(tracker_engine.url, poolclass=sa.pool.NullPool))
    assert restarted.seen_first_at(delivery, now=time.time()) is False


def test_of_processes_racing_for_one_delivery_exactly_one_handles_it(tracker_engine):
    delivery = "Ev" + uuid.uuid4().hex
    stores = [StoredDeliveries(sa.create_engine(tracker_engine.url, poolclass=sa.pool.NullPool)) for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        firsts = list(pool.map(lambda store: store.seen_first_at(delivery, now=time.time()), stores))
    assert firsts.count(True) == 1
