"""The stock Rasa starter bot we compare against: `rasa init --no-prompt` in a temporary folder.

Its conversations come from its own stories: each user step is one of that intent's own
training examples (taken in turn, so the messages vary), and the reply must contain the
text of the response the story says comes next.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import time
from pathlib import Path

import yaml

from tools.bench.load import Conversation
from tools.bench.stacks import RASA

VARIANTS_PER_STORY = 5


def rasa_env(cache: Path) -> dict[str, str]:
    """Rasa's environment for a measured run: no telemetry, its own (empty) training cache."""
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "RASA_CACHE_DIRECTORY": str(cache),
    }


def create(folder: Path) -> tuple[Path, float]:
    """Create and train the starter bot in `folder`; its model and the seconds `rasa init` took."""
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    subprocess.run(
        [RASA, "init", "--no-prompt", "--init-dir", str(folder)],
        cwd=folder,
        env=rasa_env(folder / ".rasa" / "cache"),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=1800,
    )
    seconds = time.monotonic() - started
    models = sorted((folder / "models").glob("*.tar.gz"))
    if not models:
        raise RuntimeError(f"rasa init trained no model in {folder}")
    return models[-1], seconds


def _examples(project: Path) -> dict[str, list[str]]:
    data = yaml.safe_load((project / "data" / "nlu.yml").read_text(encoding="utf-8"))
    examples: dict[str, list[str]] = {}
    for block in data.get("nlu", []):
        if "intent" in block:
            examples[block["intent"]] = [
                line[2:].strip() for line in block["examples"].splitlines() if line.strip().startswith("- ")
            ]
    return examples


def _response_texts(project: Path) -> dict[str, str]:
    domain = yaml.safe_load((project / "domain.yml").read_text(encoding="utf-8"))
    return {
        name: variants[0]["text"]
        for name, variants in domain.get("responses", {}).items()
        if len(variants) == 1 and "text" in variants[0]
    }


def conversations(project: Path) -> tuple[Conversation, ...]:
    """Whole conversations from the starter bot's stories, in its own words."""
    stories = yaml.safe_load((project / "data" / "stories.yml").read_text(encoding="utf-8"))["stories"]
    examples = {intent: itertools.cycle(texts) for intent, texts in _examples(project).items()}
    responses = _response_texts(project)
    result = []
    for _variant in range(VARIANTS_PER_STORY):
        for story in stories:
            messages: list[str] = []
            expect: dict[int, str] = {}
            awaiting = False
            for step in story["steps"]:
                if "intent" in step:
                    messages.append(next(examples[step["intent"]]))
                    awaiting = True
                elif awaiting and step.get("action") in responses:
                    expect[len(messages) - 1] = responses[step["action"]]
                    awaiting = False
            result.append(Conversation(name=f"stock:{story['story']}", messages=tuple(messages), expect=expect))
    return tuple(result)
