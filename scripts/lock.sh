#!/usr/bin/env bash
# Makes the two locks from pyproject.toml with uv, for CPython 3.10 on x86-64 Linux, with hashes:
#   requirements.lock      what the bot runs with: the container image installs only this one
#   requirements-dev.lock  what the tests, benchmarks, lint and this script add (the extras
#                          test, bench, lint, lock), pinned against requirements.lock
# scripts/setup.sh installs both with `pip install --require-hashes --no-deps`.
#
#   bash scripts/lock.sh                          # after a change to pyproject.toml
#   bash scripts/lock.sh --upgrade-package NAME   # move one package to its newest allowed release
#
# uv keeps every version already in the output files, so a run after a change to pyproject.toml
# moves only what that change needs. jax and jaxlib are left out (pyproject.toml, [tool.uv]
# exclude-dependencies): TensorFlow 2.12 asks for jax but imports it only where it can do without
# (tensorflow/lite/python/util.py); nothing we run uses it (tests/deploy/test_lock.py). So
# `pip check` names that one missing requirement of tensorflow, and nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."

UV=${UV:-.venv/bin/uv}
PYTHON=${PYTHON:-.venv/bin/python}
# pip itself is pinned too (docs/security.md: CVE-2023-5752); nothing depends on it, so it is named here.
PIP_PIN="pip==26.3"
common=(--python "$PYTHON" --python-platform x86_64-unknown-linux-gnu --generate-hashes --quiet
        --custom-compile-command "bash scripts/lock.sh")

printf '\033[1m==> %s\033[0m\n' "requirements.lock (what the bot runs with)"
echo "$PIP_PIN" | "$UV" pip compile pyproject.toml - "${common[@]}" -o requirements.lock "$@"

printf '\033[1m==> %s\033[0m\n' "requirements-dev.lock (tests, benchmarks, lint, locking)"
runtime_names=$(sed -n 's/^\([A-Za-z0-9][A-Za-z0-9._-]*\)==.*/\1/p' requirements.lock)
no_emit=()
for name in $runtime_names; do no_emit+=(--no-emit-package "$name"); done
echo "$PIP_PIN" | "$UV" pip compile pyproject.toml - --extra test --extra bench --extra lint --extra lock \
  -c requirements.lock "${no_emit[@]}" "${common[@]}" -o requirements-dev.lock "$@"
