"""Rasa's own checks: data validation, the test stories, and `make shell` fed from standard input."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow
RASA = str(Path(sys.executable).with_name("rasa"))
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}


def test_training_data_and_domain_validate():
    result = subprocess.run(
        [
            RASA,
            "data",
            "validate",
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--config",
            "config.yml",
            "--fail-on-warnings",
        ],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "ERROR" not in result.stdout + result.stderr


def test_test_stories_pass_against_the_trained_model(tmp_path):
    result = subprocess.run(
        [
            RASA,
            "test",
            "core",
            "--model",
            "models/current.tar.gz",
            "--stories",
            "tests/stories",
            "--out",
            str(tmp_path),
            "--fail-on-prediction-errors",
        ],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=900,
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, details
    assert "None of the test stories failed" in failed.read_text()


def test_make_shell_on_its_own_answers_in_danish_and_exits_at_stop_within_a_minute():
    """No `make run` needed: the shell starts its own servers on free loopback ports and stops them."""
    started = time.monotonic()
    result = subprocess.run(
        ["make", "-s", "shell"],
        input="Hej\nhvad koster det?\n/stop\n",
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    took = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert took < 60, f"{took:.0f} s"
    assert "Hej! Jeg er Arbejdsmiljøguiden" in output  # the greeting, as in the web chat (utter_greet)
    assert "1) Søg om støtte" in output and "/start_application" not in output  # titles, never payloads
    assert "Det er gratis at deltage" in output
    assert "Farvel." in output
    assert "Traceback" not in output and "Warning" not in output
