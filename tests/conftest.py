"""Shared fixtures. End-to-end tests share one running stack per test session."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[1]
# The record schema every filed application must satisfy (bot/data keeps the product's copy).
SCHEMA = json.loads((ROOT / "bot" / "data" / "application-record.schema.json").read_text())
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# The known harmless warnings of Rasa's libraries, as in every process of ours (bot/server/quiet.py).
from bot.server.quiet import silence_known_warnings  # noqa: E402

silence_known_warnings()


# Fixtures that install or start PostgreSQL or Redis (scripts/services.sh): a test using one is marked
# `services` (and `slow`), so `make test-fast` never starts them.
SERVICE_FIXTURES = frozenset({"services", "fresh_databases", "tracker_engine", "scaled_stack", "redis_port"})


def pytest_configure(config: pytest.Config) -> None:
    # pytest sets the warning filters anew for each test: give it the known harmless ones too.
    from bot.server.quiet import KNOWN

    for category, message, path, _why in KNOWN:
        if not path:
            # (a colon separates the fields of a pytest filter: "." matches it in the message)
            config.addinivalue_line("filterwarnings", f"ignore:{message.replace(':', '.')}:{category.__name__}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVICE_FIXTURES & set(getattr(item, "fixturenames", ())) or "tests/scale/" in str(item.path):
            item.add_marker(pytest.mark.services)
            item.add_marker(pytest.mark.slow)


# -- factories shared by the tests (import them from here, never from another test module) ----------
from bot.domain.routing import Answers  # noqa: E402

# Every answer of a finished municipal application.
COMPLETE = Answers(
    sector="kommunal",
    municipality="Vejle",
    region="Region Syddanmark",
    role="TR",
    application_type="enkelt",
    applicant_body="TRIO",
    problem_description="vold",
    theme="vold_og_trusler",
    theme_fit=True,
    consensus=True,
    commitments_accepted=True,
    workplace="Solgården",
    leader_name="Mette Hansen",
    leader_email="m@v.dk",
    leader_phone="+45 12345678",
    rep_name="Lars Nielsen",
    rep_role="TR",
    rep_email="l@v.dk",
    rep_phone="-",
    confirmed=True,
)


def record_for(conversation_id: str, when: Optional[datetime] = None) -> dict:
    """The record COMPLETE files for a conversation (on 1 March 2026 unless `when` says otherwise)."""
    from bot.domain.record import build_record
    from bot.domain.routing import route

    when = when or datetime(2026, 3, 1, tzinfo=timezone.utc)
    return build_record(COMPLETE, route(COMPLETE), conversation_id, "rest", now=when)


def file_records(
    store: Any, count: int, prefix: str = "conv", by_webhook: bool = True, by_email: bool = False, **answers: object
) -> list[str]:
    """File `count` records (COMPLETE, with `answers` changed) in `store`, each planned for delivery to
    its recipient by webhook (and/or e-mail); their references."""
    import dataclasses

    from bot.domain.record import DeliveryPlan, build_record
    from bot.domain.routing import route

    a = dataclasses.replace(COMPLETE, **answers) if answers else COMPLETE
    decision = route(a)
    plan = DeliveryPlan(decision.recipient or "", by_email=by_email, by_webhook=by_webhook)
    refs = []
    for i in range(count):
        stored, _ = store.file(build_record(a, decision, f"{prefix}-{i}", "rest"), plan)
        refs.append(stored["reference"])
    return refs


def wait_until(condition, timeout: float = 30.0, what: str = "condition") -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} not met within {timeout} s")


def statuses(store: Any) -> dict[str, str]:
    return {r["reference"]: r["status"] for r in store.export()}


def start_worker(url: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "deliver", "--db", url],
        cwd=ROOT,
        env={**os.environ, **env, "LOG_LEVEL": "INFO"},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


# -- actions with rasa-sdk's real Tracker and CollectingDispatcher ---------------------------------
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def tracker(
    slots: Optional[dict[str, Any]] = None,
    text: str = "",
    intent: str = "inform",
    candidates: Optional[dict[str, Any]] = None,
    entities: Optional[list] = None,
    channel: str = "rest",
    loop: Optional[str] = "application_form",
) -> Tracker:
    """A tracker as Rasa sends it: slots, the latest message, and slot candidates at the end."""
    slot_values = {slot: None for slot in DOMAIN["slots"]}
    slot_values["requested_slot"] = None
    slot_values.update(slots or {})
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": entities or []}
    events: list[dict] = [{"event": "user", "text": text, "parse_data": latest, "input_channel": channel}]
    for name, value in (candidates or {}).items():
        slot_values[name] = value
        events.append({"event": "slot", "name": name, "value": value})
    return Tracker(
        "test-user", slot_values, latest, events, False, None, {"name": loop} if loop else {}, "action_listen"
    )


def slot_events(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def dispatched(dispatcher: CollectingDispatcher) -> str:
    """All the text an action sent (texts, or the names of the responses it uttered)."""
    return "\n".join(m.get("text") or m.get("response") or "" for m in dispatcher.messages)


async def validate(t: Tracker) -> tuple[dict[str, Any], CollectingDispatcher]:
    """Run the form's validation action on a tracker; the slots it set and what it said."""
    from actions.application_form import ValidateApplicationForm

    dispatcher = CollectingDispatcher()
    events = await ValidateApplicationForm().run(dispatcher, t, DOMAIN)
    return slot_events(events), dispatcher


