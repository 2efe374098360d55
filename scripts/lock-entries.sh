#!/usr/bin/env bash
# Prints the named entries of a lock file, with their hashes: `scripts/lock-entries.sh requirements.lock
# pip setuptools wheel`. scripts/setup.sh and the Dockerfile install these first, so that the packages
# published only as source are built with locked, hash-checked tools.
set -euo pipefail
file=$1; shift
awk -v names=" $(echo "$*" | tr 'A-Z' 'a-z') " '
  /^[A-Za-z0-9]/ { split($1, pin, "=="); keep = index(names, " " tolower(pin[1]) " ") > 0 }
  keep && !/^ *#/' "$file"
