"""`sqlite_tracker_store`: pooled connections and write-ahead logging for SQLite tracker stores.

Rasa's SQL tracker store on SQLite opens a new database connection for every query
(SQLAlchemy 1.4's NullPool for SQLite files) and commits every turn in rollback-journal mode,
with several fsyncs: together a quarter of the server's time here. For SQLite files only, we
keep connections in a pool (what SQLAlchemy 2.0 does by default) and use write-ahead logging
with `synchronous=NORMAL`: the same rows, consistent and durable when the process crashes; only
a power cut can lose the last turns. PostgreSQL and in-memory databases are not touched.

Replaces `rasa.core.tracker_store.create_engine_kwargs` and `SQLTrackerStore.__init__`.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from bot.server.patches._replace import replace

SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")


def is_sqlite_file(url: Any) -> bool:
    from sqlalchemy.engine import make_url

    url = make_url(url)
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


def sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLAlchemy "connect" listener: every new connection to a SQLite file gets our pragmas."""
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def apply() -> Callable[[], None]:
    import sqlalchemy as sa
    from rasa.core import tracker_store

    rasas_init = tracker_store.SQLTrackerStore.__init__
    rasas_kwargs = tracker_store.create_engine_kwargs

    def create_engine_kwargs(url: Any) -> Dict[str, Any]:
        kwargs = rasas_kwargs(url)
        if is_sqlite_file(url):
            # One event loop thread uses the store; the pool may hand its connections on.
            kwargs.update(poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False})
        return kwargs

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        rasas_init(self, *args, **kwargs)
        if is_sqlite_file(self.engine.url):
            sa.event.listen(self.engine, "connect", sqlite_pragmas)
            self.engine.dispose()  # connections opened while creating tables: reopened with the pragmas

    undo_kwargs = replace(tracker_store, "create_engine_kwargs", create_engine_kwargs)
    undo_init = replace(tracker_store.SQLTrackerStore, "__init__", __init__)

    def undo() -> None:
        undo_init()
        undo_kwargs()

    return undo
