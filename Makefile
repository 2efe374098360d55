# Arbejdsmiljøguiden. The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONWARNINGS := ignore
export RASA_TELEMETRY_ENABLED := false

.PHONY: setup train run run-scaled shell test test-fast validate rasa-test bench bench-nlu clean help

help:
	@echo "make run    - set up, train if needed, start the bot"
	@echo "make test   - set up, train if needed, run every test"
	@echo "make shell  - talk to the running bot in the terminal (start 'make run' first)"
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

# rasa shell against the action server that `make run` started (same tracker store).
ENDPOINTS ?= endpoints.yml
shell: train
	@mkdir -p var
	@$(RASA) shell --model models/current.tar.gz --endpoints $(ENDPOINTS) --credentials credentials.yml

validate: setup
	@$(RASA) data validate --domain domain.yml --data data --config config.yml --fail-on-warnings

# The browser test drives Debian's Chromium: setup-browser.sh installs it where it is missing.
test: train
	@bash scripts/setup-browser.sh
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
