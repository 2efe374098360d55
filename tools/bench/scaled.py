"""`make bench`, scale-out section: ours and the stock bot, each with two Rasa instances on PostgreSQL and Redis.

Both run as `make run-scaled` runs ours: PostgreSQL and Redis from `scripts/services.sh`
(bot/server/local_services.py), one action server and two Rasa servers per bot. Ours on
endpoints.production.yml; the stock `rasa init` bot on the same file with Rasa's own stores (SQL
tracker store, Redis lock store): each bot in a PostgreSQL database of its own on the same server,
its locks in a Redis database of its own. The profile has no load balancer, so the load generator
spreads each conversation's messages over the instances (tools/bench/load.py `instance_url`).
Every users level is measured with the load on the first instance only and on both, in
alternating slices (tools/bench/run.py `run_round`); one round, so the section fits a few minutes.

    python -m tools.bench.scaled    # this section alone: prints it, writes var/bench-scaled.json

Settings (environment): BENCH_SCALED (1; 0 skips the section), BENCH_SCALED_BUDGET_MIN (5),
BENCH_SCALED_USERS ("16,64"), BENCH_SCALED_SECONDS per level, bot and instance count (10), split into
BENCH_SCALED_SLICES (2), BENCH_STOCK_DIR (development: reuse a trained `rasa init` folder).
"""

from __future__ import annotations

import json
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.server import local_services
from bot.server.services import ServiceUnavailable
from tools.bench import load, stock
from tools.bench.run import MODEL, ROOT, Bot, level_key, log, run_round, setting, stock_bot, summarise_rounds
from tools.bench.stacks import Started, start_scaled, tree_pss_mb, tree_rss_mb

INSTANCES = 2
# Start-up and warm-up of both stacks here (the stock bot's two instances load TensorFlow at once).
STARTS_ESTIMATE_S = 180


def settings() -> dict[str, Any]:
    return {
        "budget_min": float(setting("BENCH_SCALED_BUDGET_MIN", "5")),
        "users": [int(u) for u in setting("BENCH_SCALED_USERS", "16,64").split(",")],
        "seconds_per_level": float(setting("BENCH_SCALED_SECONDS", "10")),
        "slices": int(setting("BENCH_SCALED_SLICES", "2")),
        "instances": [1, INSTANCES],
    }


def planned_seconds(chosen: dict[str, Any]) -> float:
    """What the section takes once PostgreSQL and Redis run: start-ups, then every level on both bots."""
    levels = len(chosen["users"]) * len(chosen["instances"])
    return STARTS_ESTIMATE_S + 2 * levels * chosen["seconds_per_level"]


def infrastructure_memory() -> dict[str, Any]:
    """RSS and PSS of PostgreSQL (the postmaster and every backend) and of Redis, while both bots are connected."""
    memory: dict[str, Any] = {}
    for name, pid in local_services.service_pids().items():
        memory[name] = {"rss_mb": tree_rss_mb(pid), "pss_mb": tree_pss_mb(pid)}
    return memory


def measure(work: Path, model: Path, stock_project: Path, stock_model: Path, budget_s: float) -> dict[str, Any]:
    """The section's figures, or {"skipped": why} when PostgreSQL or Redis cannot run or time is short."""
    began = time.monotonic()
    chosen = settings()
    try:
        log("scale-out: PostgreSQL and Redis (scripts/services.sh start)")
        with local_services.running(timeout=max(60.0, budget_s)) as env:
            left = budget_s - (time.monotonic() - began)
            if planned_seconds(chosen) > left:
                return {
                    "skipped": f"the section's budget was used up starting PostgreSQL and Redis ({left:.0f} s left)"
                }
            prefix = "bench_" + secrets.token_hex(5)
            names = {"ours": f"{prefix}_ours", "applications": f"{prefix}_applications", "stock": f"{prefix}_stock"}
            with local_services.scratch_databases(env, names.values()):
                applications = local_services.database_url(env, names["applications"])
                ours_env = {
                    **env,
                    "DB_DATABASE": names["ours"],
                    "APPLICATIONS_DB_URL": applications.render_as_string(hide_password=False),
                }
                stock_env = {**env, "DB_DATABASE": names["stock"]}
                infrastructure: dict[str, Any] = {}

                def note_infrastructure(_started: Started) -> None:
                    infrastructure.update(infrastructure_memory())

                bots = [
                    Bot(
                        "ours",
                        lambda n: start_scaled(work / "scaled-ours", model, ours_env, INSTANCES),
                        load.load_conversations(),
                        after_load=note_infrastructure,
                    ),
                    Bot(
                        "stock",
                        lambda n: start_scaled(work / "scaled-stock", stock_model, stock_env, INSTANCES, stock_project),
                        stock.conversations(stock_project),
                    ),
                ]
                problems: list[str] = []
                runs = run_round(
                    0,
                    bots,
                    chosen["users"],
                    chosen["seconds_per_level"],
                    chosen["slices"],
                    problems,
                    instance_counts=chosen["instances"],
                )
    except ServiceUnavailable as error:
        last = ([line for line in str(error).splitlines() if line.strip()] or [""])[-1]
        return {"skipped": f"PostgreSQL/Redis could not be installed or started ({last[:300]})"}
    keys = [level_key(u, i) for u in chosen["users"] for i in chosen["instances"]]
    for run in runs:  # the raw latencies stay out of the report's JSON
        for level in run.get("levels", {}).values():
            level.pop("latencies_ms", None)
    return {
        "settings": chosen,
        "runs": runs,
        "speed": summarise_rounds(runs, keys),
        "infrastructure_mb": infrastructure,
        "problems": problems,
        "duration_s": round(time.monotonic() - began, 1),
    }


def main() -> int:
    from tools.bench.report import scaled_lines

    with tempfile.TemporaryDirectory(prefix="bench-scaled-") as tmp:
        work = Path(tmp)
        stock_project, stock_model, _ = stock_bot(work)
        model = work / "ours.tar.gz"
        shutil.copy(MODEL, model)
        result = measure(work, model, stock_project, stock_model, 60 * settings()["budget_min"])
    out = ROOT / "var" / "bench-scaled.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print("\n".join(scaled_lines(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
