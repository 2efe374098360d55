"""Privacy without a running server: the forgetting tracker store, purge (SQLite and PostgreSQL),
the notice, the action server launcher and the HTTP API switch."""

from __future__ import annotations

import asyncio
import json
import marshal
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from bot.channels.privacy_page import notice_markdown
from bot.domain import messages
from bot.records import conversations as privacy
from tests.conftest import ROOT

PERSONAL = "Xanthippe Quorndahl"


def _store(url_or_path: str):
    from rasa.shared.core.domain import Domain

    from bot.server.tracker_store import PrivacySQLTrackerStore

    domain = Domain.from_path(ROOT / "domain.yml")
    if "://" in url_or_path:
        return PrivacySQLTrackerStore(domain=domain, host=url_or_path)
    return PrivacySQLTrackerStore(domain=domain, dialect="sqlite", db=url_or_path)


def _tracker(sender: str, *texts: str, at: float | None = None):
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    stamp = time.time() if at is None else at
    events = [
        ActionExecuted("action_session_start", timestamp=stamp),
        SessionStarted(timestamp=stamp),
        ActionExecuted("action_listen", timestamp=stamp),
    ]
    for text in texts:
        events += [
            UserUttered(text, {"name": "inform"}, timestamp=stamp),
            SlotSet("leader_name", text, timestamp=stamp),
            ActionExecuted("action_listen", timestamp=stamp),
        ]
    return DialogueStateTracker.from_events(sender, events)


def _rows(engine: sa.engine.Engine, sender: str) -> list[str]:
    with engine.connect() as conn:
        return [
            row.data for row in conn.execute(sa.text("SELECT data FROM events WHERE sender_id = :s"), {"s": sender})
        ]


# -- the tracker store --------------------------------------------------------------------


def test_forget_action_deletes_the_conversation_instead_of_saving_it(tmp_path: Path):
    from rasa.shared.core.events import ActionExecuted, UserUttered

    store = _store(str(tmp_path / "tracker.db"))
    tracker = _tracker("forget-me", PERSONAL)
    asyncio.run(store.save(_tracker("someone-else", "Anden Person")))
    asyncio.run(store.save(tracker))
    assert any(PERSONAL in data for data in _rows(store.engine, "forget-me"))

    tracker.update(UserUttered("glem mig", {"name": "forget_me"}))
    tracker.update(ActionExecuted(privacy.FORGET_ACTION))
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))

    assert _rows(store.engine, "forget-me") == []
    assert asyncio.run(store.retrieve_full_tracker("forget-me")) is None
    assert _rows(store.engine, "someone-else"), "only the forgotten conversation is deleted"


def test_a_forgotten_sender_starts_a_new_conversation_that_is_saved_normally(tmp_path: Path):
    from rasa.shared.core.events import ActionExecuted

    store = _store(str(tmp_path / "tracker.db"))
    tracker = _tracker("again", PERSONAL)
    tracker.update(ActionExecuted(privacy.FORGET_ACTION))
    asyncio.run(store.save(tracker))
    assert _rows(store.engine, "again") == []

    asyncio.run(store.save(_tracker("again", "ny samtale")))
    stored = asyncio.run(store.retrieve_full_tracker("again"))
    assert stored is not None and stored.get_slot("leader_name") == "ny samtale"
    assert not any(PERSONAL in data for data in _rows(store.engine, "again"))


def test_plain_saves_append_like_rasas_store(tmp_path: Path):
    store = _store(str(tmp_path / "tracker.db"))
    tracker = _tracker("plain", "første")
    asyncio.run(store.save(tracker))
    first = len(_rows(store.engine, "plain"))
    from rasa.shared.core.events import UserUttered

    tracker.update(UserUttered("anden", {"name": "inform"}))
    asyncio.run(store.save(tracker))
    assert len(_rows(store.engine, "plain")) == first + 1


# -- the tracker cache: never a deleted or stale conversation -------------------------------


