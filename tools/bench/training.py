"""Full and NLU-only training times, each from scratch (forced, with an empty training cache).

Timed in interleaved rounds (ours full, stock full, ours NLU, stock NLU) while they fit a time
budget, so that each figure is a median of up to three runs meeting the same background load.
"""

from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

from tools.bench.stacks import RASA
from tools.bench.stock import rasa_env


def _timed(command: list[str], cwd: Path, work: Path) -> dict[str, Any]:
    """Seconds one training took, and the size of the model it wrote.

    `rasa train` gets --force; `rasa train nlu` has no such flag, the empty cache does it.
    """
    out = work / "out"
    cache = work / "cache"  # an empty cache: Rasa would otherwise reuse trained components
    started = time.monotonic()
    force = [] if command[2:3] == ["nlu"] else ["--force"]
    result = subprocess.run(
        [*command, *force, "--out", str(out), "--fixed-model-name", "timed"],
        cwd=cwd,
        env=rasa_env(cache),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=3600,
    )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        return {"seconds": None, "error": result.stderr[-500:]}
    model = out / "timed.tar.gz"
    return {"seconds": round(seconds, 1), "model_mb": round(model.stat().st_size / 2**20, 2)}


def _ours(root: Path, work: Path, kind: str) -> dict[str, Any]:
    if kind == "full":
        return _timed(
            [RASA, "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "data"],
            root,
            work / "ours-full",
        )
    return _timed(
        [RASA, "train", "nlu", "--config", "config.yml", "--domain", "domain.yml", "--nlu", "data/nlu"],
        root,
        work / "ours-nlu",
    )


def _stock(project: Path, work: Path, kind: str) -> dict[str, Any]:
    return _timed([RASA, "train"] if kind == "full" else [RASA, "train", "nlu"], project, work / f"stock-{kind}")


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    seconds = [r["seconds"] for r in runs if r.get("seconds") is not None]
    if not seconds:
        return {"seconds": None, "runs": runs, "error": next((r.get("error") for r in runs), None)}
    return {
        "seconds": round(statistics.median(seconds), 1),
        "runs": [r.get("seconds") for r in runs],
        "model_mb": next(r["model_mb"] for r in runs if r.get("model_mb") is not None),
    }


def measure(
    root: Path, stock_project: Path, work: Path, init_seconds: float = 0.0, rounds: int = 3, budget_s: float = 480.0
) -> dict[str, Any]:
    """Medians of up to `rounds` interleaved runs of each training, within `budget_s` seconds.

    The stock bot's first full training is its `rasa init` (scaffolding is a second of it),
    which has just trained it from an empty cache; later rounds time `rasa train --force`.
    """
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {
        (who, kind): [] for who in ("ours", "stock") for kind in ("full", "nlu")
    }
    if init_seconds:
        model = sorted((stock_project / "models").glob("*.tar.gz"))[-1]
        runs[("stock", "full")].append(
            {"seconds": round(init_seconds, 1), "model_mb": round(model.stat().st_size / 2**20, 2)}
        )
    began = time.monotonic()
    done = 0
    while done < rounds:
        round_began = time.monotonic()
        for kind in ("full", "nlu"):
            runs[("ours", kind)].append(_ours(root, work, kind))
            if len(runs[("stock", kind)]) <= done:
                runs[("stock", kind)].append(_stock(stock_project, work, kind))
        done += 1
        took = time.monotonic() - round_began
        if time.monotonic() - began + took > budget_s:
            break
    result: dict[str, Any] = {
        who: {kind: _median(runs[(who, kind)]) for kind in ("full", "nlu")} for who in ("ours", "stock")
    }
    result["rounds"] = done
    return result
