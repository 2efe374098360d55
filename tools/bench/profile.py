"""Where the Rasa server's time goes under load: a py-spy sample, grouped into a few parts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

# Each sampled stack counts for the first part one of its frames belongs to.
PARTS = (
    ("action reply validation (jsonschema)", ("jsonschema/",)),
    ("tracker store (SQLite)", ("rasa/core/tracker_store.py", "bot/server/tracker_store.py")),
    ("NLU pipeline", ("_parse_message_with_graph",)),
    ("policies", ("_predict_next_with_tracker",)),
    ("action-server calls (HTTP, events)", ("rasa/core/actions/action.py",)),
    ("message handling, Sanic, HTTP", ("sanic/", "rasa/core/processor.py", "rasa/core/channels/")),
)


def py_spy() -> Optional[str]:
    found = Path(sys.executable).with_name("py-spy")
    return str(found) if found.exists() else shutil.which("py-spy")


def record(pid: int, seconds: int, out: Path) -> Optional[Path]:
    """Sample a running process (non-blocking, 100 Hz); None when py-spy is missing or not allowed."""
    binary = py_spy()
    if binary is None:
        return None
    result = subprocess.run(
        [
            binary,
            "record",
            "-p",
            str(pid),
            "-d",
            str(seconds),
            "-r",
            "100",
            "-f",
            "raw",
            "-o",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=seconds + 60,
    )
    return out if result.returncode == 0 and out.exists() else None


def summarise(raw: Path) -> dict[str, Any]:
    """Share of the busy samples per part (idle samples, outside any request, are left out)."""
    counts = {name: 0 for name, _ in PARTS}
    counts["other"] = 0
    busy = 0
    for line in raw.read_text(errors="replace").splitlines():
        if not line.strip():
            continue
        stack, _, number = line.rpartition(" ")
        if "handle_message" not in stack:  # not serving a message
            continue
        samples = int(number)
        busy += samples
        for name, markers in PARTS:
            if any(marker in stack for marker in markers):
                counts[name] += samples
                break
        else:
            counts["other"] += samples
    shares = {name: round(100 * n / busy, 1) for name, n in counts.items()} if busy else {}
    return {"busy_samples": busy, "percent": shares}
