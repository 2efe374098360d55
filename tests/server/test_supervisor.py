"""The launcher's supervision (bot/server/stack.py): the backoff, the log line, a real process restarted.

Real child processes (a sleeping Python), no Rasa: the kill -9 of the real action server and
Rasa server is in tests/e2e/test_supervision.py.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from bot.server.production import ScaledStack
from bot.server.stack import Backoff, Stack, exit_description

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def test_backoff_doubles_from_one_second_up_to_thirty():
    backoff = Backoff()
    assert [backoff.delay(ran_for=0.5) for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]


def test_backoff_starts_again_from_one_second_after_a_process_ran_a_while():
    backoff = Backoff(reset_after=60)
    assert [backoff.delay(ran_for=2) for _ in range(4)] == [1, 2, 4, 8]
    assert backoff.delay(ran_for=61) == 1
    assert backoff.delay(ran_for=3) == 2


def test_exit_description_names_the_signal():
    assert exit_description(-9) == "killed by SIGKILL (exit status -9)"
    assert exit_description(-15) == "killed by SIGTERM (exit status -15)"
    assert exit_description(1) == "exit status 1"


@pytest.fixture
def stack(tmp_path: Path):
    stack = Stack(run_dir=tmp_path)
    stack._spawn("actions", SLEEPER, dict(os.environ), "action server (port 5055)")
    stack._spawn("rasa", SLEEPER, dict(os.environ), "Rasa server (port 5005)")
    yield stack
    stack.stop()


def test_a_killed_process_is_started_again_after_its_backoff_and_the_others_keep_running(stack, capsys):
    actions, rasa = stack.processes
    os.kill(actions.pid, signal.SIGKILL)
    actions.wait(timeout=10)

    stack.supervise_once(now=1000.0)
    line = capsys.readouterr().err
    expected = f"supervisor: action server (port 5055), pid {actions.pid}, stopped: killed by SIGKILL (exit status -9)"
    assert expected in line
    assert "again in 1 s" in line and "the other processes keep serving" in line
    assert stack.processes[0] is actions, "not before the backoff is over"

    stack.supervise_once(now=1001.0)
    restarted = stack.processes[0]
    assert restarted is not actions and restarted.poll() is None
    assert stack.processes[1] is rasa and rasa.poll() is None, "the Rasa server was left alone"
    assert (stack.run_dir / "actions.pid").read_text().strip() == str(restarted.pid)
    assert f"action server (port 5055) started again, pid {restarted.pid} (restart 1)" in capsys.readouterr().err


def test_a_process_that_keeps_failing_waits_longer_each_time(stack, capsys):
    now = 1000.0
    delays = []
    for _ in range(3):
        process = stack.children["rasa"].process
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        stack.supervise_once(now=now)
        delays.append(stack.children["rasa"].restart_at - now)
        now = stack.children["rasa"].restart_at
        stack.supervise_once(now=now)  # started again; it dies again at once
    assert delays == [1, 2, 4]
    assert stack.children["rasa"].restarts == 3 and stack.children["actions"].restarts == 0


def test_stop_ends_every_process_and_removes_the_pid_files(tmp_path):
    stack = Stack(run_dir=tmp_path)
    process = stack._spawn("actions", SLEEPER, dict(os.environ))
    assert (tmp_path / "actions.pid").exists()
    stack.stop()
    assert process.poll() is not None and not (tmp_path / "actions.pid").exists()
    assert stack.processes == [] and stack.children == {}


def test_the_scale_out_profile_names_its_instances_by_the_processes_running_now(tmp_path):
    stack = ScaledStack(run_dir=tmp_path, rasa_ports=(5005, 5006))
    try:
        for port in stack.rasa_ports:
            stack._spawn(f"rasa-{port}", SLEEPER, dict(os.environ), f"Rasa server (port {port})")
        first = stack.instances[5005]
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        stack.supervise_once(now=1000.0)
        stack.supervise_once(now=1001.0)
        assert stack.instances[5005] is not first and stack.instances[5005].poll() is None
        assert stack.instances[5006].poll() is None
    finally:
        stack.stop()
