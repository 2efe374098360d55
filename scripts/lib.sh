# Shared by scripts/setup.sh and scripts/train.sh (sourced): one line per step, the step's own
# output in a log file under var/, shown only when the step fails.

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# run_step WHAT LOG COMMAND...: runs COMMAND (a function too) with its output in LOG. In a
# terminal the step's line counts the seconds; elsewhere (CI) a line every minute says it still
# runs. On failure: the last lines of LOG, and the script stops with the command's status.
run_step() {
  local what=$1 log=$2 start=$SECONDS status=0 pid next=60
  shift 2
  mkdir -p "$(dirname "$log")"
  # In the background, so that `set -e` holds inside COMMAND (it would not in `cmd || ...`).
  ( "$@" ) >"$log" 2>&1 &
  pid=$!
  if [ -t 1 ]; then
    while kill -0 "$pid" 2>/dev/null; do
      printf '\r\033[1m==> %s\033[0m %ds' "$what" $((SECONDS - start))
      sleep 1
    done
  else
    say "$what"
    while kill -0 "$pid" 2>/dev/null; do
      sleep 1
      if [ $((SECONDS - start)) -ge "$next" ] && kill -0 "$pid" 2>/dev/null; then
        echo "    ... still running ($((SECONDS - start)) s)"
        next=$((next + 60))
      fi
    done
  fi
  wait "$pid" || status=$?
  [ -t 1 ] && printf '\r\033[1m==> %s\033[0m (%ds)\n' "$what" $((SECONDS - start))
  if [ "$status" != 0 ]; then
    echo "Fejl: trinnet mislykkedes (exit $status). Error: the step failed; the end of $log:" >&2
    tail -n 40 "$log" >&2
    exit "$status"
  fi
}

# install_debian_packages WHY PACKAGE...: apt-get install, as root or through sudo.
install_debian_packages() {
  local why=$1 sudo=""
  shift
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Fejl: $why mangler. Error: $why is missing and apt-get is not here (Debian/Ubuntu expected): install $* first." >&2
    exit 1
  fi
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=sudo; else
      echo "Error: $why is missing; as root run: apt-get update && apt-get install -y $*" >&2
      exit 1
    fi
  fi
  run_step "Installing $* from Debian's packages ($why)" var/setup-apt.log \
    $sudo env DEBIAN_FRONTEND=noninteractive bash -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $*"
}

# show_warnings LOG: the warnings and errors a step wrote that nobody filtered as harmless
# (bot/server/quiet.py lists those), so that a real one is seen even when the step succeeded.
show_warnings() {
  local found
  found=$(grep -E -A1 "(Warning|WARNING|ERROR|Error)\b" "$1" | grep -v -- '^--$' || true)
  if [ -n "$found" ]; then
    echo "    Warnings from this step (all of it: $1):"
    printf '%s\n' "$found" | sed 's/^/    /'
  fi
}
