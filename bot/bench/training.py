"""Full and NLU-only training times, each from scratch (forced, with an empty training cache)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

from bot.bench.stacks import RASA
from bot.bench.stock import rasa_env


def _timed(command: list[str], cwd: Path, work: Path) -> dict[str, Any]:
    """Seconds one training took, and the size of the model it wrote.

    `rasa train` gets --force; `rasa train nlu` has no such flag, the empty cache does it.
    """
    out = work / "out"
    cache = work / "cache"  # an empty cache: Rasa would otherwise reuse trained components
    started = time.monotonic()
    force = [] if command[2:3] == ["nlu"] else ["--force"]
    result = subprocess.run([*command, *force, "--out", str(out), "--fixed-model-name", "timed"],
                            cwd=cwd, env=rasa_env(cache), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, timeout=3600)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        return {"seconds": None, "error": result.stderr[-500:]}
    model = out / "timed.tar.gz"
    return {"seconds": round(seconds, 1), "model_mb": round(model.stat().st_size / 2**20, 2)}


def ours(root: Path, work: Path) -> dict[str, Any]:
    full = _timed([RASA, "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "data"],
                  root, work / "ours-full")
    nlu = _timed([RASA, "train", "nlu", "--config", "config.yml", "--domain", "domain.yml",
                  "--nlu", "data/nlu"], root, work / "ours-nlu")
    return {"full": full, "nlu": nlu}


def stock(project: Path, work: Path, init_seconds: float = 0.0) -> dict[str, Any]:
    """The starter bot's trainings. `rasa init` has just trained it fully, from an empty
    cache: its time (scaffolding is a second of it) stands for the full training."""
    if init_seconds:
        model = sorted((project / "models").glob("*.tar.gz"))[-1]
        full = {"seconds": round(init_seconds, 1), "model_mb": round(model.stat().st_size / 2**20, 2),
                "how": "rasa init --no-prompt (scaffold + full training, empty cache)"}
    else:
        full = _timed([RASA, "train"], project, work / "stock-full")
    nlu = _timed([RASA, "train", "nlu"], project, work / "stock-nlu")
    return {"full": full, "nlu": nlu}
