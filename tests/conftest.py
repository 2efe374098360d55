"""Shared fixtures. End-to-end tests share one running stack per test session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The record schema every filed application must satisfy (bot/data keeps the product's copy).
SCHEMA = json.loads((ROOT / "bot" / "data" / "application-record.schema.json").read_text())
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture
def store(tmp_path: Path):
    from bot.records.store import ApplicationStore

    return ApplicationStore(f"sqlite:///{tmp_path / 'applications.db'}")


class RunningBot:
    """The real action server and Rasa server, plus helpers to talk to them."""

    def __init__(self, stack: Any) -> None:
        self.stack = stack

    def say(self, sender: str, message: str) -> list[dict]:
        request = urllib.request.Request(
            f"{self.stack.rasa_url}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": message}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)

    def conversation(self, sender: str, messages: list[str]) -> list[list[dict]]:
        return [self.say(sender, message) for message in messages]

    def tracker(self, sender: str, channel: str = "rest") -> dict:
        """The tracker of `sender`'s conversation on `channel` (through Rasa's HTTP API, with its token)."""
        from bot.channels.guard import conversation_id

        url = (f"{self.stack.rasa_url}/conversations/{urllib.parse.quote(conversation_id(channel, sender), safe=':@')}"
               f"/tracker?token={self.stack.api_token}")
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.load(response)

    def records_of(self, sender: str, channel: str = "rest") -> list[dict]:
        """The filed records of `sender`'s conversation on `channel`."""
        from bot.channels.guard import conversation_id

        return [r for r in self.export() if r["conversation_id"] == conversation_id(channel, sender)]

    def export(self) -> list[dict]:
        env = {**os.environ, "APPLICATIONS_DB": str(self.stack.run_dir / "applications.db")}
        out = subprocess.run([sys.executable, "-m", "bot", "applications", "export"], cwd=ROOT,
                             env=env, capture_output=True, text=True, check=True).stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]


def texts(replies: list[dict]) -> str:
    """All the text of a list of bot replies, as one string."""
    return "\n".join(r.get("text", "") for r in replies)


def lookup_tables(path: Path) -> dict[str, list[str]]:
    """The NLU lookup tables of a data file: name -> entries."""
    from rasa.shared.nlu.training_data.loading import load_data

    return {table["name"]: table["elements"] for table in load_data(str(path)).lookup_tables}


def lookup_flags(path: Path) -> Any:
    """text -> the names of the file's lookup tables it matches, as Rasa's RegexFeaturizer matches them.

    Rasa's own `pattern_utils.extract_patterns` builds the patterns as the featurizer does when it
    trains; matched case-insensitively, as `case_sensitive: false` in config.yml makes it do.
    """
    import re

    from rasa.nlu.utils import pattern_utils
    from rasa.shared.nlu.training_data.loading import load_data

    patterns = [(p["name"], re.compile(p["pattern"], re.IGNORECASE))
                for p in pattern_utils.extract_patterns(load_data(str(path)), use_word_boundaries=True)]
    return lambda text: {name for name, pattern in patterns if pattern.search(text)}


# Session fixtures (each returning a dict of environment variables) that configure the one
# shared stack: a fake Slack Web API, a fake intake endpoint, a local SMTP server, ...
# Each lives in its own module under tests/fakes/, listed in pytest_plugins.
pytest_plugins: list[str] = ["tests.fakes.slack", "tests.fakes.intake", "tests.fakes.smtp"]
STACK_ENV_FIXTURES: list[str] = ["slack_env", "intake_env", "smtp_env"]


@pytest.fixture(scope="session")
def stack_env(request: pytest.FixtureRequest) -> dict[str, str]:
    env: dict[str, str] = {}
    for name in STACK_ENV_FIXTURES:
        env.update(request.getfixturevalue(name))
    return env


@pytest.fixture(scope="session")
def running_bot(tmp_path_factory: pytest.TempPathFactory, stack_env: dict[str, str]) -> Iterator[RunningBot]:
    from bot.server.stack import Stack, free_port

    model = ROOT / "models" / "current.tar.gz"
    if not model.exists():
        pytest.fail("no trained model: run the tests with `make test`, which trains first")
    run_dir = tmp_path_factory.mktemp("stack")
    stack = Stack(run_dir=run_dir, rasa_port=free_port(), action_port=free_port(),
                  api_token="test-token-" + os.urandom(6).hex(), env=stack_env)
    stack.start()
    try:
        yield RunningBot(stack)
    finally:
        stack.stop()
