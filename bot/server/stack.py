"""Starts and stops the running bot: the action server and the Rasa server, as child processes.

Used by `make run` (`python -m bot run`) and by the end-to-end tests, so both start the
stack the same way. Logs go to files in the run folder, never to the terminal.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Optional


PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Largest HTTP request body the servers accept (SANIC_REQUEST_MAX_SIZE overrides it): a
# message is at most MAX_MESSAGE_CHARS, so 1 MiB is generous and a flood is refused early.
REQUEST_MAX_SIZE = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def delivery_configured(env: dict[str, str]) -> bool:
    """Whether the delivery worker has work: a recipient (RECIPIENT_…) or an SMTP server is set.

    Without either it would only poll the database, so it is not started; records filed
    meanwhile keep their plan (delivered nowhere) and the users were told so.
    """
    recipients = any(name.startswith("RECIPIENT_") and (value or "").strip() for name, value in env.items())
    return recipients or bool((env.get("SMTP_HOST") or "").strip())


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@dataclass
class Stack:
    """One action server and one Rasa server on loopback."""

    run_dir: Path
    rasa_port: int = 5005
    action_port: int = 5055
    model: Path = PROJECT_ROOT / "models" / "current.tar.gz"
    api_token: Optional[str] = None
    env: dict[str, str] = field(default_factory=dict)
    interface: str = "127.0.0.1"
    processes: list[subprocess.Popen] = field(default_factory=list)
    # Rasa's SQL store that deletes a conversation on "glem mig" (bot/server/tracker_store.py).
    tracker_store_type: ClassVar[str] = "bot.server.tracker_store.PrivacySQLTrackerStore"
    runs_delivery: ClassVar[bool] = True

    @property
    def working_dir(self) -> Path:
        return PROJECT_ROOT

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}/webhook"

    @property
    def tracker_db(self) -> Path:
        return self.run_dir / "tracker.db"

    def _environment(self) -> dict[str, str]:
        env = {**os.environ, **self.env}
        env.setdefault("APPLICATIONS_DB", str(self.run_dir / "applications.db"))
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        env["RASA_TELEMETRY_ENABLED"] = "false"
        env.setdefault("LOG_LEVEL", "INFO")
        env["PYTHONUNBUFFERED"] = "1"
        # Privacy and security: request bodies over this size get 413 before anyone reads them.
        env.setdefault("SANIC_REQUEST_MAX_SIZE", str(REQUEST_MAX_SIZE))
        return env

    def write_endpoints(self) -> Path:
        path = self.run_dir / "endpoints.yml"
        path.write_text(
            "action_endpoint:\n"
            f'  url: "{self.action_url}"\n'
            "tracker_store:\n"
            f"  type: {self.tracker_store_type}\n"
            '  dialect: "sqlite"\n'
            f'  db: "{self.tracker_db}"\n',
            encoding="utf-8",
        )
        return path

    def write_credentials(self) -> Path:
        """The repository's credentials.yml: every channel reads its settings from the environment,
        checked here first so that a half-configured channel stops the start with a clear message."""
        from bot.channels.credentials import check_channel_settings

        check_channel_settings(self._environment())
        return PROJECT_ROOT / "credentials.yml"

    def start(self, timeout: float = 240.0) -> "Stack":
        self.run_dir.mkdir(parents=True, exist_ok=True)
        endpoints = self.write_endpoints()
        credentials = self.write_credentials()
        env = self._environment()
        self._spawn("actions", self.action_command(), env)
        self._spawn("rasa", self.rasa_command(self.rasa_port, endpoints, credentials), env)
        if self.runs_delivery and delivery_configured(env):
            # Third process: delivers filed records and sends receipts (bot/records/delivery.py).
            self._spawn("delivery", [sys.executable, "-m", "bot", "deliver"], env)
        deadline = time.monotonic() + timeout
        self._wait(f"http://127.0.0.1:{self.action_port}/health", deadline)
        self._wait(f"{self.rasa_url}/", deadline)
        return self

    def action_command(self) -> list[str]:
        # rasa-sdk's server behind our launcher, which binds loopback (bot/server/action_server.py).
        return [sys.executable, "-m", "bot.server.action_server", "--actions", "actions",
                "--port", str(self.action_port)]

    def rasa_command(self, port: int, endpoints: Path, credentials: Path,
                     log_name: str = "rasa-internal") -> list[str]:
        """One Rasa server; the scale-out profile (bot/server/production.py) starts several on one endpoints file."""
        # Rasa behind our launcher, which applies the tested speed patches (bot/server/patches/__init__.py).
        command = [sys.executable, "-m", "bot.server.rasa_server", "run", "--model", str(self.model),
                   "--endpoints", str(endpoints),
                   "--credentials", str(credentials),
                   "--interface", self.interface, "--port", str(port),
                   "--log-file", str(self.run_dir / f"{log_name}.log")]
        if self.api_token:
            command += ["--enable-api", "--auth-token", self.api_token]
        return command

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.run_dir / f"{name}.log", "ab")
        process = subprocess.Popen(command, cwd=self.working_dir, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        process.log_path = self.run_dir / f"{name}.log"  # type: ignore[attr-defined]
        self.processes.append(process)
        return process

    def _wait(self, url: str, deadline: float) -> None:
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    tail = Path(process.log_path).read_text(errors="replace")[-3000:]  # type: ignore[attr-defined]
                    self.stop()
                    raise RuntimeError(f"{process.args[:3]} stopped during start-up:\n{tail}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"{url} was not ready in time")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()

    def wait(self) -> int:
        """Block until a process ends, Ctrl-C or SIGTERM; then stop the rest."""
        signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            while all(p.poll() is None for p in self.processes):
                time.sleep(0.5)
            return 1
        except KeyboardInterrupt:
            return 0
        finally:
            self.stop()
