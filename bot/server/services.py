"""Reaching the servers of the scale-out profile (PostgreSQL, Redis) with bounded waits and clear errors.

Used by the production tracker store (`bot.server.tracker_store`), which must refuse to start
without its database, and by the pre-flight check of `python -m bot run --profile production`.
Nothing here connects at import time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Optional, TypeVar

import sqlalchemy as sa

DEFAULT_STARTUP_TIMEOUT = 30.0
# psycopg2 rounds connect_timeout down to whole seconds and treats < 2 as 2.
_MIN_CONNECT_TIMEOUT = 2

T = TypeVar("T")


class ServiceUnavailable(RuntimeError):
    """A server the profile needs could not be reached in time.

    Deliberately not a ConnectionError, ImportError or AttributeError: Rasa turns those
    into its own messages or, for the last two, into a silent in-memory tracker store.
    """


@dataclass(frozen=True)
class RedisAddress:
    host: str
    port: int
    password: Optional[str] = None
    db: int = 0

    def __str__(self) -> str:  # never the password
        return f"redis://{self.host}:{self.port}/{self.db}"


def describe_sql_url(url: "str | sa.engine.URL") -> str:
    """The URL without its password, for messages and logs."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def _retry(attempt: Callable[[float], T], timeout: float, what: str) -> T:
    """Call `attempt(seconds_left)` until it succeeds or `timeout` seconds have passed."""
    deadline = time.monotonic() + max(timeout, 0.0)
    last_error: Optional[BaseException] = None
    while True:
        left = deadline - time.monotonic()
        try:
            return attempt(max(left, 0.0))
        except Exception as error:  # noqa: BLE001 - every failure to connect counts the same
            last_error = error
        left = deadline - time.monotonic()
        if left <= 0:
            break
        time.sleep(min(1.0, left))
    reason = str(last_error).strip().splitlines()[0] if last_error else "timeout"
    raise ServiceUnavailable(f"{what} svarer ikke efter {timeout:g} s ({type(last_error).__name__}: {reason})")


def wait_for_sql(url: "str | sa.engine.URL", timeout: float = DEFAULT_STARTUP_TIMEOUT) -> None:
    """Return once the database answers `SELECT 1`; raise ServiceUnavailable after `timeout` seconds."""

    def attempt(left: float) -> None:
        parsed = sa.engine.make_url(url) if isinstance(url, str) else url
        connect_args = {}
        if parsed.get_backend_name() == "postgresql":
            connect_args["connect_timeout"] = max(_MIN_CONNECT_TIMEOUT, int(min(left, 10.0)))
        engine = sa.create_engine(parsed, connect_args=connect_args, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        finally:
            engine.dispose()

    _retry(attempt, timeout, f"Databasen {describe_sql_url(url)}")


def wait_for_redis(address: RedisAddress, timeout: float = DEFAULT_STARTUP_TIMEOUT) -> None:
    """Return once Redis answers PING (with the password); raise ServiceUnavailable after `timeout` seconds."""
    import redis

    def attempt(left: float) -> None:
        client = redis.Redis(
            host=address.host,
            port=address.port,
            db=address.db,
            password=address.password or None,
            socket_connect_timeout=max(1.0, min(left, 5.0)),
            socket_timeout=5.0,
        )
        try:
            client.ping()
        finally:
            client.close()

    _retry(attempt, timeout, f"Redis {address}")
