"""The two stacks the benchmark compares, started the same way on free loopback ports.

Ours is the product's own launcher (bot.server.stack.Stack: action server + Rasa server behind
bot/server/rasa_server.py, SQLite tracker store). The stock one is a `rasa init` project with its
own (empty) action server and plain `rasa run`, given the same SQLite tracker store and
Rasa's plain REST channel.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Optional

from bot.server.stack import Stack, free_port

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

    # Rasa's own SQL tracker store on SQLite, as ours has; plain Rasa, no delivery worker.
    tracker_store_type: ClassVar[str] = "SQL"
    runs_delivery: ClassVar[bool] = False

    @property
    def working_dir(self) -> Path:
        return self.project

    def write_credentials(self) -> Path:
        path = self.run_dir / "credentials.yml"
        path.write_text("rest:\n", encoding="utf-8")
        return path

    def action_command(self) -> list[str]:
        return [RASA, "run", "actions", "--actions", "actions", "--port", str(self.action_port)]

    def rasa_command(self, port: int, endpoints: Path, credentials: Path, log_name: str = "rasa-internal") -> list[str]:
        return [
            RASA,
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


# The load comes from one loopback address, far above any rate limit meant for people: our stacks
# run without one, as the stock bot has none (bot/channels/rate_limit.py).
RATE_LIMITS_OFF = {
    "RATE_LIMIT_CLIENT_MESSAGES": "0",
    "RATE_LIMIT_CONVERSATION_MESSAGES": "0",
    "RATE_LIMIT_CLIENT_PAGES": "0",
}


def start_ours(
    run_dir: Path, model: Path, env: Optional[dict[str, str]] = None, api_token: Optional[str] = None
) -> Started:
    stack = Stack(
        run_dir=run_dir,
        rasa_port=free_port(),
        action_port=free_port(),
        model=model,
        api_token=api_token,
        env={**RATE_LIMITS_OFF, **(env or {})},
    )
    started = time.monotonic()
    stack.start(timeout=600)
    return Started("ours", stack, time.monotonic() - started)


def start_stock(run_dir: Path, project: Path, model: Path) -> Started:
    stack = StockStack(run_dir=run_dir, rasa_port=free_port(), action_port=free_port(), model=model, project=project)
    started = time.monotonic()
    stack.start(timeout=600)
    return Started("stock", stack, time.monotonic() - started)
