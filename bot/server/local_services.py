"""The local PostgreSQL and Redis of `scripts/services.sh`, from Python: for the scale-out tests and `make bench`.

The script installs (Debian packages), starts and stops both servers; this module only calls
it, reads the environment it prints, and makes databases of a caller's own on that server,
dropped again afterwards, so `make run-scaled` data is never touched.
"""

from __future__ import annotations

import subprocess
from contextlib import contextmanager
from typing import Iterable, Iterator, Mapping

import sqlalchemy as sa

from bot.server.services import ServiceUnavailable
from bot.server.stack import PROJECT_ROOT

SERVICES = ["bash", str(PROJECT_ROOT / "scripts" / "services.sh")]


def parse_exports(text: str) -> dict[str, str]:
    """The `export NAME=value` lines of `scripts/services.sh start|env`, as a mapping."""
    env = {}
    for line in text.splitlines():
        if line.startswith("export ") and "=" in line:
            name, value = line[len("export ") :].split("=", 1)
            env[name] = value
    return env


def service_pids() -> dict[str, int]:
    """The main process of each running server (`scripts/services.sh pids`): postgres, redis."""
    done = subprocess.run([*SERVICES, "pids"], capture_output=True, text=True, timeout=60)
    pids = {}
    for line in done.stdout.splitlines():
        name, _, pid = line.partition(" ")
        if pid.strip().isdigit():
            pids[name] = int(pid)
    return pids


@contextmanager
def running(timeout: float = 1200) -> Iterator[dict[str, str]]:
    """Start both servers (installing them where missing) and yield their environment (DB_*, REDIS_*,
    APPLICATIONS_DB_URL); stop them afterwards only if they were not running before.

    Raises ServiceUnavailable, with the script's last lines, when they cannot be installed or started.
    """
    was_running = subprocess.run([*SERVICES, "status"], capture_output=True).returncode == 0
    try:
        started = subprocess.run([*SERVICES, "start"], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ServiceUnavailable(f"scripts/services.sh start did not finish in {timeout:g} s") from None
    if started.returncode != 0:
        raise ServiceUnavailable(f"scripts/services.sh start failed:\n{started.stderr[-3000:]}")
    try:
        yield parse_exports(started.stdout)
    finally:
        if not was_running:
            subprocess.run([*SERVICES, "stop"], capture_output=True, timeout=120)


def database_url(env: Mapping[str, str], database: str = "") -> sa.engine.URL:
    """The PostgreSQL URL of the environment's DB_* settings, for `database` (default DB_DATABASE)."""
    return sa.engine.URL.create(
        "postgresql",
        username=env["DB_USER"],
        password=env["DB_PASSWORD"],
        host=env["DB_HOST"],
        port=int(env["DB_PORT"]),
        database=database or env["DB_DATABASE"],
    )


@contextmanager
def scratch_databases(env: Mapping[str, str], names: Iterable[str]) -> Iterator[None]:
    """New, empty databases with these names on the environment's server, dropped (with their
    connections) afterwards. The script's database user may create databases."""
    names = list(names)
    admin = sa.create_engine(database_url(env), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as conn:
            for name in names:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
