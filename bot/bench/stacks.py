"""The two stacks the benchmark compares, started the same way on free loopback ports.

Ours is the product's own launcher (bot.stack.Stack: action server + Rasa server behind
bot/rasa_server.py, SQLite tracker store). The stock one is a `rasa init` project with its
own (empty) action server and plain `rasa run`, given the same SQLite tracker store and
Rasa's plain REST channel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from bot.stack import Stack, free_port

RASA = str(Path(sys.executable).with_name("rasa"))


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree_rss_mb(pid: int) -> Optional[float]:
    """Resident memory of a process and its descendants, in MB (None if it has gone)."""
    total_kb = 0
    pending = [pid]
    seen = False
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        seen = True
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
        pending += _children(current)
    return round(total_kb / 1024, 1) if seen else None


def tree_cpu_s(pid: int) -> Optional[float]:
    """CPU time (user + system) of a process and its descendants so far, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    pending = [pid]
    seen = False
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seen = True
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        pending += _children(current)
    return total / ticks if seen else None


@dataclass
class Started:
    """A running stack and what its start-up measured."""

    name: str
    stack: Stack
    startup_s: float

    @property
    def webhook(self) -> str:
        return f"{self.stack.rasa_url}/webhooks/rest/webhook"

    def rss_mb(self) -> dict[str, Optional[float]]:
        """Resident memory of the Rasa server and of the action server."""
        actions, rasa = self.stack.processes[0], self.stack.processes[1]
        return {"rasa": tree_rss_mb(rasa.pid), "actions": tree_rss_mb(actions.pid)}

    def cpu_s(self) -> float:
        """CPU seconds used so far by the Rasa server and the action server together."""
        return sum(tree_cpu_s(p.pid) or 0.0 for p in self.stack.processes[:2])


@dataclass
class StockStack(Stack):
    """A `rasa init` project run with plain Rasa: its action server and its Rasa server."""

    project: Path = Path(".")

    def write_endpoints(self) -> Path:
        """Rasa's own SQL tracker store on SQLite, as ours has (the stock bot calls no actions)."""
        path = self.run_dir / "endpoints.yml"
        path.write_text(
            "action_endpoint:\n"
            f'  url: "{self.action_url}"\n'
            "tracker_store:\n"
            "  type: SQL\n"
            '  dialect: "sqlite"\n'
            f'  db: "{self.tracker_db}"\n',
            encoding="utf-8",
        )
        return path

    def write_credentials(self) -> Path:
        path = self.run_dir / "credentials.yml"
        path.write_text("rest:\n", encoding="utf-8")
        return path

    def start(self, timeout: float = 300.0) -> "StockStack":
        self.run_dir.mkdir(parents=True, exist_ok=True)
        endpoints_file = self.write_endpoints()
        credentials = self.write_credentials()
        env = self._environment()
        self._spawn("actions", [RASA, "run", "actions", "--actions", "actions",
                                "--port", str(self.action_port)], env)
        self._spawn("rasa", [RASA, "run", "--model", str(self.model), "--endpoints", str(endpoints_file),
                             "--credentials", str(credentials), "--interface", self.interface,
                             "--port", str(self.rasa_port),
                             "--log-file", str(self.run_dir / "rasa-internal.log")], env)
        deadline = time.monotonic() + timeout
        self._wait(f"http://127.0.0.1:{self.action_port}/health", deadline)
        self._wait(f"{self.rasa_url}/", deadline)
        return self

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.run_dir / f"{name}.log", "ab")
        process = subprocess.Popen(command, cwd=self.project, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        process.log_path = self.run_dir / f"{name}.log"  # type: ignore[attr-defined]
        self.processes.append(process)
        return process


def start_ours(run_dir: Path, model: Path, env: Optional[dict[str, str]] = None,
               api_token: Optional[str] = None) -> Started:
    stack = Stack(run_dir=run_dir, rasa_port=free_port(), action_port=free_port(), model=model,
                  api_token=api_token, env=dict(env or {}))
    started = time.monotonic()
    stack.start(timeout=600)
    return Started("ours", stack, time.monotonic() - started)


def start_stock(run_dir: Path, project: Path, model: Path) -> Started:
    stack = StockStack(run_dir=run_dir, rasa_port=free_port(), action_port=free_port(), model=model,
                       project=project)
    started = time.monotonic()
    stack.start(timeout=600)
    return Started("stock", stack, time.monotonic() - started)
