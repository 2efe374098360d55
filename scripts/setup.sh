#!/usr/bin/env bash
# Sets up everything the bot needs, doing only what is out of date:
#   1. a Python 3.10 virtual env in .venv with the locked dependencies (requirements.lock and
#      requirements-dev.lock, hash-checked; packages the locks no longer list are removed),
#   2. the Danish spaCy pipeline in build/spacy_da,
#   3. the web chat page's locked JavaScript packages in web/node_modules (npm ci; Debian's
#      nodejs and npm are installed where npm is missing).
# One line per step; a step that fails shows its log. Safe to run again: with nothing to do it
# takes a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

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

pip_quiet() {
  # (This machine's pip config names local package folders that may not exist: drop pip's
  # one-line warning per package about them, keep every other message.)
  .venv/bin/python -m pip --disable-pip-version-check "$@" 2> >(grep -v "is neither a file nor a directory" >&2)
}

canonical_names() { tr 'A-Z_.' 'a-z--' | sed 's/--*/-/g' | sort -u; }

install_locked() {
  pip_quiet install --require-hashes --no-deps -r <(bash scripts/lock-entries.sh requirements.lock pip setuptools wheel)
  pip_quiet install --require-hashes --no-deps --no-build-isolation -r requirements.lock -r requirements-dev.lock
  # Like pip-sync: what the locks do not list goes (e.g. jax and jaxlib from an older .venv).
  local listed extra
  listed=$(sed -n 's/^\([A-Za-z0-9][A-Za-z0-9._-]*\)==.*/\1/p' requirements.lock requirements-dev.lock | canonical_names)
  extra=$(pip_quiet list --format=freeze --exclude-editable | sed 's/==.*//' | canonical_names \
          | comm -23 - <(echo "$listed"))
  if [ -n "$extra" ]; then
    echo "Removing what the locks do not list: $(echo $extra)"
    pip_quiet uninstall --yes $extra
  fi
  pip_quiet install --no-deps --no-build-isolation -e .
}

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

deps_hash=$(hash_of requirements.lock requirements-dev.lock pyproject.toml)
if [ "$(cat .venv/.deps-hash 2>/dev/null)" != "$deps_hash" ]; then
  # --no-deps: the locks list every package (jax and jaxlib are left out on purpose, see
  # scripts/lock.sh), so pip resolves nothing. pip, setuptools and wheel come first, from the
  # lock, so that the three packages published only as source (docopt, mattermostwrapper,
  # randomname) are built with them and not with unchecked tools fetched for a build environment.
  run_step "Installing the locked dependencies (a few minutes the first time)" var/setup-pip.log \
    install_locked
  echo "$deps_hash" > .venv/.deps-hash
fi

# 2. Danish spaCy pipeline ----------------------------------------------------------
spacy_hash=$(hash_of bot/nlu/spacy_pipeline.py bot/domain/geography.py bot/data/places.yml bot/data/kommuner.csv bot/data/catalogue.yml)
if [ "$(cat build/spacy_da/.build-hash 2>/dev/null)" != "$spacy_hash" ]; then
  run_step "Building the Danish spaCy pipeline (build/spacy_da)" var/setup-spacy.log \
    .venv/bin/python -m bot build-spacy build/spacy_da
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
    install_debian_packages "npm (for the web chat's socket.io-client)" nodejs npm
  fi
  run_step "Installing the web chat's locked JavaScript packages (web/node_modules)" var/setup-npm.log \
    bash -c 'cd web && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error'
  echo "$web_hash" > web/node_modules/.lock-hash
fi
