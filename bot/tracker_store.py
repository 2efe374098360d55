"""The conversation store the Rasa server uses: Rasa's SQL tracker store that can forget a conversation.

Named by module path in the endpoints files (`type: bot.tracker_store.PrivacySQLTrackerStore`);
takes the same settings as Rasa's `type: SQL` (SQLite or PostgreSQL).

Why a store of our own: Rasa's SQLTrackerStore.save appends the events beyond those
already stored, so rows deleted by an action would simply be written back at the end
of the turn. Here, when the turn ran the forget action (`bot.privacy.FORGET_ACTION`,
"glem mig"), save deletes every row of the conversation instead and stores nothing: the
next message starts a new, empty conversation.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import privacy

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


class PrivacySQLTrackerStore(SQLTrackerStore):
    """Rasa's SQLTrackerStore; a conversation whose new events include the forget action is deleted, not saved."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Rasa passes `host=<url>` from the endpoints file; ours may also name `url`.
        if kwargs.get("url") and not kwargs.get("host"):
            kwargs["host"] = kwargs.pop("url")
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

    async def save(self, tracker: DialogueStateTracker) -> None:
        if not forgets_in_this_turn(tracker):
            await super().save(tracker)
            return
        # No event broker either: nothing of the forgotten conversation leaves this store.
        with self.engine.begin() as conn:
            removed = privacy.delete_conversation(conn, tracker.sender_id)
        logger.info("a conversation was forgotten at the user's request (%d stored events deleted)", removed)


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
            if type(error).__name__ == "ServiceUnavailable":  # bot.services: a clear message already
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

        from bot.services import DEFAULT_STARTUP_TIMEOUT, wait_for_sql

        settings = {name: kwargs.get(name) for name in ("dialect", "db", "username", "password",
                                                       "login_db", "query")}
        url = SQLTrackerStore.get_db_url(host=kwargs.get("host") or kwargs.get("url"),
                                         port=validate_port(kwargs.get("port")),
                                         **{k: v for k, v in settings.items() if v is not None})
        timeout = float(os.environ.get("SERVICES_STARTUP_TIMEOUT") or DEFAULT_STARTUP_TIMEOUT)
        wait_for_sql(url, timeout)


class TrackerStoreUnavailable(RuntimeError):
    """The production tracker store could not reach its database: the Rasa server must not start."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            "Samtalelageret (PostgreSQL) kan ikke nås, så Rasa-serveren starter ikke: samtaler "
            f"ville ellers gå tabt. {reason}. Start databasen (scripts/services.sh start) eller ret "
            "DB_HOST/DB_PORT/DB_USER/DB_PASSWORD/DB_DATABASE.")