def _rasas_view(url: str, sender: str, full: bool = False) -> list[dict] | None:
    """What Rasa's own SQLTrackerStore reads for the sender, from its own connection."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    domain = Domain.from_path(ROOT / "domain.yml")
    store = (
        SQLTrackerStore(domain=domain, host=url)
        if "://" in url
        else SQLTrackerStore(domain=domain, dialect="sqlite", db=url)
    )
    try:
        tracker = asyncio.run(store.retrieve_full_tracker(sender) if full else store.retrieve(sender))
        return None if tracker is None else [e.as_dict() for e in tracker.events]
    finally:
        store.engine.dispose()


def _events(tracker) -> list[dict] | None:
    return None if tracker is None else [e.as_dict() for e in tracker.events]


def _turn(tracker, text: str) -> None:
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

    for event in (
        UserUttered(text, {"name": "inform", "confidence": 0.9}),
        SlotSet("leader_name", text),
        BotUttered(f"Tak, {text}"),
        ActionExecuted("action_listen"),
    ):
        tracker.update(event)


def _two_instances_never_serve_stale_or_deleted(url: str, sender: str, delete_elsewhere) -> None:
    """Two stores on one database (two Rasa instances), each with its cache, and a third party deleting."""
    first, second = _store(url), _store(url)
    asyncio.run(first.save(_tracker(sender, "første")))
    mine = asyncio.run(first.retrieve(sender))
    assert first.cache.get(sender) is not None
    assert _events(mine) == _rasas_view(url, sender)

    # The other instance answers the next message.
    theirs = asyncio.run(second.retrieve(sender))
    _turn(theirs, "anden besked")
    asyncio.run(second.save(theirs))
    again = asyncio.run(first.retrieve(sender))
    assert _events(again) == _rasas_view(url, sender) == _events(theirs), "the other instance's turn is read"

    # ... and this one the next: appended once, nothing lost, nothing doubled.
    _turn(again, "tredje besked")
    asyncio.run(first.save(again))
    assert _events(asyncio.run(second.retrieve(sender))) == _rasas_view(url, sender) == _events(again)

    # The retention purge or "glem mig" elsewhere: neither cache serves the conversation again.
    delete_elsewhere(sender)
    assert _rasas_view(url, sender) is None
    assert asyncio.run(first.retrieve(sender)) is None and asyncio.run(second.retrieve(sender)) is None

    # A new conversation of the same length under the same sender: its own events, not the old ones.
    asyncio.run(second.save(_tracker(sender, "ny samtale", "anden besked", "tredje besked")))
    fresh = asyncio.run(first.retrieve(sender))
    assert _events(fresh) == _rasas_view(url, sender)
    assert fresh.get_slot("leader_name") == "tredje besked" and "første" not in json.dumps(_events(fresh))
    for store in (first, second):
        store.engine.dispose()


def _delete_with_own_engine(url: str):
    def delete(sender: str) -> None:
        engine = privacy.make_engine(url if "://" in url else f"sqlite:///{url}")
        with engine.begin() as conn:
            assert privacy.delete_conversation(conn, sender) > 0
        engine.dispose()

    return delete


def test_cached_store_never_serves_a_stale_or_deleted_conversation_on_sqlite(tmp_path: Path):
    db = str(tmp_path / "tracker.db")
    _two_instances_never_serve_stale_or_deleted(db, "cached", _delete_with_own_engine(db))


def test_cache_never_serves_a_conversation_the_purge_command_deleted(tmp_path: Path):
    db = tmp_path / "tracker.db"
    store = _store(str(db))
    old = time.time() - 40 * privacy.SECONDS_PER_DAY
    asyncio.run(store.save(_tracker("purged", PERSONAL, at=old)))
    assert asyncio.run(store.retrieve("purged")).get_slot("leader_name") == PERSONAL  # now cached
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        yaml.safe_dump(
            {
                "tracker_store": {
                    "type": "bot.server.tracker_store.PrivacySQLTrackerStore",
                    "dialect": "sqlite",
                    "db": str(db),
                }
            }
        )
    )

    done = subprocess.run(
        [sys.executable, "-m", "bot", "purge", "--older-than", "30", "--endpoints", str(endpoints)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )

    assert done.returncode == 0 and "Slettede 1 samtaler" in done.stdout, done.stderr
    assert asyncio.run(store.retrieve("purged")) is None
    assert store.cache.get("purged") is None or not store.cache.get("purged").rows


def test_cache_forgets_a_conversation_deleted_by_glem_mig(tmp_path: Path):
    from rasa.shared.core.events import ActionExecuted, UserUttered

    store = _store(str(tmp_path / "tracker.db"))
    tracker = _tracker("forgotten", PERSONAL)
    asyncio.run(store.save(tracker))
    tracker = asyncio.run(store.retrieve("forgotten"))
    tracker.update(UserUttered("glem mig", {"name": "forget_me"}))
    tracker.update(ActionExecuted(privacy.FORGET_ACTION))
    asyncio.run(store.save(tracker))
    assert store.cache.get("forgotten") is None
    assert asyncio.run(store.retrieve("forgotten")) is None


def test_cache_follows_rasas_latest_session_when_a_new_session_starts(tmp_path: Path):
    from rasa.shared.core.events import ActionExecuted, SessionStarted

    db = str(tmp_path / "tracker.db")
    store = _store(db)
    earlier = time.time() - 3600
    asyncio.run(store.save(_tracker("sessions", "gammel session", at=earlier)))
    tracker = asyncio.run(store.retrieve("sessions"))
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        tracker.update(event)
    _turn(tracker, "ny session")
    asyncio.run(store.save(tracker))

    cached = asyncio.run(store.retrieve("sessions"))
    assert _events(cached) == _rasas_view(db, "sessions")
    assert "gammel session" not in json.dumps(_events(cached)), "only the latest session, as Rasa reads it"
    _turn(cached, "mere")
    asyncio.run(store.save(cached))
    assert _rasas_view(db, "sessions", full=True) == _events(asyncio.run(store.retrieve_full_tracker("sessions")))
    assert _events(asyncio.run(store.retrieve("sessions"))) == _rasas_view(db, "sessions")


def test_changing_a_retrieved_tracker_without_saving_never_changes_what_the_cache_serves(tmp_path: Path):
    db = str(tmp_path / "tracker.db")
    store = _store(db)
    asyncio.run(store.save(_tracker("unsaved", "første")))
    for _ in range(2):  # read from the rows, then a copy of the tracker the cache keeps
        tracker = asyncio.run(store.retrieve("unsaved"))
        # A turn that fails before it is saved: new events, slots and form changed on the tracker.
        _turn(tracker, "aldrig gemt")
        tracker.slots["leader_name"].value = "ændret"
        tracker.change_loop_to("application_form")

        read = asyncio.run(store.retrieve("unsaved"))
        assert _events(read) == _rasas_view(db, "unsaved")
        assert read.get_slot("leader_name") == "første" and read.active_loop_name is None
        assert "aldrig gemt" not in json.dumps(_rasas_view(db, "unsaved"))


@pytest.mark.parametrize("trackers_kept", ["64", "0"])
def test_an_event_edited_in_place_is_read_back_edited_only_while_the_cache_keeps_trackers(
    tmp_path: Path, monkeypatch, trackers_kept
):
    """Reads share the event objects of the tracker the cache keeps, as Rasa's copies of one turn's
    tracker share them: code that edited an event in place (Rasa's does not) would read it back
    edited. With TRACKER_CACHE_TRACKERS=0 every read builds new events from the rows."""
    from rasa.shared.core.events import UserUttered

    monkeypatch.setenv("TRACKER_CACHE_TRACKERS", trackers_kept)
    db = str(tmp_path / "tracker.db")
    store = _store(db)
    asyncio.run(store.save(_tracker("edited", "første")))
    for _ in range(2):
        tracker = asyncio.run(store.retrieve("edited"))
    stored_message = next(e for e in tracker.events if isinstance(e, UserUttered))
    stored_message.intent["name"] = "changed"

    read_back = next(e for e in asyncio.run(store.retrieve("edited")).events if isinstance(e, UserUttered))
    assert read_back.intent["name"] == ("changed" if trackers_kept != "0" else "inform")


def test_cache_reads_rows_rasa_skips_or_builds_from_json_as_rasa_does(tmp_path: Path):
    """A row without an event (Rasa skips it) and one whose event the cache keeps as JSON."""
    from bot.server.tracker_store import StoredRow

    db = str(tmp_path / "tracker.db")
    store = _store(db)
    asyncio.run(store.save(_tracker("odd", "første")))
    assert asyncio.run(store.retrieve("odd")) is not None  # cached
    with store.engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('odd', 'x', :t, :d)"),
            {"t": time.time(), "d": json.dumps({"no": "event"})},
        )
    assert _events(asyncio.run(store.retrieve("odd"))) == _rasas_view(db, "odd")
    assert _events(asyncio.run(store.retrieve("odd"))) == _rasas_view(db, "odd")  # from the cache
    assert StoredRow.from_json(1, "x", None, '{"no": "event"}').event() is None
    slot = '{"event": "slot", "name": "leader_name", "value": "Åse", "timestamp": 1.5}'
    kept_as_json = StoredRow(1, "slot", 1.5, marshal.dumps(json.loads(slot)))
    assert kept_as_json.event() == StoredRow.from_json(1, "slot", 1.5, slot).event()
    assert StoredRow.from_json(1, "slot", 1.5, slot).event_class is not None


def _statements(engine: sa.engine.Engine) -> list[str]:
    """Every statement SQLite runs from now on, through SQLAlchemy or on the driver's cursor."""
    seen: list[str] = []
    engine.dispose()  # new connections, each traced from its start
    sa.event.listen(
        engine,
        "connect",
        lambda connection, record: connection.set_trace_callback(lambda sql: seen.append(" ".join(sql.split()))),
    )
    return seen


def test_a_cached_turn_reads_no_event_rows_and_counts_nothing(tmp_path: Path):
    store = _store(str(tmp_path / "tracker.db"))
    tracker = _tracker("quick", "første", "anden")
    asyncio.run(store.save(tracker))
    asyncio.run(store.retrieve("quick"))  # the previous turn read it
    statements = _statements(store.engine)

    tracker = asyncio.run(store.retrieve("quick"))
    _turn(tracker, "tredje")
    asyncio.run(store.save(tracker))

    selects = [s for s in statements if s.startswith("SELECT")]
    inserts = [s for s in statements if s.startswith("INSERT")]
    # One fingerprint query to read, one to save; no read of the rows, no count of them.
    fingerprint = "SELECT count(events.id) AS count_1, max(events.id)"
    assert len(selects) == 2 and all(s.startswith(fingerprint) for s in selects)
    assert len(inserts) == 4
    assert _events(asyncio.run(store.retrieve("quick"))) == _rasas_view(str(tmp_path / "tracker.db"), "quick")


def test_sqlite_cursor_statements_give_what_sqlalchemy_gives(tmp_path: Path):
    """The fingerprint read and the rows inserted on the driver's cursor (SQLite) are SQLAlchemy's."""
    store = _store(str(tmp_path / "tracker.db"))
    asyncio.run(store.save(_tracker("kendt", "første", "anden")))
    table = store.SQLEvent.__table__
    with store.engine.begin() as connection:
        for sender in ("kendt", "ukendt"):
            expected = connection.execute(store._fingerprint_query, {"sender_id": sender}).one()
            assert store._sqlite_fingerprint(connection, sender) == tuple(expected)
        values = store._event_values("ny", _tracker("ny", "hej").events[-1])
        by_cursor = store._sqlite_insert(connection, values)
        by_sqlalchemy = connection.execute(table.insert(), values).inserted_primary_key[0]
        rows = connection.execute(sa.select(table).where(table.c.id.in_([by_cursor, by_sqlalchemy]))).all()
    assert by_sqlalchemy == by_cursor + 1
    assert [tuple(row)[1:] for row in rows] == [tuple(rows[1])[1:]] * 2


def test_an_entry_after_a_save_is_the_entry_of_all_its_rows():
    """Appending a turn keeps the rows and size one would get from every row, in and across sessions."""
    from bot.server.tracker_store import CachedConversation, StoredRow, _in_latest_session

    def row(id, type_name, timestamp):
        return StoredRow.from_json(
            id,
            type_name,
            timestamp,
            json.dumps({"event": "slot", "name": "leader_name", "value": "x" * id, "timestamp": timestamp}),
        )

    first = [row(1, "session_started", 10.0), row(2, "slot", 11.0), row(3, "slot", None)]
    for later in (
        [row(4, "slot", 12.0), row(5, "slot", None), row(6, "slot", 9.0)],  # the same session
        [row(4, "session_started", 20.0), row(5, "slot", 21.0)],  # a new one
        [row(4, "session_started", 5.0), row(5, "slot", 6.0)],  # an earlier start: the latest stays
    ):
        appended = CachedConversation((3, 3, 11.0), 10.0, tuple(r for r in first if _in_latest_session(r, 10.0)))
        appended = appended.with_new_rows(later)
        every = first + later
        start = max(r.timestamp for r in every if r.type_name == "session_started")
        whole = CachedConversation(appended.fingerprint, start, tuple(r for r in every if _in_latest_session(r, start)))
        assert (appended, appended.size) == (whole, whole.size)


def test_cache_stays_within_its_bound_and_drops_the_least_recently_used(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("TRACKER_CACHE_MB", "0.01")  # 10 000 bytes
    store = _store(str(tmp_path / "tracker.db"))
    for number in range(12):
        asyncio.run(store.save(_tracker(f"bounded-{number}", "x" * 300)))
        asyncio.run(store.retrieve(f"bounded-{number}"))
        assert store.cache.bytes <= 10_000
    assert store.cache.get("bounded-0") is None and store.cache.get("bounded-11") is not None
    assert 1 < len(store.cache) < 12
    # Evicted conversations are still read in full, from the database.
    assert asyncio.run(store.retrieve("bounded-0")).get_slot("leader_name") == "x" * 300


def test_cache_can_be_turned_off(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("TRACKER_CACHE_MB", "0")
    store = _store(str(tmp_path / "tracker.db"))
    asyncio.run(store.save(_tracker("uncached", "første")))
    assert asyncio.run(store.retrieve("uncached")).get_slot("leader_name") == "første"
    assert len(store.cache) == 0


# -- purge --------------------------------------------------------------------------------


def _seed_for_purge(store, prefix: str, now: float) -> None:
    day = privacy.SECONDS_PER_DAY
    asyncio.run(store.save(_tracker(f"{prefix}-old", PERSONAL, at=now - 40 * day)))
    asyncio.run(store.save(_tracker(f"{prefix}-recent", "Ny Person", at=now - 2 * day)))
    # Began long ago, but the last message is recent: kept.
    from rasa.shared.core.events import UserUttered

    revived = _tracker(f"{prefix}-revived", "Gammel Besked", at=now - 90 * day)
    revived.update(UserUttered("ny besked", {"name": "inform"}, timestamp=now - 1 * day))
    asyncio.run(store.save(revived))


def test_purge_removes_only_conversations_whose_last_event_is_older(tmp_path: Path):
    store = _store(str(tmp_path / "tracker.db"))
    now = time.time()
    _seed_for_purge(store, "p", now)

    result = privacy.purge(store.engine, 30, now=now)

    assert result.conversations == 1 and result.events > 0
    assert _rows(store.engine, "p-old") == []
    assert _rows(store.engine, "p-recent") and _rows(store.engine, "p-revived")


def test_purge_on_a_store_that_was_never_used_removes_nothing(tmp_path: Path):
    engine = privacy.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert privacy.purge(engine, 1) == privacy.PurgeResult(0, 0)


def test_purge_command_reads_the_tracker_store_from_the_endpoints_file(tmp_path: Path):
    db = tmp_path / "tracker.db"
    store = _store(str(db))
    now = time.time()
    _seed_for_purge(store, "cli", now)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        yaml.safe_dump(
            {
                "tracker_store": {
                    "type": "bot.server.tracker_store.PrivacySQLTrackerStore",
                    "dialect": "sqlite",
                    "db": str(db),
                }
            }
        )
    )

    done = subprocess.run(
        [sys.executable, "-m", "bot", "purge", "--older-than", "30", "--endpoints", str(endpoints)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )

    assert done.returncode == 0, done.stderr
    assert "Slettede 1 samtaler" in done.stdout
    assert _rows(store.engine, "cli-old") == [] and _rows(store.engine, "cli-recent")


def test_tracker_store_url_expands_environment_variables_like_rasa(tmp_path: Path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: ${DB_HOST}\n"
        "  port: ${DB_PORT}\n  db: ${DB_DATABASE}\n  username: ${DB_USER}\n"
        "  password: ${DB_PASSWORD}\n"
    )
    env = {"DB_HOST": "127.0.0.1", "DB_PORT": "5433", "DB_DATABASE": "rasa", "DB_USER": "u", "DB_PASSWORD": "p@ss"}
    url = sa.engine.make_url(privacy.tracker_store_url(endpoints, env))
    assert (url.drivername, url.host, url.port, url.database, url.username, url.password) == (
        "postgresql",
        "127.0.0.1",
        5433,
        "rasa",
        "u",
        "p@ss",
    )
    with pytest.raises(KeyError):
        privacy.tracker_store_url(endpoints, {})


def test_relative_sqlite_path_is_relative_to_the_project_like_the_rasa_server(tmp_path: Path):
    url = privacy.tracker_store_url(ROOT / "endpoints.yml")
    assert url == f"sqlite:///{ROOT / 'var' / 'tracker.db'}"


def _postgres_env() -> dict[str, str]:
    script = ROOT / "scripts" / "services.sh"
    if not script.exists():
        pytest.skip("scripts/services.sh (PostgreSQL for the scale-out profile) is not in this tree")
    done = subprocess.run(["bash", str(script), "start"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(re.findall(r"^export (\w+)=(.*)$", done.stdout, flags=re.M))


@pytest.mark.slow
@pytest.mark.services
def test_purge_and_forget_work_on_postgresql():
    env = _postgres_env()
    url = f"postgresql://{env['DB_USER']}:{env['DB_PASSWORD']}@{env['DB_HOST']}:{env['DB_PORT']}/{env['DB_DATABASE']}"
    store = _store(url)
    prefix = f"pg-{uuid.uuid4().hex[:8]}"
    now = time.time()
    # Far older than any real conversation in the shared database, so only ours are purged.
    _seed_for_purge(store, prefix, now - 5000 * privacy.SECONDS_PER_DAY)
    try:
        result = privacy.purge(store.engine, 5030, now=now)
        assert result.conversations >= 1
        assert _rows(store.engine, f"{prefix}-old") == []
        assert _rows(store.engine, f"{prefix}-recent") and _rows(store.engine, f"{prefix}-revived")

        from rasa.shared.core.events import ActionExecuted

        tracker = asyncio.run(store.retrieve_full_tracker(f"{prefix}-recent"))
        tracker.update(ActionExecuted(privacy.FORGET_ACTION))
        asyncio.run(store.save(tracker))
        assert _rows(store.engine, f"{prefix}-recent") == []
    finally:
        with store.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM events WHERE sender_id LIKE :p"), {"p": f"{prefix}-%"})


@pytest.mark.slow
@pytest.mark.services
def test_purge_command_works_on_the_production_endpoints_file():
    env = _postgres_env()
    url = f"postgresql://{env['DB_USER']}:{env['DB_PASSWORD']}@{env['DB_HOST']}:{env['DB_PORT']}/{env['DB_DATABASE']}"
    store = _store(url)
    prefix = f"pgcli-{uuid.uuid4().hex[:8]}"
    _seed_for_purge(store, prefix, time.time() - 5000 * privacy.SECONDS_PER_DAY)
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bot",
                "purge",
                "--older-than",
                "5030",
                "--endpoints",
                str(ROOT / "endpoints.production.yml"),
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert _rows(store.engine, f"{prefix}-old") == [] and _rows(store.engine, f"{prefix}-recent")
    finally:
        with store.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM events WHERE sender_id LIKE :p"), {"p": f"{prefix}-%"})


@pytest.mark.slow
@pytest.mark.services
def test_cached_stores_of_two_instances_never_serve_stale_or_deleted_conversations_on_postgresql():
    env = _postgres_env()
    url = f"postgresql://{env['DB_USER']}:{env['DB_PASSWORD']}@{env['DB_HOST']}:{env['DB_PORT']}/{env['DB_DATABASE']}"
    sender = f"pgcache-{uuid.uuid4().hex[:8]}"
    try:
        _two_instances_never_serve_stale_or_deleted(url, sender, _delete_with_own_engine(url))
    finally:
        engine = privacy.make_engine(url)
        with engine.begin() as conn:
            privacy.delete_conversation(conn, sender)
        engine.dispose()


# -- what the user is told ----------------------------------------------------------------


def test_forget_reply_without_a_filed_record_says_everything_is_deleted():
    reply = messages.forgotten([])
    assert "slettet" in reply and "ikke registreret nogen ansøgning" in reply


def test_forget_reply_names_the_kept_records_and_a_real_route_to_delete_them():
    reply = messages.forgotten(["SPARK-2026-000042"])
    assert "SPARK-2026-000042" in reply and "er ikke slettet" in reply
    # Who to write to is on the privacy page (the data controller), not "those who handle it".
    assert messages.PRIVACY_PAGE in reply and "oplys referencen" in reply
    both = messages.forgotten(["SPARK-2026-000042", "REGION-2026-000001"])
    assert "SPARK-2026-000042 og REGION-2026-000001" in both and "slettet, så skriv" in both


def test_notice_says_what_why_how_long_and_how_to_delete():
    notice = notice_markdown({"CONVERSATION_RETENTION_DAYS": "14"})
    for heading in ("## Hvad gemmer vi?", "## Hvorfor?", "## Hvor længe?", "## Sådan får du dine oplysninger slettet"):
        assert heading in notice
    assert "14 dage" in notice and "»glem mig«" in notice
    assert "{" not in notice, "every placeholder is filled"


def test_notice_invents_no_contact_details():
    for text in (notice_markdown({}), messages.privacy_summary(privacy.retention_days({}))):
        assert not re.search(r"@|https?://|www\.|\.dk\b|\d{2}\s?\d{2}\s?\d{2}\s?\d{2}", text)


def test_configured_controller_is_named_in_the_notice():
    notice = notice_markdown({"PRIVACY_CONTROLLER": "Eksempel-sekretariatet"})
    assert "Dataansvarlig er Eksempel-sekretariatet." in notice


def test_retention_must_be_at_least_one_day():
    assert privacy.retention_days({}) == privacy.DEFAULT_RETENTION_DAYS
    with pytest.raises(ValueError):
        privacy.retention_days({"CONVERSATION_RETENTION_DAYS": "0"})


def test_notice_page_escapes_the_text():
    from bot.channels.privacy_page import render_html

    page = render_html("# Titel <b>\n\nTekst & <script>alert(1)</script>\n\n- punkt <i>")
    assert "<script>" not in page and "&lt;script&gt;" in page and "&amp;" in page
    assert "<li>punkt &lt;i&gt;</li>" in page and page.startswith("<!doctype html>")


def test_greeting_links_to_the_notice_and_says_how_to_be_forgotten():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    greeting = domain["responses"]["utter_greet"][0]
    assert messages.PRIVACY_PAGE in greeting["text"] and "»glem mig«" in greeting["text"]
    assert {"title": "Om dine oplysninger", "payload": "/privacy_notice"} in greeting["buttons"]


def test_privacy_training_data_is_varied_and_original():
    data = yaml.safe_load((ROOT / "data" / "nlu" / "privacy.yml").read_text(encoding="utf-8"))
    examples = {
        item["intent"]: [line[2:].strip() for line in item["examples"].splitlines() if line.strip()]
        for item in data["nlu"]
    }
    forget = examples["forget_me"]
    assert len(forget) >= 25 and len(set(forget)) == len(forget)
    assert {"slet mine oplysninger", "glem mig"} <= set(forget)
    assert any(re.search(r"ae|oe|aa", e) and not re.search(r"[æøå]", e) for e in forget)
    others = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        if path.name != "privacy.yml":
            # Intent examples only: a lookup table's entry ("gdpr" in lookup_cues.yml) is no copy.
            for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
                if "intent" in item:
                    others |= set(re.findall(r"^\s*- (.+)$", item["examples"], flags=re.M))
    assert not (set(forget) | set(examples["privacy_notice"])) & others


# -- servers: loopback, API off, request size ----------------------------------------------


def test_action_server_launcher_binds_loopback_and_no_cors_by_default(monkeypatch):
    from bot.server.action_server import arguments

    monkeypatch.delenv("ACTION_SERVER_INTERFACE", raising=False)
    args = arguments(["--actions", "actions"])
    assert args.interface == "127.0.0.1" and args.cors is None
    monkeypatch.setenv("ACTION_SERVER_INTERFACE", "0.0.0.0")
    assert arguments(["--actions", "actions"]).interface == "0.0.0.0"


def test_make_run_defaults_start_rasa_without_the_http_api(tmp_path: Path, monkeypatch):
    """`python -m bot run` without RASA_API_TOKEN: Rasa's own app factory, given that command line, has no API
    routes."""
    import argparse

    from rasa.cli.arguments.run import add_server_arguments

    from bot.server.stack import Stack

    monkeypatch.delenv("RASA_API_TOKEN", raising=False)
    stack = Stack(run_dir=tmp_path, api_token=os.environ.get("RASA_API_TOKEN") or None)
    command = stack.rasa_command(stack.rasa_port, tmp_path / "endpoints.yml", tmp_path / "credentials.yml")
    parser = argparse.ArgumentParser()
    add_server_arguments(parser)
    parser.add_argument("--model")
    args, _ = parser.parse_known_args(command[command.index("run") + 1 :])
    assert args.enable_api is False and args.auth_token is None

    from rasa.core.run import configure_app

    app = configure_app(enable_api=args.enable_api, auth_token=args.auth_token, route="/webhooks/")
    paths = {route.path for route in app.router.routes}
    assert not any(p.startswith(("conversations", "model", "status", "domain")) for p in paths), paths

    with_token = Stack(run_dir=tmp_path, api_token="s3cret").rasa_command(
        5005, tmp_path / "endpoints.yml", tmp_path / "credentials.yml"
    )
    args, _ = parser.parse_known_args(with_token[with_token.index("run") + 1 :])
    assert args.enable_api is True and args.auth_token == "s3cret"


def test_stack_caps_request_bodies_unless_configured(tmp_path: Path, monkeypatch):
    from bot.server.stack import REQUEST_MAX_SIZE, Stack

    monkeypatch.delenv("SANIC_REQUEST_MAX_SIZE", raising=False)
    assert Stack(run_dir=tmp_path)._environment()["SANIC_REQUEST_MAX_SIZE"] == str(REQUEST_MAX_SIZE)
    assert (
        Stack(run_dir=tmp_path, env={"SANIC_REQUEST_MAX_SIZE": "5000"})._environment()["SANIC_REQUEST_MAX_SIZE"]
        == "5000"
    )


def test_stack_uses_the_forgetting_tracker_store(tmp_path: Path):
    from bot.server.stack import Stack

    stack = Stack(run_dir=tmp_path)
    config = yaml.safe_load(stack.write_endpoints().read_text())
    assert config["tracker_store"]["type"] == "bot.server.tracker_store.PrivacySQLTrackerStore"
    repo = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    assert repo["tracker_store"]["type"] == "bot.server.tracker_store.PrivacySQLTrackerStore"


def test_database_errors_of_the_tracker_store_do_not_carry_what_the_user_wrote(tmp_path: Path):
    store = _store(str(tmp_path / "tracker.db"))
    with pytest.raises(sa.exc.DBAPIError) as error:
        with store.engine.begin() as conn:  # a failing statement with personal data as parameter
            conn.execute(sa.text("INSERT INTO no_such_table VALUES (:text)"), {"text": PERSONAL})
    assert PERSONAL not in str(error.value)


def test_a_rebuilt_tracker_store_engine_still_hides_parameters(tmp_path: Path):
    store = _store(str(tmp_path / "tracker.db"))
    store.engine = sa.create_engine(store.engine.url)  # as the production store does
    assert store.engine.hide_parameters is True


def test_database_errors_of_the_application_store_do_not_carry_the_record(tmp_path: Path):
    from bot.records.store import ApplicationStore

    store = ApplicationStore(f"sqlite:///{tmp_path / 'applications.db'}")
    with pytest.raises(sa.exc.DBAPIError) as error:
        with store.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO no_such_table VALUES (:record)"), {"record": PERSONAL})
    assert PERSONAL not in str(error.value)


def test_make_run_purges_old_conversations_in_the_background(tmp_path: Path):
    db = tmp_path / "tracker.db"
    store = _store(str(db))
    _seed_for_purge(store, "bg", time.time())
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f'tracker_store:\n  type: bot.server.tracker_store.PrivacySQLTrackerStore\n  db: "{db}"\n')

    stop = privacy.start_retention(endpoints, days=30, every_seconds=0.2)
    try:
        deadline = time.monotonic() + 20
        while _rows(store.engine, "bg-old") and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
    assert _rows(store.engine, "bg-old") == [] and _rows(store.engine, "bg-recent")


# -- a bad conversation id is an error of its request, never the end of the server ------------


def _assert_store_error_is_no_exit(store, sender: str) -> None:
    """Rasa's session_scope turned any ValueError into sys.exit(1); ours raises it for the request alone."""
    for operation in (lambda: store.save(_tracker(sender, "Hej")), lambda: store.retrieve(sender)):
        try:
            asyncio.run(operation())
        except SystemExit:  # pragma: no cover - the failure this test is about
            pytest.fail("the tracker store ended the process")
        except Exception:  # noqa: BLE001 - an error for this request is what we want
            pass
    # The store still works for everyone else.
    asyncio.run(store.save(_tracker("ordinary-sender", "Hej")))
    assert asyncio.run(store.retrieve("ordinary-sender")) is not None


def test_a_sender_sqlite_cannot_encode_fails_its_request_and_the_store_goes_on(tmp_path: Path):
    _assert_store_error_is_no_exit(_store(str(tmp_path / "tracker.db")), "x\udc00")


@pytest.mark.slow
@pytest.mark.services
def test_a_sender_postgresql_refuses_fails_its_request_and_the_store_goes_on():
    env = _postgres_env()
    url = f"postgresql://{env['DB_USER']}:{env['DB_PASSWORD']}@{env['DB_HOST']}:{env['DB_PORT']}/{env['DB_DATABASE']}"
    _assert_store_error_is_no_exit(_store(url), "nul\x00sender")