@pytest.fixture
def delivering(monkeypatch: pytest.MonkeyPatch):
    """Make the actions believe these recipients are configured: `delivering("spark", ...)` (by webhook)."""
    import actions.common
    from bot.records.recipients import RecipientRoute, Routes, WebhookTarget

    def configure(*codes: str) -> Routes:
        routes = Routes(
            {
                code: RecipientRoute(code, webhook=WebhookTarget("https://intake.test/" + code, b"s" * 16))
                for code in codes
            }
        )
        monkeypatch.setattr(actions.common, "_routes", routes)
        return routes

    configure()  # nothing configured, whatever the environment says
    return configure


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

        url = (
            f"{self.stack.rasa_url}/conversations/{urllib.parse.quote(conversation_id(channel, sender), safe=':@')}"
            f"/tracker?token={self.stack.api_token}"
        )
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.load(response)

    def records_of(self, sender: str, channel: str = "rest") -> list[dict]:
        """The filed records of `sender`'s conversation on `channel`."""
        from bot.channels.guard import conversation_id

        return [r for r in self.export() if r["conversation_id"] == conversation_id(channel, sender)]

    def export(self) -> list[dict]:
        env = {**os.environ, "APPLICATIONS_DB": str(self.stack.run_dir / "applications.db")}
        out = subprocess.run(
            [sys.executable, "-m", "bot", "applications", "export"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
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

    patterns = [
        (p["name"], re.compile(p["pattern"], re.IGNORECASE))
        for p in pattern_utils.extract_patterns(load_data(str(path)), use_word_boundaries=True)
    ]
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


# The shared stack serves every test from one loopback address, the fuzz tests hundreds of
# messages a minute: no rate limit there. The rate limit has a stack of its own
# (tests/e2e/test_rate_limit.py).
RATE_LIMITS_OFF = {
    "RATE_LIMIT_CLIENT_MESSAGES": "0",
    "RATE_LIMIT_CONVERSATION_MESSAGES": "0",
    "RATE_LIMIT_CLIENT_PAGES": "0",
}


def socket_session(client: Any, session_id: Optional[str] = None, session_tag: Optional[str] = None) -> dict:
    """Ask a connected socket.io client's server for a web chat session; its {session_id, session_tag}."""
    client.emit("session_request", {"session_id": session_id, "session_tag": session_tag})
    event, session = client.receive(timeout=15)
    assert event == "session_confirm", (event, session)
    return session


@pytest.fixture(scope="session")
def running_bot(tmp_path_factory: pytest.TempPathFactory, stack_env: dict[str, str]) -> Iterator[RunningBot]:
    from bot.server.stack import Stack, free_port

    model = ROOT / "models" / "current.tar.gz"
    if not model.exists():
        pytest.fail("no trained model: run the tests with `make test`, which trains first")
    run_dir = tmp_path_factory.mktemp("stack")
    stack = Stack(
        run_dir=run_dir,
        rasa_port=free_port(),
        action_port=free_port(),
        api_token="test-token-" + os.urandom(6).hex(),
        env={**stack_env, **RATE_LIMITS_OFF},
    )
    stack.start()
    try:
        yield RunningBot(stack)
    finally:
        stack.stop()
