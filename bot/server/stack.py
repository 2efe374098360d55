"""Starts, supervises and stops the running bot: the action server and the Rasa server, as child processes.

Used by `make run` (`python -m bot run`) and by the end-to-end tests, so both start the
stack the same way. Each instance has a run folder of its own (`var/run-<Rasa port>/` for
`python -m bot run`) for the files it generates (endpoints file, web chat secret, pid files) and
its logs, never the terminal; the SQLite databases are in the data folder (`var/`), which
several instances from one checkout share. While the launcher waits (`Stack.wait`), a process
that stops is started again after a backoff, with a line on stderr that names it and its exit
status; the others keep serving.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar, Optional

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_INTERFACE = "127.0.0.1"
# The web chat's session ids are signed with this secret (bot/channels/webchat.py); without
# WEBCHAT_SESSION_SECRET it is made once per run folder, so that a restart keeps the sessions.
WEBCHAT_SECRET_FILE = "webchat-session.secret"
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


def exit_description(status: int) -> str:
    """'exit status 1', or 'killed by SIGKILL (exit status -9)' for a process a signal ended."""
    if status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = f"signal {-status}"
        return f"killed by {name} (exit status {status})"
    return f"exit status {status}"


@dataclass
class Backoff:
    """How long to wait before starting a stopped process again: `first` seconds, doubling up to
    `cap`; back to `first` when the process had run at least `reset_after` seconds (it was healthy,
    so this is a new failure, not the same one again)."""

    first: float = 1.0
    cap: float = 30.0
    reset_after: float = 60.0
    upcoming: float = 0.0

    def delay(self, ran_for: float) -> float:
        if ran_for >= self.reset_after or not self.upcoming:
            self.upcoming = self.first
        delay = self.upcoming
        self.upcoming = min(self.cap, delay * 2)
        return delay


@dataclass
class Child:
    """One process the launcher started, and how to start it again."""

    name: str  # its log file's name in the run folder: actions, rasa, rasa-5006, delivery
    label: str  # for the log line: "action server (port 5055)"
    command: list[str]
    env: dict[str, str]
    process: subprocess.Popen
    started: float  # time.monotonic()
    backoff: Backoff = field(default_factory=Backoff)
    restart_at: Optional[float] = None
    restarts: int = 0


@dataclass
class Stack:
    """One action server and one Rasa server on loopback.

    `run_dir` holds what this instance generates and its logs; `data_dir` (default: `run_dir`)
    holds the SQLite databases, which instances from one checkout share.
    """

    run_dir: Path
    rasa_port: int = 5005
    action_port: int = 5055
    model: Path = PROJECT_ROOT / "models" / "current.tar.gz"
    api_token: Optional[str] = None
    env: dict[str, str] = field(default_factory=dict)
    interface: str = DEFAULT_INTERFACE
    data_dir: Optional[Path] = None
    processes: list[subprocess.Popen] = field(default_factory=list)
    children: dict[str, Child] = field(default_factory=dict)
    backoff: Backoff = field(default_factory=Backoff)  # the policy each child's own copy starts from
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
    def databases(self) -> Path:
        return self.data_dir or self.run_dir

    @property
    def tracker_db(self) -> Path:
        return self.databases / "tracker.db"

    def _environment(self) -> dict[str, str]:
        env = {**os.environ, **self.env}
        env.setdefault("APPLICATIONS_DB", str(self.databases / "applications.db"))
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        env["RASA_TELEMETRY_ENABLED"] = "false"
        env.setdefault("LOG_LEVEL", "INFO")
        env["PYTHONUNBUFFERED"] = "1"
        # Privacy and security: request bodies over this size get 413 before anyone reads them.
        env.setdefault("SANIC_REQUEST_MAX_SIZE", str(REQUEST_MAX_SIZE))
        return env

    def _rasa_environment(self, env: dict[str, str]) -> dict[str, str]:
        """The Rasa server's environment: also the web chat's session secret (only Rasa needs it)."""
        if (env.get("WEBCHAT_SESSION_SECRET") or "").strip():
            return env
        return {**env, "WEBCHAT_SESSION_SECRET": self.webchat_session_secret()}

    def webchat_session_secret(self) -> str:
        """The secret in the run folder, made on first use (readable by this user only)."""
        path = self.run_dir / WEBCHAT_SECRET_FILE
        self.run_dir.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text(encoding="utf-8").strip()
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secrets.token_hex(32) + "\n")
        return path.read_text(encoding="utf-8").strip()

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
        self._spawn("actions", self.action_command(), env, f"action server (port {self.action_port})")
        self._spawn(
            "rasa",
            self.rasa_command(self.rasa_port, endpoints, credentials),
            self._rasa_environment(env),
            f"Rasa server (port {self.rasa_port})",
        )
        if self.runs_delivery and delivery_configured(env):
            # Third process: delivers filed records and sends receipts (bot/records/delivery.py).
            self._spawn("delivery", [sys.executable, "-m", "bot", "deliver"], env, "delivery worker")
        deadline = time.monotonic() + timeout
        self._wait(f"http://127.0.0.1:{self.action_port}/health", deadline)
        self._wait(f"{self.rasa_url}/", deadline)
        return self

    def action_command(self) -> list[str]:
        # rasa-sdk's server behind our launcher, which binds loopback (bot/server/action_server.py).
        return [
            sys.executable,
            "-m",
            "bot.server.action_server",
            "--actions",
            "actions",
            "--port",
            str(self.action_port),
        ]

    def rasa_command(self, port: int, endpoints: Path, credentials: Path, log_name: str = "rasa-internal") -> list[str]:
        """One Rasa server; the scale-out profile (bot/server/production.py) starts several on one endpoints file."""
        # Rasa behind our launcher, which applies the tested speed patches (bot/server/patches/__init__.py).
        command = [
            sys.executable,
            "-m",
            "bot.server.rasa_server",
            "run",
            "--model",
            str(self.model),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(credentials),
            "--interface",
            self.interface,
            "--port",
            str(port),
            "--log-file",
            str(self.run_dir / f"{log_name}.log"),
        ]
        if self.api_token:
            command += ["--enable-api", "--auth-token", self.api_token]
        return command

    def _spawn(
        self, name: str, command: list[str], env: dict[str, str], label: Optional[str] = None
    ) -> subprocess.Popen:
        process = self._popen(name, command, env)
        self.processes.append(process)
        self.children[name] = Child(name, label or name, command, env, process, time.monotonic(), replace(self.backoff))
        return process

    def _popen(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        with open(self.run_dir / f"{name}.log", "ab") as log:  # the child keeps its own copy
            process = subprocess.Popen(
                command, cwd=self.working_dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        process.log_path = self.run_dir / f"{name}.log"  # type: ignore[attr-defined]
        (self.run_dir / f"{name}.pid").write_text(f"{process.pid}\n", encoding="utf-8")
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
            _kill_group(process.pid)  # whatever the process left behind in its group
        for name in self.children:
            (self.run_dir / f"{name}.pid").unlink(missing_ok=True)
        self.processes.clear()
        self.children.clear()

    # -- supervision -------------------------------------------------------------------------

    def supervise_once(self, now: Optional[float] = None) -> None:
        """Notice the processes that stopped and start again those whose backoff is over."""
        now = time.monotonic() if now is None else now
        for child in list(self.children.values()):
            if child.restart_at is None:
                status = child.process.poll()
                if status is None:
                    continue
                delay = child.backoff.delay(now - child.started)
                child.restart_at = now + delay
                _log(
                    f"{child.label}, pid {child.process.pid}, stopped: {exit_description(status)}. "
                    f"Starting it again in {delay:g} s; the other processes keep serving."
                )
            elif now >= child.restart_at:
                self._restart(child, now)

    def _restart(self, child: Child, now: float) -> None:
        _kill_group(child.process.pid)  # e.g. Sanic workers of a killed Rasa server, holding its port
        old = child.process
        child.process = self._popen(child.name, child.command, child.env)
        child.started, child.restart_at = now, None
        child.restarts += 1
        self.processes[self.processes.index(old)] = child.process
        _log(f"{child.label} started again, pid {child.process.pid} (restart {child.restarts}).")

    def supervise(self, stop: threading.Event, poll_seconds: float = 0.5) -> None:
        """Restart every process that stops (after its backoff) until `stop` is set."""
        while not stop.wait(poll_seconds):
            self.supervise_once()

    def wait(self) -> int:
        """Supervise the processes until Ctrl-C or SIGTERM; then stop them all."""
        signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            self.supervise(threading.Event())
            return 0
        except KeyboardInterrupt:
            return 0
        finally:
            self.stop()


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _log(line: str) -> None:
    """The launcher's own log: stderr (the terminal of `make run`, or the service manager's journal)."""
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} supervisor: {line}", file=sys.stderr, flush=True)
