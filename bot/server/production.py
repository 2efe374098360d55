"""The scale-out profile on one machine: several Rasa instances on PostgreSQL and Redis, one action server.

`python -m bot run --profile production --instances 2` (`make run-scaled`) checks that the
databases and Redis answer, then starts one action server, N Rasa servers on
`endpoints.production.yml` (each on its own port, SANIC_WORKERS workers each) and the
delivery worker when delivery is configured, and supervises them as `Stack.wait` does (a process
that stops is started again after a backoff; the other instances keep serving). The same
endpoints file runs on Kubernetes (docs/deploy.md). The end-to-end scale-out test starts the
profile through `ScaledStack`.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

import sqlalchemy as sa

from bot.server.services import DEFAULT_STARTUP_TIMEOUT, RedisAddress, ServiceUnavailable, wait_for_redis, wait_for_sql
from bot.server.stack import PROJECT_ROOT, Stack, delivery_configured

ENDPOINTS = PROJECT_ROOT / "endpoints.production.yml"
# Rasa's Helm chart uses the same names (DB_*, REDIS_*); endpoints.production.yml reads them.
REQUIRED = (
    "DB_HOST",
    "DB_PORT",
    "DB_USER",
    "DB_PASSWORD",
    "DB_DATABASE",
    "REDIS_HOST",
    "REDIS_PORT",
    "REDIS_PASSWORD",
    "APPLICATIONS_DB_URL",
)
REDIS_LOCK_DB = 1  # as in endpoints.production.yml


class ProfileError(ValueError):
    """The environment does not describe a usable production profile."""


@dataclass(frozen=True)
class ProductionSettings:
    tracker_db_url: sa.engine.URL
    applications_db_url: str
    redis: RedisAddress
    startup_timeout: float = DEFAULT_STARTUP_TIMEOUT
    sanic_workers: int = 1

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "ProductionSettings":
        # REDIS_PASSWORD may be empty (a Redis without a password) but must be set: Rasa
        # refuses an endpoints file that names an unset variable.
        missing = [name for name in REQUIRED if name not in env or (name != "REDIS_PASSWORD" and not env[name].strip())]
        if missing:
            raise ProfileError(
                "disse miljøvariabler mangler: "
                + ", ".join(missing)
                + " (scripts/services.sh start skriver dem ud for en lokal PostgreSQL og Redis)"
            )
        applications = env["APPLICATIONS_DB_URL"].strip()
        # Several instances file into one database; a SQLite file per machine would split them.
        if not applications.startswith(("postgresql://", "postgresql+psycopg2://")):
            raise ProfileError("APPLICATIONS_DB_URL skal være en postgresql://-adresse i produktionsprofilen")
        try:
            db_port, redis_port = int(env["DB_PORT"]), int(env["REDIS_PORT"])
            timeout = float(env.get("SERVICES_STARTUP_TIMEOUT") or DEFAULT_STARTUP_TIMEOUT)
            workers = int(env.get("SANIC_WORKERS") or 1)
        except ValueError as error:
            raise ProfileError(f"et tal i miljøet kan ikke læses: {error}") from None
        tracker = sa.engine.URL.create(
            "postgresql",
            username=env["DB_USER"],
            password=env["DB_PASSWORD"],
            host=env["DB_HOST"],
            port=db_port,
            database=env["DB_DATABASE"],
        )
        return cls(
            tracker_db_url=tracker,
            applications_db_url=applications,
            redis=RedisAddress(env["REDIS_HOST"], redis_port, env["REDIS_PASSWORD"], REDIS_LOCK_DB),
            startup_timeout=timeout,
            sanic_workers=workers,
        )


def preflight(settings: ProductionSettings) -> None:
    """Raise ServiceUnavailable unless both databases and Redis answer within the start-up timeout.

    A friendlier, earlier form of the check that the tracker store itself makes (and that
    cannot be skipped): this one also covers the applications database and Redis.
    """
    # Rasa silently uses an in-memory store when a store class named in the endpoints file
    # cannot be imported: make that an error here.
    for module in ("bot.server.tracker_store", "bot.server.lock_store"):
        try:
            importlib.import_module(module)
        except Exception as error:  # noqa: BLE001
            raise ServiceUnavailable(f"{module} kan ikke indlæses ({type(error).__name__}: {error})") from error
    wait_for_sql(settings.tracker_db_url, settings.startup_timeout)
    wait_for_sql(settings.applications_db_url, settings.startup_timeout)
    wait_for_redis(settings.redis, settings.startup_timeout)


@dataclass
class ScaledStack(Stack):
    """One action server and several Rasa servers sharing it, on endpoints.production.yml."""

    rasa_ports: tuple[int, ...] = (5005, 5006)
    endpoints: Path = ENDPOINTS

    @property
    def instances(self) -> dict[int, subprocess.Popen]:
        """Rasa port -> the Rasa server's process now (a restarted one replaces the one that stopped)."""
        return {
            port: self.children[f"rasa-{port}"].process for port in self.rasa_ports if f"rasa-{port}" in self.children
        }

    def _environment(self) -> dict[str, str]:
        env = super()._environment()
        env["ACTION_SERVER_URL"] = self.action_url
        return env

    @property
    def rasa_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.rasa_ports]

    @property
    def delivery_started(self) -> bool:
        return delivery_configured(self._environment())

    def start(self, timeout: float = 300.0) -> "ScaledStack":
        self.run_dir.mkdir(parents=True, exist_ok=True)
        credentials = self.write_credentials()
        env = self._environment()
        self._spawn("actions", self.action_command(), env, f"action server (port {self.action_port})")
        rasa_env = self._rasa_environment(env)  # one web chat secret for every instance
        for port in self.rasa_ports:
            self._spawn(
                f"rasa-{port}",
                self.rasa_command(port, self.endpoints, credentials, f"rasa-{port}-internal"),
                rasa_env,
                f"Rasa server (port {port})",
            )
        if delivery_configured(env):
            # Records wait in PostgreSQL's outbox; one worker is enough, more may run (bot/records/delivery.py).
            self._spawn("delivery", [sys.executable, "-m", "bot", "deliver"], env, "delivery worker")
        deadline = time.monotonic() + timeout
        self._wait(f"http://127.0.0.1:{self.action_port}/health", deadline)
        for url in self.rasa_urls:
            self._wait(f"{url}/", deadline)
        return self

    def kill_instance(self, port: int) -> None:
        """SIGKILL one Rasa instance, as a crash would, for good (used by the scale-out test)."""
        process = self.instances[port]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        self.processes.remove(process)
        del self.children[f"rasa-{port}"]


