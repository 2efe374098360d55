"""bot/server/quiet.py: the known harmless warnings of Rasa's libraries are hidden, any other is still shown."""

from __future__ import annotations

import os
import subprocess
import sys

from bot.server import quiet
from tests.conftest import ROOT

# Import what warns at import time (SQLAlchemy's 2.0 notice, pkg_resources, distutils, pyparsing, Click),
# then warn once in the known way and once in a way nobody listed.
PROGRAM = """
import warnings
from bot.server import quiet
quiet.silence_known_warnings()
import rasa.core.tracker_store, sanic_cors, apscheduler, matplotlib, typer, spacy.cli
import rasa.shared.utils.io as io
io.raise_warning("The intent 'affirm' is not used in any story or rule.")
io.raise_warning("The intent 'brand_new' is not used in any story or rule.")
warnings.warn("a real problem", UserWarning)
warnings.warn("our own deprecation", DeprecationWarning)
"""


def test_known_warnings_are_hidden_and_others_still_shown():
    env = {key: value for key, value in os.environ.items() if key not in quiet.ENVIRONMENT and key != "PYTHONWARNINGS"}
    result = subprocess.run(
        [sys.executable, "-W", "default", "-c", PROGRAM],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**env, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    shown = result.stderr
    for hidden in (
        "MovedIn20Warning",
        "pkg_resources",
        "LooseVersion",
        "declare_namespace",
        "Click 9.0",
        "setParseAction",
        "'affirm' is not used",
    ):
        assert hidden not in shown, hidden
    assert "'brand_new' is not used" in shown
    assert "a real problem" in shown and "our own deprecation" in shown


def test_every_known_warning_says_why_it_is_harmless():
    assert all(why.strip() for *_, why in quiet.KNOWN)
