"""The two stacks the benchmark compares, started the same way on free loopback ports.

Ours is the product's own launcher (bot.server.stack.Stack: action server + Rasa server behind
bot/server/rasa_server.py, SQLite tracker store). The stock one is a `rasa init` project with its
own (empty) action server and plain `rasa run`, given the same SQLite tracker store and
Rasa's plain REST channel. In the scale-out profile (tools/bench/scaled.py) ours is
bot.server.production.ScaledStack (several Rasa servers on endpoints.production.yml), and the
stock bot runs on the same endpoints with Rasa's own SQL tracker store and Redis lock store.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ClassVar, Optional

import yaml

from bot.server.production import ENDPOINTS, REDIS_LOCK_DB, ScaledStack
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


def process_tree(pid: int) -> list[int]:
    """A process and its descendants (children first found, then theirs); gone ones are left to the reader."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending += _children(current)
    return tree


def _tree_sum(pid: int, read: Callable[[int], float]) -> Optional[float]:
    """The sum of `read(pid)` over a process tree; None if the process has gone."""
    total, seen = 0.0, False
    for current in process_tree(pid):
        try:
            total += read(current)
        except OSError:
            continue
        seen = True
    return total if seen else None


def _status_kb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return float(line.split()[1])
    return 0.0


def _pss_kb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return float(line.split()[1])
    return 0.0


def tree_rss_mb(pid: int) -> Optional[float]:
    """Resident memory of a process and its descendants, in MB (None if it has gone)."""
    total_kb = _tree_sum(pid, lambda current: _status_kb(current, "VmRSS"))
    return None if total_kb is None else round(total_kb / 1024, 1)


def tree_pss_mb(pid: int) -> Optional[float]:
    """Proportional resident memory of a process tree, in MB: memory the processes share (PostgreSQL's
    shared buffers) counted once in all, not once per process as in the RSS."""
    total_kb = _tree_sum(pid, _pss_kb)
    return None if total_kb is None else round(total_kb / 1024, 1)


def tree_cpu_s(pid: int) -> Optional[float]:
    """CPU time (user + system) of a process and its descendants so far, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu_ticks(current: int) -> float:
        fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)

    total = _tree_sum(pid, cpu_ticks)
    return None if total is None else total / ticks


@dataclass
class Started:
    """A running stack and what its start-up measured."""

    name: str
    stack: Stack
    startup_s: float

    @property
    def webhook(self) -> str:
        return f"{self.stack.rasa_url}/webhooks/rest/webhook"

    @property
    def webhooks(self) -> list[str]:
        """The REST webhook of every Rasa server of the stack (several in the scale-out profile)."""
        urls = self.stack.rasa_urls if isinstance(self.stack, ScaledStack) else [self.stack.rasa_url]
        return [f"{url}/webhooks/rest/webhook" for url in urls]

    def _rasa_pids(self) -> list[int]:
        if isinstance(self.stack, ScaledStack):
            return [process.pid for process in self.stack.instances.values()]
        return [self.stack.children["rasa"].process.pid]

    def rss_mb(self) -> dict[str, object]:
        """Resident memory of the Rasa server(s), all together, and of the action server; in the
        scale-out profile also each Rasa instance's (`rasa_instances`)."""
        instances = [tree_rss_mb(pid) for pid in self._rasa_pids()]
        rss: dict[str, object] = {
            "rasa": None if None in instances else round(sum(instances), 1),  # type: ignore[arg-type]
            "actions": tree_rss_mb(self.stack.children["actions"].process.pid),
        }
        if isinstance(self.stack, ScaledStack):
            rss["rasa_instances"] = instances
        return rss

    def cpu_s(self) -> float:
        """CPU seconds used so far by the Rasa server(s) and the action server together."""
        pids = [*self._rasa_pids(), self.stack.children["actions"].process.pid]
        return sum(tree_cpu_s(pid) or 0.0 for pid in pids)


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


def _timed_start(name: str, stack: Stack) -> Started:
    started = time.monotonic()
    stack.start(timeout=600)
    return Started(name, stack, time.monotonic() - started)


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
    return _timed_start("ours", stack)


def start_stock(run_dir: Path, project: Path, model: Path) -> Started:
    stack = StockStack(run_dir=run_dir, rasa_port=free_port(), action_port=free_port(), model=model, project=project)
    return _timed_start("stock", stack)


# -- the scale-out profile ------------------------------------------------------------------

STOCK_LOCK_DB = REDIS_LOCK_DB + 1  # the stock bot's locks on the same Redis, in a database of their own


@dataclass
class StockScaledStack(StockStack, ScaledStack):
    """The stock bot in the scale-out profile: one action server and several plain Rasa servers on
    endpoints.production.yml with Rasa's own stores (`SQL`, `redis`) in place of ours."""

    def write_endpoints(self) -> Path:
        # The same servers and settings, read from the same environment variables by Rasa itself.
        endpoints = yaml.safe_load(ENDPOINTS.read_text(encoding="utf-8"))
        endpoints["tracker_store"]["type"] = "SQL"
        endpoints["lock_store"].update(type="redis", db=STOCK_LOCK_DB)
        path = self.run_dir / "endpoints.yml"
        path.write_text(yaml.safe_dump(endpoints, sort_keys=False), encoding="utf-8")
        return path

    def start(self, timeout: float = 300.0) -> "StockScaledStack":
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.endpoints = self.write_endpoints()
        super().start(timeout)
        return self


def start_scaled(
    run_dir: Path, model: Path, env: dict[str, str], instances: int, stock_project: Optional[Path] = None
) -> Started:
    """Ours as `make run-scaled` starts it, or with `stock_project` the stock bot the same way; `env`
    holds DB_*, REDIS_* and (for ours) APPLICATIONS_DB_URL."""
    ports: set[int] = set()
    while len(ports) < instances + 1:
        ports.add(free_port())
    action_port, *rasa_ports = sorted(ports)
    settings = {
        "run_dir": run_dir,
        "action_port": action_port,
        "rasa_ports": tuple(rasa_ports),
        "model": model,
        "env": {**RATE_LIMITS_OFF, "SANIC_WORKERS": "1", **env},
    }
    if stock_project is None:
        return _timed_start("ours", ScaledStack(**settings))
    return _timed_start("stock", StockScaledStack(**settings, project=stock_project))
