#!/usr/bin/env bash
# Sets up everything the bot needs, doing only what is out of date:
#   1. a Python 3.10 virtual env in .venv with the locked dependencies,
#   2. the Danish spaCy pipeline in build/spacy_da,
#   3. the web chat page's locked JavaScript packages in web/node_modules (npm ci).
# Safe to run again: with nothing to do it takes a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

find_python310() {
  if [ -n "${PYTHON310:-}" ] && "$PYTHON310" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    echo "$PYTHON310"; return
  fi
  local candidates=()
  command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
  local pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
  if command -v pyenv >/dev/null 2>&1; then pyenv_root="$(pyenv root)"; fi
  for p in $(ls -d "$pyenv_root"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r); do candidates+=("$p"); done
  for p in /usr/bin/python3.10 /usr/local/bin/python3.10; do [ -x "$p" ] && candidates+=("$p"); done
  for p in "${candidates[@]}"; do
    if "$p" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then echo "$p"; return; fi
  done
  return 1
}

hash_of() { cat "$@" | sha256sum | cut -c1-16; }

# 1. Python environment ----------------------------------------------------------
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  if ! PY=$(find_python310); then
    echo "Fejl: Python 3.10 blev ikke fundet (Rasa 3.6 kræver Python 3.10)." >&2
    echo "Error: no Python 3.10 found. Rasa 3.6 runs on Python 3.10 only." >&2
    echo "Install it (e.g. 'pyenv install 3.10.13') or set PYTHON310=/path/to/python3.10." >&2
    exit 1
  fi
  say "Creating .venv with $PY"
  rm -rf .venv
  "$PY" -m venv .venv
fi

deps_hash=$(hash_of requirements.lock pyproject.toml)
if [ "$(cat .venv/.deps-hash 2>/dev/null)" != "$deps_hash" ]; then
  say "Installing locked dependencies (a few minutes the first time)"
  # (This machine's pip config names local package folders that may not exist: drop pip's
  # one-line warning per package about them, keep every other message.)
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock \
    2> >(grep -v "is neither a file nor a directory" >&2)
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . \
    2> >(grep -v "is neither a file nor a directory" >&2)
  echo "$deps_hash" > .venv/.deps-hash
fi

# 2. Danish spaCy pipeline ----------------------------------------------------------
spacy_hash=$(hash_of bot/nlu/spacy_pipeline.py bot/domain/geography.py bot/data/places.yml bot/data/kommuner.csv bot/data/catalogue.yml)
if [ "$(cat build/spacy_da/.build-hash 2>/dev/null)" != "$spacy_hash" ]; then
  say "Building the Danish spaCy pipeline (build/spacy_da)"
  .venv/bin/python -m bot build-spacy build/spacy_da >/dev/null
  echo "$spacy_hash" > build/spacy_da/.build-hash
  # What training depends on is the built pipeline, not its inputs: a change to theme
  # keywords in catalogue.yml rebuilds the same pipeline and must not force a retrain.
  (cd build/spacy_da && find . -type f ! -name '.*' | sort | xargs sha256sum) | sha256sum | cut -c1-16 \
    > build/spacy_da/.content-hash
fi

# 3. Web chat page's JavaScript (web/node_modules, served by the Rasa server) -------------
web_hash=$(hash_of web/package.json web/package-lock.json)
if [ "$(cat web/node_modules/.lock-hash 2>/dev/null)" != "$web_hash" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "Fejl: npm mangler. Web-chatten bruger socket.io-client fra npm." >&2
    echo "Error: npm not found. Install Node.js and npm (Debian: apt-get install -y nodejs npm)." >&2
    exit 1
  fi
  say "Installing the web chat's locked JavaScript packages (web/node_modules)"
  (cd web && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)
  echo "$web_hash" > web/node_modules/.lock-hash
fi
