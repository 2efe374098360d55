"""Personal data in the conversation store: forgetting one conversation, purging old ones.

Rasa keeps every conversation as rows in the `events` table of its SQL tracker store
(SQLite by default, PostgreSQL in production). This module works on that table with plain
SQLAlchemy, so the same SQL runs on both, from the tracker store (`bot.server.tracker_store`,
"glem mig") and from the command line (`python -m bot purge --older-than DAYS`).
Filed applications live elsewhere (`bot.records.store`) and are deleted by reference.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

import sqlalchemy as sa
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# The action that runs when the user says "glem mig"; the tracker store deletes the
# conversation instead of saving it when this action ran in the turn.
FORGET_ACTION = "action_forget_me"
# The web chat (bot/channels/webchat.py, channel "socketio") keeps a copy of the conversation in the
# browser tab; after "glem mig" it is told so with this custom message and drops that copy.
# Other channels (REST, Slack) get no such message: Slack would post it as a message.
WEBCHAT_CHANNEL = "socketio"
FORGOTTEN_SIGNAL = {"forgotten": True}
DEFAULT_RETENTION_DAYS = 30
SECONDS_PER_DAY = 86400

# Rasa's tracker store table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent): only the
# columns we need to find and delete a conversation's rows.
_metadata = sa.MetaData()
events = sa.Table(
    "events",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
)


def retention_days(env: Mapping[str, str] = os.environ) -> int:
    """How many days an inactive conversation is kept (CONVERSATION_RETENTION_DAYS, default 30)."""
    days = int(env.get("CONVERSATION_RETENTION_DAYS") or DEFAULT_RETENTION_DAYS)
    if days < 1:
        raise ValueError("CONVERSATION_RETENTION_DAYS must be at least 1")
    return days


# ---------------------------------------------------------------------------------------
# Deleting conversations


def delete_conversation(conn: sa.engine.Connection, sender_id: str) -> int:
    """Delete every stored event of one conversation (all its sessions); return the row count."""
    return conn.execute(events.delete().where(events.c.sender_id == sender_id)).rowcount


def stale_conversations(conn: sa.engine.Connection, cutoff: float) -> list[str]:
    """Conversations whose last event is older than `cutoff` (a Unix timestamp)."""
    last_event = sa.func.max(events.c.timestamp)
    query = (
        sa.select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(sa.or_(last_event < cutoff, last_event.is_(None)))
    )
    return [row.sender_id for row in conn.execute(query)]


@dataclass(frozen=True)
class PurgeResult:
    conversations: int
    events: int


def purge(engine: sa.engine.Engine, older_than_days: float, now: Optional[float] = None) -> PurgeResult:
    """Delete every conversation whose last event is more than `older_than_days` days old."""
    if older_than_days < 0:
        raise ValueError("older_than_days must not be negative")
    cutoff = (time.time() if now is None else now) - older_than_days * SECONDS_PER_DAY
    if not sa.inspect(engine).has_table("events"):
        return PurgeResult(0, 0)  # no conversation was ever stored
    with engine.begin() as conn:
        senders = stale_conversations(conn, cutoff)
        removed = 0
        for chunk in _chunks(senders, 500):  # bounded IN lists (SQLite allows 999 parameters)
            removed += conn.execute(events.delete().where(events.c.sender_id.in_(chunk))).rowcount
    return PurgeResult(len(senders), removed)


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


# ---------------------------------------------------------------------------------------
# Where the tracker store is: the same endpoints file the Rasa server reads

_ENV_VAR = re.compile(r"\$\{([^}]+)\}")


def _expand(value: Any, env: Mapping[str, str]) -> Any:
    """${VAR} in an endpoints value, as Rasa expands it (an unset variable is an error)."""
    if not isinstance(value, str):
        return value

    def replace(match: re.Match) -> str:
        if match.group(1) not in env:
            raise KeyError(f"the endpoints file names ${{{match.group(1)}}}, which is not set")
        return env[match.group(1)]

    return _ENV_VAR.sub(replace, value)


def tracker_store_url(endpoints: Path, env: Mapping[str, str] = os.environ, base: Path = PROJECT_ROOT) -> str:
    """The SQLAlchemy URL of the SQL tracker store an endpoints file configures.

    Builds the URL the way Rasa's SQLTrackerStore does (dialect, host, port, db, username,
    password, query; or a complete URL in `url`). A relative SQLite path is relative to
    `base`, the folder the Rasa server runs in.
    """
    config = yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}
    store = {key: _expand(value, env) for key, value in (config.get("tracker_store") or {}).items()}
    kind = str(store.get("type") or "")
    # Rasa's own SQL store, or ours (all of bot.server.tracker_store are SQL stores with its settings).
    if kind.lower() != "sql" and not kind.startswith("bot.server.tracker_store."):
        raise ValueError(f"{endpoints} has no SQL tracker store (type: {kind or 'none'})")
    host = store.get("url") or store.get("host")
    if host and "://" in str(host):
        return str(host)
    dialect = store.get("dialect") or "sqlite"
    db = str(store.get("db") or "rasa.db")
    if dialect.startswith("sqlite"):
        path = Path(db)
        return f"sqlite:///{path if path.is_absolute() else base / path}"
    url = sa.engine.URL.create(
        dialect,
        username=store.get("username"),
        password=store.get("password"),
        host=host,
        port=int(store["port"]) if store.get("port") else None,
        database=db,
        query=store.get("query") or {},
    )
    return url.render_as_string(hide_password=False)


def make_engine(url: str, env: Mapping[str, str] = os.environ) -> sa.engine.Engine:
    if url.startswith("sqlite"):
        # The Rasa server may be writing at the same time: wait for its lock, do not fail.
        return sa.create_engine(url, connect_args={"timeout": 30}, future=True, hide_parameters=True)
    connect_args = {}
    if env.get("POSTGRESQL_SCHEMA") and url.startswith("postgresql"):
        # Rasa's tracker store then keeps its tables in that schema (rasa.core.tracker_store).
        connect_args["options"] = f"-csearch_path={env['POSTGRESQL_SCHEMA']}"
    return sa.create_engine(url, pool_pre_ping=True, future=True, hide_parameters=True, connect_args=connect_args)


# ---------------------------------------------------------------------------------------
# Retention while the bot runs (`python -m bot run`)


def start_retention(
    endpoints: Path, days: int, every_seconds: float = 6 * 3600, env: Mapping[str, str] = os.environ
) -> threading.Event:
    """Purge conversations older than `days` now and then every `every_seconds`, in a daemon thread.

    Returns an Event that stops the thread when set. A failure is reported on stderr (no
    conversation data in it) and tried again next time.
    """
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                engine = make_engine(tracker_store_url(endpoints, env))
                try:
                    purge(engine, days)
                finally:
                    engine.dispose()
            except Exception as error:  # noqa: BLE001 - the bot keeps running; the next round retries
                print(
                    f"Sletning af gamle samtaler fejlede ({type(error).__name__}); prøver igen senere.",
                    file=sys.stderr,
                    flush=True,
                )
            stop.wait(every_seconds)

    threading.Thread(target=loop, name="conversation-retention", daemon=True).start()
    return stop
