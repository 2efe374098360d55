"""scripts/audit.sh: it fails when the live audit could not run, unless the offline list is accepted
(AUDIT_ALLOW_OFFLINE=1), and always says which audit its exit status is about.

A fake pip-audit (AUDIT_PIP_AUDIT) plays the live service, answering or not; the offline check is
the real one (tools/audit.py on the real lock and docs/advisories.yml).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

FAKE_PIP_AUDIT = """#!{python}
import json, os, sys
args = sys.argv[1:]
output = args[args.index("--output") + 1]
mode = os.environ["FAKE_AUDIT_MODE"]
if mode == "no-report":
    sys.exit(1)
packages = [line.split("==") for line in open(args[args.index("-r") + 1]) if "==" in line]
deps = []
for name, version in packages:
    dep = {{"name": name, "version": version.strip(), "vulns": []}}
    if mode == "unreachable":
        dep = {{"name": name, "skip_reason": "Dependency not found on PyPI and could not be audited"}}
    deps.append(dep)
if mode == "vulnerable":
    deps[0]["vulns"] = [{{"id": "PYSEC-0000-1", "fix_versions": ["99.0"]}}]
json.dump({{"dependencies": deps, "fixes": []}}, open(output, "w"))
"""


@pytest.fixture
def fake_pip_audit(tmp_path: Path) -> Path:
    path = tmp_path / "pip-audit"
    path.write_text(FAKE_PIP_AUDIT.format(python=sys.executable), encoding="utf-8")
    path.chmod(0o755)
    return path


def audit(pip_audit: Path, mode: str = "", **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AUDIT_")}
    environment.update({"AUDIT_PIP_AUDIT": str(pip_audit), "FAKE_AUDIT_MODE": mode, **env})
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "audit.sh")],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def last_line(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "mode, why",
    [
        ("unreachable", "its vulnerability service did not answer for every package"),
        ("no-report", "pip-audit wrote no report"),
    ],
)
def test_without_a_live_audit_the_script_fails_and_says_so(fake_pip_audit, mode, why):
    result = audit(fake_pip_audit, mode)
    assert result.returncode == 3, result.stderr
    assert f"The live audit could not run: {why}." in result.stderr
    assert last_line(result.stderr).startswith("Audit: NOT DONE") and "AUDIT_ALLOW_OFFLINE=1" in result.stderr
    assert "not a live vulnerability database" in result.stdout, "the offline report is shown all the same"


def test_a_missing_pip_audit_is_no_audit_either(tmp_path):
    result = audit(tmp_path / "no-such-pip-audit")
    assert result.returncode == 3 and "is not an executable" in result.stderr
    assert last_line(result.stderr).startswith("Audit: NOT DONE")


def test_the_offline_list_counts_only_when_accepted_explicitly(fake_pip_audit):
    result = audit(fake_pip_audit, "unreachable", AUDIT_ALLOW_OFFLINE="1")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert last_line(result.stderr) == (
        "Audit: OFFLINE curated list (docs/advisories.yml), accepted by AUDIT_ALLOW_OFFLINE=1; exit 0."
    )
    assert "not a live vulnerability database" in result.stdout


@pytest.mark.parametrize("mode, status", [("clean", 0), ("vulnerable", 1)])
def test_a_live_audit_decides_and_says_it_was_live(fake_pip_audit, mode, status):
    result = audit(fake_pip_audit, mode)
    assert result.returncode == status, result.stderr
    assert last_line(result.stderr) == f"Audit: LIVE (pip-audit, pypi); exit {status}."
    assert "not a live vulnerability database" not in result.stdout
    if status:
        assert "PYSEC-0000-1 (fixed in: 99.0)" in result.stdout
