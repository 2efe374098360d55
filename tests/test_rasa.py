"""Rasa's own checks: data validation, the test stories, and `make shell` fed from standard input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow
RASA = str(Path(sys.executable).with_name("rasa"))
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}


def test_training_data_and_domain_validate():
    result = subprocess.run([RASA, "data", "validate", "--domain", "domain.yml", "--data", "data",
                             "--config", "config.yml", "--fail-on-warnings"],
                            cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "ERROR" not in result.stdout + result.stderr


def test_test_stories_pass_against_the_trained_model(tmp_path):
    result = subprocess.run([RASA, "test", "core", "--model", "models/current.tar.gz",
                             "--stories", "tests/stories", "--out", str(tmp_path),
                             "--fail-on-prediction-errors"],
                            cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=900)
    failed = (tmp_path / "failed_test_stories.yml")
    details = failed.read_text() if failed.exists() else result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, details
    assert "None of the test stories failed" in failed.read_text()


def test_make_shell_answers_danish_questions_from_standard_input(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{tmp_path / "t.db"}"\n')
    # Questions whose answers have no buttons (a button reply turns the prompt into a menu).
    conversation = "hvad koster det?\nhvad er en trio\n/stop\n"
    result = subprocess.run(["make", "-s", "shell", f"ENDPOINTS={endpoints}"], input=conversation,
                            cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "Det er gratis at deltage" in output
    assert "En TRIO er lederen, tillidsrepræsentanten og arbejdsmiljørepræsentanten" in output
    assert "InMemoryTrackerStore" not in output
