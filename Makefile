# Arbejdsmiljøguiden. The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
# Known harmless warnings are filtered where our processes start (bot/server/quiet.py), so any
# other warning still shows; these two are switches the libraries read themselves.
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false

.PHONY: setup train run run-scaled shell test test-fast lint lock validate rasa-test bench bench-nlu clean help

help:
	@echo "make run    - set up, train if needed, start the bot"
	@echo "make test   - set up, train if needed, run every test"
	@echo "make shell  - talk to the bot in the terminal (with or without 'make run')"
	@echo "make run-scaled - scale-out profile: PostgreSQL + Redis, two Rasa instances, one action server"

setup:
	@bash scripts/setup.sh

train: setup
	@bash scripts/train.sh

run: train
	@$(PY) -m bot run

# Scale-out profile on one machine (README, "Scale-out"): PostgreSQL and Redis from Debian's
# packages in var/services (scripts/services.sh), two Rasa instances, one action server and
# the delivery worker when delivery is configured. Stop the databases: scripts/services.sh stop
run-scaled: train
	@eval "$$(bash scripts/services.sh start)" && $(PY) -m bot run --profile production --instances 2

# Talk to the bot in the terminal: its own Rasa server on a free loopback port (run folder
# var/shell), with the action server of `make run` when one runs, else its own (bot/server/shell.py).
shell: train
	@$(PY) -m bot shell

validate: setup
	@$(RASA) data validate --domain domain.yml --data data --config config.yml --fail-on-warnings

# ruff check and ruff format --check (settings in pyproject.toml); `make lint RUFF_FORMAT=0` skips the format check.
RUFF_FORMAT ?= 1
lint: setup
	@printf '\033[1m==> %s\033[0m\n' "Lint (ruff check$(if $(filter 1,$(RUFF_FORMAT)), and ruff format --check,))"
	@$(VENV)/bin/ruff check --quiet .
	@if [ "$(RUFF_FORMAT)" = 1 ]; then $(VENV)/bin/ruff format --check .; fi

# Remake requirements.lock and requirements-dev.lock from pyproject.toml (scripts/lock.sh).
lock: setup
	@bash scripts/lock.sh

# The browser test drives Debian's Chromium: setup-browser.sh installs it where it is missing.
test: train lint
	@bash scripts/setup-browser.sh
	@printf '\033[1m==> %s\033[0m\n' "Tests (pytest; about 15 minutes, a dot per test)"
	@$(PY) -m pytest

# Unit and action tests only: no Rasa server, no PostgreSQL or Redis.
test-fast: setup
	@$(PY) -m pytest -m "not e2e and not slow and not services"

# Needs the shipped model too: the first messages are scored through a running stack of it.
bench-nlu: train
	@$(PY) -m tools.bench.nlu

# Ours against a stock `rasa init` bot: understanding, latency, throughput, start-up, memory,
# training. Writes reports/bench.md (+ .json, charts). A benchmark: it reports, never fails.
# BENCH_STARTED: the 30-minute budget covers setup and training on a fresh clone too.
bench:
	@export BENCH_STARTED=$$(date +%s) && bash scripts/setup.sh && bash scripts/train.sh \
		&& ($(PY) -m tools.bench.run || true)

clean:
	@bash scripts/services.sh stop  # PostgreSQL and Redis keep their data in var/services
	rm -rf build models var results .pytest_cache
