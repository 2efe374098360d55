"""`make run` (python -m bot run) refuses to start, with a clear message, on settings that cannot work,
before anything starts: an applications database it cannot write, delivery settings that cannot work."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT


def start(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("RECIPIENT_", "APPLICATIONS_DB", "SMTP_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", "--port", "1", "--action-port", "2"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_bot_refuses_to_start_on_an_applications_database_it_cannot_write(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database's folder should be")
    started = start({"APPLICATIONS_DB": str(blocker / "applications.db")})
    assert started.returncode == 2
    assert "Ansøgningsdatabasen kan ikke bruges" in started.stderr and "APPLICATIONS_DB" in started.stderr


def test_the_bot_refuses_to_start_with_delivery_settings_that_cannot_work(tmp_path):
    started = start({"APPLICATIONS_DB": str(tmp_path / "a.db"), "RECIPIENT_SPARK_EMAIL": "intake@spark.example.dk"})
    assert started.returncode == 2
    assert "Leveringen er sat forkert op" in started.stderr and "SMTP_HOST" in started.stderr
