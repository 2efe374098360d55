"""The delivery outbox on real PostgreSQL (the production profile's applications database).

Same guarantees as on SQLite (tests/records/test_delivery.py), where the database's locking
differs most: concurrent claims (FOR UPDATE SKIP LOCKED plus the compare-and-set WHERE),
two worker processes at once, and the columns added to a table an older version created.
Each test works in a database of its own on the PostgreSQL that scripts/services.sh runs.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Iterator

import pytest
import sqlalchemy as sa

from bot.domain.record import DeliveryPlan, build_record
from bot.domain.routing import route
from bot.records.store import WEBHOOK, ApplicationStore
from tests.conftest import COMPLETE, file_records, start_worker, statuses, stop_worker, wait_until
from tests.fakes.intake import intake_settings

pytestmark = pytest.mark.slow


@pytest.fixture
def pg_url(services: dict[str, str]) -> Iterator[str]:
    admin_url = sa.engine.URL.create(
        "postgresql",
        username=services["DB_USER"],
        password=services["DB_PASSWORD"],
        host=services["DB_HOST"],
        port=int(services["DB_PORT"]),
        database=services["DB_DATABASE"],
    )
    name = "delivery_" + uuid.uuid4().hex[:10]
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield admin_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_concurrent_claims_on_postgres_never_hand_one_record_to_two_claimers(pg_url):
    store = ApplicationStore(pg_url)
    refs = file_records(store, 60)
    claimed: list[str] = []
    lock = threading.Lock()

    def claimer() -> None:
        other = ApplicationStore(pg_url)
        for _ in range(len(refs)):
            claims = other.claim_due(WEBHOOK, time.time(), 60, 4)
            if not claims:
                break
            with lock:
                claimed.extend(c.reference for c in claims)
        other.engine.dispose()

    threads = [threading.Thread(target=claimer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(refs)
    store.engine.dispose()


def test_two_workers_on_postgres_never_deliver_one_record_twice(pg_url, fake_intake, tmp_path):
    store = ApplicationStore(pg_url)
    store.engine  # tables exist before both workers start
    fake_intake.up(delay=0.15)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    workers = [start_worker(pg_url, intake_settings(fake_intake), log) for log in logs]
    try:
        wait_until(
            lambda: all(log.exists() and "delivery worker started" in log.read_text() for log in logs),
            timeout=60,
            what="both workers started",
        )
        refs = file_records(store, 60)
        fake_intake.wait_for(lambda i: len(i.stored) == len(refs), timeout=90)
        wait_until(lambda: set(statuses(store).values()) == {"delivered"}, what="all delivered")
        time.sleep(1.0)
    finally:
        for worker in workers:
            stop_worker(worker)
        store.engine.dispose()
    assert [len(fake_intake.tried(ref)) for ref in refs] == [1] * len(refs)
    assert all(a.signature_ok for a in fake_intake.arrivals)


def test_a_table_from_an_older_version_is_migrated_on_postgres_and_a_conversation_can_file_twice(pg_url):
    engine = sa.create_engine(pg_url, poolclass=sa.pool.NullPool)
    old = build_record(COMPLETE, route(COMPLETE), "old-conv", "rest")
    old["reference"] = "SPARK-2026-000001"
    with engine.begin() as conn:
        conn.execute(
            sa.text("""
            CREATE TABLE applications (id SERIAL PRIMARY KEY, reference VARCHAR(40) NOT NULL UNIQUE,
              conversation_id VARCHAR(255) NOT NULL UNIQUE, created_at VARCHAR(40) NOT NULL,
              status VARCHAR(40) NOT NULL, record TEXT NOT NULL, delivery_attempts INTEGER NOT NULL,
              next_attempt_at FLOAT, last_error TEXT)""")
        )
        conn.execute(
            sa.text(
                "INSERT INTO applications (reference, conversation_id, created_at, status, record, "
                "delivery_attempts) VALUES (:r, 'old-conv', :c, 'submitted', :j, 0)"
            ),
            {"r": old["reference"], "c": old["created_at"], "j": json.dumps(old)},
        )
        conn.execute(
            sa.text("CREATE TABLE reference_counters (series VARCHAR(40) PRIMARY KEY, value INTEGER NOT NULL)")
        )
        conn.execute(sa.text("INSERT INTO reference_counters VALUES (:s, 1)"), {"s": f"SPARK-{old['created_at'][:4]}"})
    engine.dispose()
    store = ApplicationStore(pg_url)
    # The old record keeps its key and is not sent now (filed before delivery plans) ...
    assert store.claim_due(WEBHOOK, time.time(), 60, 10) == []
    again, created = store.file(build_record(COMPLETE, route(COMPLETE), "old-conv", "rest"))
    assert not created and again["reference"] == "SPARK-2026-000001"
    # ... and the UNIQUE constraint on the conversation is gone: a second application is filed.
    second, created = store.file(
        build_record(COMPLETE, route(COMPLETE), "old-conv", "rest", application_id="b2"),
        DeliveryPlan("spark", by_webhook=True),
    )
    assert created
    [claim] = store.claim_due(WEBHOOK, time.time(), 60, 10)
    assert claim.reference == second["reference"] and store.mark_done(WEBHOOK, claim)
    assert statuses(store) == {"SPARK-2026-000001": "submitted", second["reference"]: "delivered"}
    store.engine.dispose()