def run(
    port: int, action_port: int, instances: int, env: Optional[Mapping[str, str]] = None, interface: str = "127.0.0.1"
) -> int:
    """`python -m bot run --profile production`: pre-flight, start, print where to talk, wait."""
    env = dict(os.environ if env is None else env)
    try:
        settings = ProductionSettings.from_env(env)
    except ProfileError as error:
        print(f"Produktionsprofilen kan ikke starte: {error}.", file=sys.stderr)
        return 2
    try:
        preflight(settings)
    except ServiceUnavailable as error:
        print(
            f"Produktionsprofilen starter ikke: {error}. Samtaler og ansøgninger ville ellers gå tabt.\n"
            "Start PostgreSQL og Redis (scripts/services.sh start) eller ret DB_*/REDIS_*/APPLICATIONS_DB_URL.",
            file=sys.stderr,
        )
        return 3
    token = env.get("RASA_API_TOKEN") or None
    # A run folder of its own (generated files, logs), named by the first Rasa port.
    stack = ScaledStack(
        run_dir=PROJECT_ROOT / "var" / f"run-{port}",
        action_port=action_port,
        rasa_ports=tuple(port + i for i in range(instances)),
        api_token=token,
        interface=interface,
    )
    print(
        f"Starter Arbejdsmiljøguiden i skaleret profil: {instances} Rasa-instanser, én action server "
        "... det tager op til et par minutter.",
        flush=True,
    )
    stack.start()
    rest = "\n".join(f"  Rasa {i + 1} (REST): {url}/webhooks/rest/webhook" for i, url in enumerate(stack.rasa_urls))
    delivery = (
        "kører (python -m bot deliver)"
        if stack.delivery_started
        else "ikke startet: ingen modtager (RECIPIENT_…) og ingen SMTP_HOST er sat; "
        "brugerne får vist, hvordan de selv søger"
    )
    print(
        f"""
Arbejdsmiljøguiden kører i skaleret profil (PostgreSQL + Redis).
{rest}
  Action server: {stack.action_url}
  Levering:      {delivery}
  Samtaler:      {settings.tracker_db_url.render_as_string(hide_password=True)}
  Ansøgninger:   {sa.engine.make_url(settings.applications_db_url).render_as_string(hide_password=True)}
  Låse:          {settings.redis}
  Sanic-workers: {settings.sanic_workers} pr. instans
  HTTP-API:      {"slået til (kræver token)" if token else "slået fra"}
  Logfiler:      {stack.run_dir.relative_to(PROJECT_ROOT)}/*.log
Beskeder til samme samtale kan gå til en hvilken som helst instans.
Stop med Ctrl-C (PostgreSQL og Redis stoppes med: scripts/services.sh stop).""",
        flush=True,
    )
    return stack.wait()
