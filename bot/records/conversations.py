"""Personal data in the conversation store: forgetting one conversation, purging old ones, the privacy notice.

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
NOTICE_PATH = Path(__file__).resolve().parents[1] / "data" / "privacy_notice.md"

# The action that runs when the user says "glem mig"; the tracker store deletes the
# conversation instead of saving it when this action ran in the turn.
FORGET_ACTION = "action_forget_me"
# The web chat (bot/channels/webchat.py, channel "socketio") keeps a copy of the conversation in the
# browser tab; after "glem mig" it is told so with this custom message and drops that copy.
# Other channels (REST, Slack) get no such message: Slack would post it as a message.
WEBCHAT_CHANNEL = "socketio"
FORGOTTEN_SIGNAL = {"forgotten": True}
# Where the Rasa server shows the notice (bot/channels/privacy_page.py); the greeting links to it.
NOTICE_PATH_URL = "/privatliv"
DEFAULT_RETENTION_DAYS = 30
SECONDS_PER_DAY = 86400

# Rasa's tracker store table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent): only the
# columns we need to find and delete a conversation's rows.
_metadata = sa.MetaData()
events = sa.Table(
    "events", _metadata,
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
    query = (sa.select(events.c.sender_id).group_by(events.c.sender_id)
             .having(sa.or_(last_event < cutoff, last_event.is_(None))))
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
    return [items[i:i + size] for i in range(0, len(items), size)]


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


def tracker_store_url(endpoints: Path, env: Mapping[str, str] = os.environ,
                      base: Path = PROJECT_ROOT) -> str:
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
    url = sa.engine.URL.create(dialect, username=store.get("username"), password=store.get("password"),
                               host=host, port=int(store["port"]) if store.get("port") else None,
                               database=db, query=store.get("query") or {})
    return url.render_as_string(hide_password=False)


def make_engine(url: str, env: Mapping[str, str] = os.environ) -> sa.engine.Engine:
    if url.startswith("sqlite"):
        # The Rasa server may be writing at the same time: wait for its lock, do not fail.
        return sa.create_engine(url, connect_args={"timeout": 30}, future=True, hide_parameters=True)
    connect_args = {}
    if env.get("POSTGRESQL_SCHEMA") and url.startswith("postgresql"):
        # Rasa's tracker store then keeps its tables in that schema (rasa.core.tracker_store).
        connect_args["options"] = f"-csearch_path={env['POSTGRESQL_SCHEMA']}"
    return sa.create_engine(url, pool_pre_ping=True, future=True, hide_parameters=True,
                            connect_args=connect_args)


# ---------------------------------------------------------------------------------------
# What the user is told

def forget_reply(record: Optional[Mapping[str, Any]]) -> str:
    """The Danish confirmation after "glem mig"; `record` is the conversation's filed application, if any."""
    done = ("Jeg har slettet vores samtale og alle de svar, du har givet mig. "
            "Intet af det, du har skrevet her, er gemt længere.")
    if record is None:
        return done + " Der var ikke sendt nogen ansøgning. Skriv bare, hvis du vil starte forfra."
    reference = record["reference"]
    return (done + f"\n\nJeres ansøgning med referencen {reference} var allerede sendt. Den er gemt, "
            "så den kan blive behandlet, og den er ikke slettet. Vil I også have ansøgningen slettet, "
            f"så kontakt dem, der behandler den, og oplys referencen {reference}.")


def notice_markdown(env: Mapping[str, str] = os.environ) -> str:
    """The full privacy notice (Danish), with the configured retention period and data controller."""
    controller = (env.get("PRIVACY_CONTROLLER") or "").strip()
    controller_text = (f"Dataansvarlig er {controller}." if controller else
                       "Dataansvarlig er den organisation, der driver denne udgave af Arbejdsmiljøguiden.")
    return NOTICE_PATH.read_text(encoding="utf-8").format(
        retention_days=retention_days(env), controller=controller_text)


def notice_summary(env: Mapping[str, str] = os.environ) -> str:
    """The short version the bot says in the chat (same facts as the notice)."""
    days = retention_days(env)
    return ("Sådan passer jeg på dine oplysninger:\n"
            "- Jeg gemmer det, du skriver i samtalen, så jeg kan hjælpe dig og sende jeres ansøgning. "
            "Det kan være navne, e-mailadresser og telefonnumre på jeres kontaktpersoner og jeres "
            "beskrivelse af problemet.\n"
            f"- Samtalen slettes automatisk, når der er gået {days} dage uden nye beskeder.\n"
            "- En sendt ansøgning gemmes, så den kan blive behandlet.\n"
            "- Skriv »glem mig« eller »slet mine oplysninger«, så sletter jeg samtalen med det samme.\n"
            "- Skriv ikke helbredsoplysninger eller navne på kolleger i beskrivelsen af problemet.\n\n"
            f"Læs hele teksten på {NOTICE_PATH_URL}")


# ---------------------------------------------------------------------------------------
# Retention while the bot runs (`python -m bot run`)

def start_retention(endpoints: Path, days: int, every_seconds: float = 6 * 3600,
                    env: Mapping[str, str] = os.environ) -> threading.Event:
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
                print(f"Sletning af gamle samtaler fejlede ({type(error).__name__}); prøver igen senere.",
                      file=sys.stderr, flush=True)
            stop.wait(every_seconds)

    threading.Thread(target=loop, name="conversation-retention", daemon=True).start()
    return stop
