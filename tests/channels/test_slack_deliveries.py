"""Where the Slack channel remembers handled deliveries (bot.channels.slack_deliveries): the tracker
store's SQL database survives a restart; memory and Redis are chosen as before."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from bot.channels.slack_deliveries import DELIVERY_MEMORY_SECONDS, Deliveries, RecentDeliveries, StoredDeliveries


def _engine(path: Path) -> sa.engine.Engine:
    return sa.create_engine(f"sqlite:///{path / 'tracker.db'}")


def test_a_delivery_stored_in_the_tracker_database_is_known_after_a_restart(tmp_path: Path):
    assert StoredDeliveries(_engine(tmp_path)).seen_first_at("Ev1", now=1000.0)
    restarted = StoredDeliveries(_engine(tmp_path))  # a new process: a new engine, the same file
    assert restarted.seen_first_at("Ev1", now=1060.0) is False
    assert restarted.seen_first_at("Ev2", now=1060.0) is True


def test_the_table_is_created_on_first_use_and_old_ids_are_deleted(tmp_path: Path):
    engine = _engine(tmp_path)
    stored = StoredDeliveries(engine)
    assert not sa.inspect(engine).has_table("slack_deliveries")
    stored.seen_first_at("Ev1", now=0.0)
    assert sa.inspect(engine).has_table("slack_deliveries")
    stored.seen_first_at("Ev2", now=DELIVERY_MEMORY_SECONDS + 1.0)
    with engine.connect() as connection:
        ids = [row[0] for row in connection.execute(sa.text("SELECT delivery_id FROM slack_deliveries"))]
    assert ids == ["Ev2"]


async def test_the_tracker_stores_database_is_chosen_when_there_is_no_redis(tmp_path: Path):
    from bot.server.tracker_store import PrivacySQLTrackerStore

    store = PrivacySQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    deliveries = Deliveries()
    deliveries.choose(None, store)
    assert isinstance(deliveries._lasting, StoredDeliveries)
    assert await deliveries.first_time("Ev1") and not await deliveries.first_time("Ev1")
    assert not await StoredDeliveries(store.engine).first_time("Ev1")


async def test_without_a_sql_store_this_process_remembers():
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain

    deliveries = Deliveries()
    deliveries.choose(None, InMemoryTrackerStore(Domain.empty()))
    assert deliveries._lasting is None
    assert await deliveries.first_time("Ev1") and not await deliveries.first_time("Ev1")


async def test_an_unusable_database_falls_back_to_memory(tmp_path: Path):
    deliveries = Deliveries()
    deliveries._chosen, deliveries._lasting = (
        True,
        StoredDeliveries(sa.create_engine(f"sqlite:///{tmp_path / 'missing' / 'tracker.db'}")),
    )
    assert await deliveries.first_time("Ev1") and not await deliveries.first_time("Ev1")
    assert isinstance(deliveries.local, RecentDeliveries)
