"""`python -m bot run` as people start it, twice from this checkout on other ports: run folders of
their own, loopback only, and supervision (kill -9 of the action server and of the Rasa server
mid-conversation: started again, the conversation goes on where it was; while the action server
is down the user is asked to try again in a moment, and "glem mig" is carried out).

Both instances share one data folder (the SQLite databases, as two `make run`s from one checkout
share var/), here a temporary one; their run folders are var/run-<port>/ in this checkout,
removed afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from bot.domain import messages
from tests.conftest import ROOT, texts
from tests.fakes.intake import FakeIntake, intake_settings

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FIRST = "Jeg er TR på et plejecenter i Vejle, og vi har meget vold fra borgerne"
ONE_WORKPLACE = "kun vores egen arbejdsplads"
TOKEN = "supervision-" + os.urandom(6).hex()


@dataclass
class Instance:
    """One `python -m bot run` launcher and what it started."""

    rasa_port: int
    action_port: int
    launcher: subprocess.Popen
    out: Path
    err: Path

    @property
    def run_dir(self) -> Path:
        return ROOT / "var" / f"run-{self.rasa_port}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def pid(self, name: str) -> int:
        return int((self.run_dir / f"{name}.pid").read_text())

    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")

    def say(self, sender: str, text: str) -> list[dict]:
        request = urllib.request.Request(
            f"{self.url}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)

    def slots(self, sender: str) -> dict:
        url = f"{self.url}/conversations/rest:{sender}/tracker?token={TOKEN}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.load(response)["slots"]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"{what} not within {timeout:g} s")


def launch(rasa_port: int, action_port: int, data_dir: Path, logs: Path, **extra: str) -> Instance:
    out, err = logs / f"launcher-{rasa_port}.out", logs / f"launcher-{rasa_port}.err"
    env = {**os.environ, "RASA_API_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1", "SMTP_HOST": "", **extra}
    for name in ("RASA_INTERFACE", "ACTION_SERVER_INTERFACE", "WEBCHAT_SESSION_SECRET"):
        env.pop(name, None)  # the defaults are what this test is about
    launcher = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "run",
            "--port",
            str(rasa_port),
            "--action-port",
            str(action_port),
            "--data-dir",
            str(data_dir),
        ],
        cwd=ROOT,
        env=env,
        stdout=out.open("wb"),
        stderr=err.open("wb"),
        start_new_session=True,
    )
    return Instance(rasa_port, action_port, launcher, out, err)


def shut_down(instance: Instance) -> None:
    if instance.launcher.poll() is None:
        instance.launcher.send_signal(signal.SIGCONT)  # in case a test left it paused
        instance.launcher.send_signal(signal.SIGTERM)
        try:
            instance.launcher.wait(timeout=60)
        except subprocess.TimeoutExpired:
            instance.launcher.kill()
    for pid_file in instance.run_dir.glob("*.pid"):  # whatever the launcher could not stop
        try:
            os.killpg(int(pid_file.read_text()), signal.SIGKILL)
        except (ProcessLookupError, PermissionError, ValueError):
            pass
    shutil.rmtree(instance.run_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def instances(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Instance, Instance]]:
    from bot.server.stack import free_port

    if not (ROOT / "models" / "current.tar.gz").exists():
        pytest.fail("no trained model: run the tests with `make test`, which trains first")
    data_dir = tmp_path_factory.mktemp("shared-data")
    logs = tmp_path_factory.mktemp("launchers")
    ports: set[int] = set()
    while len(ports) < 4:
        ports.add(free_port())
    a_rasa, a_actions, b_rasa, b_actions = sorted(ports)
    intake = FakeIntake().start()  # instance A also starts the delivery worker (it has no port)
    started = [
        launch(a_rasa, a_actions, data_dir, logs, **intake_settings(intake)),
        launch(b_rasa, b_actions, data_dir, logs, INTAKE_WEBHOOK_URL=""),
    ]
    try:
        for instance in started:
            wait_for(
                lambda instance=instance: (
                    "Arbejdsmiljøguiden kører." in instance.out.read_text(errors="replace")
                    or instance.launcher.poll() is not None
                ),
                300,
                f"instance on {instance.rasa_port}",
            )
            assert instance.launcher.poll() is None, instance.stderr()[-3000:]
        yield started[0], started[1]
    finally:
        for instance in started:
            shut_down(instance)
        intake.stop()


def test_two_instances_from_one_checkout_have_run_folders_of_their_own(instances):
    a, b = instances
    for instance in (a, b):
        endpoints = yaml.safe_load((instance.run_dir / "endpoints.yml").read_text())
        assert endpoints["action_endpoint"]["url"] == f"http://127.0.0.1:{instance.action_port}/webhook"
        assert {
            "rasa.log",
            "actions.log",
            "rasa-internal.log",
            "rasa.pid",
            "actions.pid",
            "webchat-session.secret",
        } <= {p.name for p in instance.run_dir.iterdir()}
        assert f"Logfiler:          var/run-{instance.rasa_port}/*.log" in instance.out.read_text()
    # One data folder: the conversations of both are in the same tracker store.
    assert (
        yaml.safe_load((a.run_dir / "endpoints.yml").read_text())["tracker_store"]["db"]
        == yaml.safe_load((b.run_dir / "endpoints.yml").read_text())["tracker_store"]["db"]
    )
    for instance in (a, b):
        assert "én arbejdsplads" in texts(instance.say(f"two-{instance.rasa_port}", FIRST))


# -- loopback ------------------------------------------------------------------------------------


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, pending = set(), [root]
    while pending:
        pid = pending.pop()
        found.add(pid)
        pending += children.get(pid, [])
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _bound_sockets() -> dict[str, tuple[str, str, int]]:
    """inode -> (table, local address in hex, port) of every listening TCP and every bound UDP socket."""
    found = {}
    for table in ("tcp", "tcp6", "udp", "udp6"):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            address, port = fields[1].split(":")
            if table.startswith("tcp") and fields[3] != "0A":  # only LISTEN
                continue
            found[fields[9]] = (table, address, int(port, 16))
    return found


def _loopback(table: str, address: str) -> bool:
    if table.endswith("6"):
        return address in (
            "00000000000000000000000001000000",  # ::1
            "0000000000000000FFFF00000100007F",
        )  # ::ffff:127.0.0.1
    return address.endswith("7F")  # 127.x.x.x, little-endian


def test_everything_the_bot_starts_listens_on_loopback_only(instances):
    a, _ = instances
    assert a.pid("delivery") in _descendants(a.launcher.pid), "the delivery worker runs in instance A"
    sockets = _bound_sockets()
    for instance in instances:
        bound = [
            sockets[inode]
            for pid in _descendants(instance.launcher.pid)
            for inode in _socket_inodes(pid)
            if inode in sockets
        ]
        ports = {port for _, _, port in bound}
        assert {instance.rasa_port, instance.action_port} <= ports, bound
        assert [s for s in bound if not _loopback(s[0], s[1])] == [], "listening beyond loopback"


# -- supervision ---------------------------------------------------------------------------------


def stored_rows(data_dir_db: Path, conversation: str) -> int:
    with sqlite3.connect(data_dir_db) as connection:
        return connection.execute("SELECT count(*) FROM events WHERE sender_id = ?", (conversation,)).fetchone()[0]


def test_a_killed_action_server_is_started_again_and_the_conversation_goes_on(instances):
    a, b = instances
    assert "én arbejdsplads" in texts(a.say("kill-actions-form", FIRST))
    assert "én arbejdsplads" in texts(a.say("kill-actions-forget", FIRST))
    assert "én arbejdsplads" in texts(b.say("kill-actions-other", FIRST))
    tracker_db = Path(yaml.safe_load((a.run_dir / "endpoints.yml").read_text())["tracker_store"]["db"])
    assert stored_rows(tracker_db, "rest:kill-actions-forget") > 0
    killed, rasa = a.pid("actions"), a.pid("rasa")

    # The launcher is paused while the action server is down, so that the window in which the user
    # writes to a bot without its action server stays open as long as these checks take; the
    # kill -9 itself is a real one.
    a.launcher.send_signal(signal.SIGSTOP)
    try:
        os.killpg(killed, signal.SIGKILL)
        wait_for(lambda: not answers(f"http://127.0.0.1:{a.action_port}/health"), 30, "the action server gone")

        assert texts(a.say("kill-actions-form", ONE_WORKPLACE)) == messages.ACTION_SERVER_DOWN
        assert a.slots("kill-actions-form")["application_type"] is None, "nothing of that turn was stored"
        forgotten = texts(a.say("kill-actions-forget", "glem mig"))
        assert "Jeg har slettet vores samtale" in forgotten and "om I allerede havde registreret" in forgotten
        assert stored_rows(tracker_db, "rest:kill-actions-forget") == 0, "'glem mig' was carried out"
        assert "Samarbejde om Psykisk ARbejdsmiljø" in texts(a.say("kill-actions-faq", "Hvad er SPARK?")), (
            "the Rasa server keeps serving what needs no action server"
        )
        assert "TRIO" in texts(b.say("kill-actions-other", ONE_WORKPLACE)), "the other instance has its own"
    finally:
        a.launcher.send_signal(signal.SIGCONT)

    wait_for(lambda: answers(f"http://127.0.0.1:{a.action_port}/health"), 120, "the action server started again")
    assert a.pid("actions") != killed and a.pid("rasa") == rasa
    log = a.stderr()
    assert f"action server (port {a.action_port}), pid {killed}, stopped: killed by SIGKILL (exit status -9)" in log
    assert f"action server (port {a.action_port}) started again, pid {a.pid('actions')}" in log

    reply = texts(a.say("kill-actions-form", ONE_WORKPLACE))
    assert "TRIO" in reply, reply
    slots = a.slots("kill-actions-form")
    assert slots["municipality"] == "Vejle" and slots["application_type"] == "enkelt"


def test_a_killed_rasa_server_is_started_again_and_the_conversation_goes_on(instances):
    a, b = instances
    assert "én arbejdsplads" in texts(b.say("kill-rasa", FIRST))
    killed, actions = b.pid("rasa"), b.pid("actions")

    os.killpg(killed, signal.SIGKILL)
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        b.say("kill-rasa", ONE_WORKPLACE)
    assert "Samarbejde om Psykisk ARbejdsmiljø" in texts(a.say("kill-rasa-meanwhile", "Hvad er SPARK?"))

    wait_for(lambda: answers(f"{b.url}/"), 300, "the Rasa server started again")
    assert b.pid("rasa") != killed and b.pid("actions") == actions
    log = b.stderr()
    assert f"Rasa server (port {b.rasa_port}), pid {killed}, stopped: killed by SIGKILL (exit status -9)" in log
    assert "the other processes keep serving" in log

    reply = texts(b.say("kill-rasa", ONE_WORKPLACE))
    assert "TRIO" in reply, reply
    assert b.slots("kill-rasa")["municipality"] == "Vejle"
