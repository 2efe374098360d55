"""Fixtures of the scale-out tests: real PostgreSQL and Redis (scripts/services.sh), fresh databases, two Rasa
instances.

`services` installs (apt-get, when missing) and starts both servers once per session and
stops them again at the end if it was the one that started them. Every session works in
databases of its own, dropped at the end, so `make run-scaled` data is never touched.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Iterator, Optional

import pytest
import sqlalchemy as sa

from bot.server import local_services
from bot.server.services import ServiceUnavailable
from tests.conftest import RATE_LIMITS_OFF

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def services() -> Iterator[dict[str, str]]:
    """The environment printed by `scripts/services.sh start` (DB_*, REDIS_*, APPLICATIONS_DB_URL)."""
    try:
        with local_services.running() as env:
            yield env
    except ServiceUnavailable as error:
        pytest.fail(str(error))


@pytest.fixture(scope="session")
def fresh_databases(services: dict[str, str]) -> Iterator[dict[str, str]]:
    """Two new, empty databases (tracker and applications) for this session, as environment overrides."""
    prefix = "scale_" + uuid.uuid4().hex[:10]
    names = {"tracker": f"{prefix}_rasa", "applications": f"{prefix}_applications"}
    with local_services.scratch_databases(services, names.values()):
        apps_url = local_services.database_url(services, names["applications"])
        yield {
            **services,
            "DB_DATABASE": names["tracker"],
            "APPLICATIONS_DB_URL": apps_url.render_as_string(hide_password=False),
        }


@pytest.fixture(scope="session")
def tracker_engine(fresh_databases: dict[str, str]) -> Iterator[sa.engine.Engine]:
    """The tracker store's PostgreSQL database, to read the stored events directly."""
    engine = sa.create_engine(local_services.database_url(fresh_databases), poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def scaled_intake() -> Iterator[object]:
    """A fake intake endpoint of the scaled stack's own (tests/fakes/intake.py): its delivery worker posts here."""
    from tests.fakes.intake import FakeIntake

    with FakeIntake() as intake:
        yield intake


@pytest.fixture(scope="session")
def scaled_stack(scaled_intake, fresh_databases: dict[str, str]) -> Iterator[object]:
    """One action server, two Rasa instances and the delivery worker on PostgreSQL and Redis
    (bot.server.production.ScaledStack)."""
    from bot.server.production import ScaledStack
    from bot.server.stack import free_port
    from tests.fakes.intake import intake_settings

    if not (ROOT / "models" / "current.tar.gz").exists():
        pytest.fail("no trained model: run the tests with `make test`, which trains first")
    env = {
        **fresh_databases,
        "SANIC_WORKERS": "1",
        # A killed instance leaves its conversation locks in Redis until their tickets expire
        # (Rasa's default: 60 s); the survivor waits that long for those conversations.
        "TICKET_LOCK_LIFETIME": "15",
        # The delivery worker delivers from PostgreSQL to a fake intake; no e-mail receipts.
        **intake_settings(scaled_intake),
        "SMTP_HOST": "",
        # Fifty conversations at once from one loopback address.
        **RATE_LIMITS_OFF,
    }
    ports: set[int] = set()
    while len(ports) < 3:
        ports.add(free_port())
    action_port, *rasa_ports = sorted(ports)
    # Logs stay after the session (var/ is ignored by git): a failure here needs them.
    run_dir = ROOT / "var" / "test-scaled"
    shutil.rmtree(run_dir, ignore_errors=True)
    stack = ScaledStack(
        run_dir=run_dir,
        action_port=action_port,
        rasa_ports=tuple(rasa_ports),
        api_token="scale-token-" + os.urandom(6).hex(),
        env=env,
    )
    stack.start(timeout=480)
    try:
        yield stack
    finally:
        stack.stop()


def terminate_connections(env: dict[str, str], database: Optional[str] = None) -> int:
    """What a PostgreSQL restart or fail-over does to every open connection to one database
    (default: the tracker store's); returns how many were cut."""
    engine = sa.create_engine(local_services.database_url(env), poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        killed = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": database or env["DB_DATABASE"]},
        ).scalar_one()
    engine.dispose()
    return killed
