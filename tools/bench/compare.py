"""Compare variants of our own stack side by side, the way `make bench` compares us with stock.

    python -m tools.bench.compare patched:RASA_PATCHES=all unpatched:RASA_PATCHES=none
    python -m tools.bench.compare now: smaller:MODEL=/tmp/variant.tar.gz

A variant is `name:` followed by comma-separated KEY=VALUE settings: environment variables
for both servers, MODEL (a trained model to load instead of models/current.tar.gz), or
WORKERS=N (N Sanic workers, with a Redis lock store on a redis-server of its own on
loopback: Rasa refuses more than one worker without a shared lock store).
Used to measure each change listed in tools/bench/data/experiments.md. Prints a table and
writes reports/compare.json.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from bot.server.stack import Stack, free_port
from tools.bench import load
from tools.bench.run import MODEL, REPORTS, Bot, log, median, run_round, setting
from tools.bench.stacks import RATE_LIMITS_OFF, Started, start_ours


@dataclass
class LockedStack(Stack):
    """Our stack with a Redis lock store, so that Rasa may run several Sanic workers."""

    redis_port: int = 0

    def write_endpoints(self) -> Path:
        path = super().write_endpoints()
        path.write_text(
            path.read_text(encoding="utf-8") + "lock_store:\n  type: redis\n"
            f"  url: 127.0.0.1\n  port: {self.redis_port}\n  db: 1\n",
            encoding="utf-8",
        )
        return path


def start_redis(folder: Path) -> tuple[subprocess.Popen, int]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("WORKERS needs redis-server (apt-get install redis-server)")
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1)
    return process, port


def parse_variant(text: str) -> tuple[str, dict[str, str]]:
    name, _, settings = text.partition(":")
    pairs = dict(item.split("=", 1) for item in settings.split(",") if item.strip())
    return name, pairs


def main(argv: list[str]) -> int:
    variants = [parse_variant(v) for v in argv]
    if len(variants) < 2:
        print(__doc__)
        return 2
    rounds = int(setting("BENCH_ROUNDS", "3"))
    seconds = float(setting("BENCH_SECONDS", "15"))
    slices = int(setting("BENCH_SLICES", "3"))
    users_levels = [int(u) for u in setting("BENCH_USERS", "1,16").split(",")]
    token = "compare-" + secrets.token_hex(6)
    conversations = load.load_conversations()
    problems: list[str] = []
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="compare-") as tmp:
        work = Path(tmp)

        redis: Optional[subprocess.Popen] = None
        redis_port = 0
        if any("WORKERS" in settings for _, settings in variants):
            redis, redis_port = start_redis(work / "redis")

        def starter(name: str, settings: dict[str, str]):
            env = {k: v for k, v in settings.items() if k not in ("MODEL", "WORKERS")}
            model = Path(settings.get("MODEL", str(MODEL)))
            if "WORKERS" not in settings:
                return lambda n: start_ours(work / f"{name}-{n}", model, env=env, api_token=token)

            def start(n: int) -> Started:
                stack = LockedStack(
                    run_dir=work / f"{name}-{n}",
                    rasa_port=free_port(),
                    action_port=free_port(),
                    model=model,
                    api_token=token,
                    env={**RATE_LIMITS_OFF, **env, "SANIC_WORKERS": settings["WORKERS"]},
                    redis_port=redis_port,
                )
                began = time.monotonic()
                stack.start(timeout=600)
                return Started(name, stack, time.monotonic() - began)

            return start

        bots = [Bot(name, starter(name, settings), conversations) for name, settings in variants]
        try:
            for round_number in range(rounds):
                runs += run_round(round_number, bots, users_levels, seconds, slices, problems)
        finally:
            if redis is not None:
                redis.terminate()
                redis.wait(timeout=10)
    table: dict[str, Any] = {}
    for name, settings in variants:
        mine = [r for r in runs if r["bot"] == name]
        table[name] = {
            "settings": settings,
            "rounds": len(mine),
            "startup_s": median([r["startup_s"] for r in mine]),
            "rss_after_load_mb": median(
                [(r["rss_after_load_mb"]["rasa"] or 0) + (r["rss_after_load_mb"]["actions"] or 0) for r in mine]
            ),
        }
        for users in users_levels:
            for key in ("p50_ms", "throughput_msg_s", "cpu_ms_per_msg", "errors"):
                table[name][f"{key}@{users}"] = median([r["levels"][str(users)][key] for r in mine])
    (REPORTS / "compare.json").write_text(
        json.dumps({"table": table, "problems": problems, "load": os.getloadavg()}, indent=1) + "\n"
    )
    keys = [k for k in next(iter(table.values())) if k not in ("settings",)]
    print("variant".ljust(14) + "".join(k.rjust(22) for k in keys))
    for name, row in table.items():
        print(name.ljust(14) + "".join(str(row[k]).rjust(22) for k in keys))
    for problem in problems:
        log(f"problem: {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
