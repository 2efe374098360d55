#!/usr/bin/env bash
# PostgreSQL and Redis for the scale-out profile (`make run-scaled`, the scale-out tests).
#
#   scripts/services.sh start    install what is missing (Debian packages), start both on
#                                loopback, print the environment to use (eval-able)
#   scripts/services.sh install  install what is missing, start nothing
#   scripts/services.sh env      print that environment without starting anything
#   scripts/services.sh status   say what runs (exit 0 only when both run)
#   scripts/services.sh pids     the main process of each running server: `postgres PID`, `redis PID`
#   scripts/services.sh stop     stop both (the data stays)
#
# Everything lives in a folder of the project's own, var/services/ (SERVICES_DIR to change
# it): a private PostgreSQL cluster run by the `postgres` user and a Redis server run by the
# `redis` user, each on a free port (or SERVICES_PG_PORT / SERVICES_REDIS_PORT), reachable from 127.0.0.1 only
# and with generated passwords. Nothing of the system's own PostgreSQL or Redis is used or
# touched. Safe to run again: it does only what is missing. Progress goes to stderr, the
# environment to stdout, so `eval "$(scripts/services.sh start)"` works.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIR=${SERVICES_DIR:-$ROOT/var/services}
DB_USER_NAME=arbejdsmiljo
TRACKER_DB=rasa
APPLICATIONS_DB=applications

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'Fejl: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "'$*' kræver root (eller sudo)."; fi
}

# --- install ---------------------------------------------------------------------------
pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

install_missing() {
  local packages=()
  [ -n "$(pg_bindir)" ] && [ -x "$(pg_bindir)/initdb" ] || packages+=(postgresql)
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || packages+=(redis-server)
  [ ${#packages[@]} -eq 0 ] && return
  command -v apt-get >/dev/null 2>&1 || die "${packages[*]} mangler, og apt-get findes ikke (Debian forventet)."
  say "Installing ${packages[*]} from Debian's packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${packages[@]}" >&2
}

# --- who runs what -------------------------------------------------------------------
# The servers never run as root (PostgreSQL refuses to): as root we use the users the Debian
# packages create; as an ordinary user, that user runs them.
service_user() {  # $1 = postgres | redis
  if [ "$(id -u)" = 0 ]; then echo "$1"; else id -un; fi
}

run_as() {  # $1 = user, rest = command
  local user=$1; shift
  if [ "$user" = "$(id -un)" ]; then "$@"; else runuser -u "$user" -- "$@"; fi
}

# The service users must be able to reach the data folder. A project checked out under a
# private home folder (mode 700) is not reachable for them: then the data lives under
# /var/tmp and var/services points there.
prepare_dir() {
  if [ -L "$DIR" ]; then  # moved out before (see below)
    DIR=$(readlink "$DIR"); mkdir -p "$DIR"
  fi
  mkdir -p "$DIR"
  chmod 755 "$DIR"
  if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$DIR" 2>/dev/null; then
    local outside
    outside=/var/tmp/arbejdsmiljoguiden-services-$(printf '%s' "$DIR" | sha256sum | cut -c1-12)
    say "$DIR is not reachable for the service users; keeping the data in $outside"
    mkdir -p "$outside"; chmod 755 "$outside"
    rmdir "$DIR" 2>/dev/null && ln -s "$outside" "$DIR"
    DIR=$outside
  fi
  DIR=$(cd "$DIR" && pwd -P)
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port_from() {
  local port=$1
  while port_in_use "$port"; do port=$((port + 1)); done
  echo "$port"
}

bind_failed_since() {  # $1 a server's log, $2 its line count before this start
  [ -f "$1" ] && tail -n +"$(($2 + 1))" "$1" | grep -q "Address already in use"
}

choose_port() {  # $1 configured (must be free), $2 used last time (if still free), $3 where to search from
  if [ -n "$1" ]; then
    port_in_use "$1" && die "Port $1 er optaget."
    echo "$1"
  elif [ -n "$2" ] && ! port_in_use "$2"; then echo "$2"
  else free_port_from "$3"; fi
}

# --- settings kept between runs (ports, passwords) -------------------------------------
SETTINGS=""
load_settings() {
  SETTINGS=$DIR/services.env
  if [ -f "$SETTINGS" ]; then
    # shellcheck disable=SC1090
    . "$SETTINGS"
  fi
  # The ports last used (the environment's DB_PORT/REDIS_PORT describe a client, not this).
  pg_port=${SAVED_PG_PORT:-}
  redis_port=${SAVED_REDIS_PORT:-}
}

new_secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

save_settings() {
  (umask 077; cat > "$SETTINGS") <<EOF
# Written by scripts/services.sh: ports and generated passwords of the local services.
SAVED_PG_PORT=$pg_port
SAVED_REDIS_PORT=$redis_port
PG_ADMIN_PASSWORD=$PG_ADMIN_PASSWORD
DB_USER_PASSWORD=$DB_USER_PASSWORD
REDIS_SECRET=$REDIS_SECRET
EOF
}

print_env() {
  cat <<EOF
export DB_HOST=127.0.0.1
export DB_PORT=$pg_port
export DB_USER=$DB_USER_NAME
export DB_PASSWORD=$DB_USER_PASSWORD
export DB_DATABASE=$TRACKER_DB
export APPLICATIONS_DB_URL=postgresql://$DB_USER_NAME:$DB_USER_PASSWORD@127.0.0.1:$pg_port/$APPLICATIONS_DB
export REDIS_HOST=127.0.0.1
export REDIS_PORT=$redis_port
export REDIS_PASSWORD=$REDIS_SECRET
EOF
}

# --- PostgreSQL ----------------------------------------------------------------------
PGDATA_DIR() { echo "$DIR/postgres/data"; }

pg_running() {
  [ -f "$(PGDATA_DIR)/PG_VERSION" ] && run_as "$(service_user postgres)" "$(pg_bindir)/pg_ctl" status -D "$(PGDATA_DIR)" >/dev/null 2>&1
}

pg_psql() {  # SQL as the cluster's admin, over loopback TCP
  PGPASSWORD=$PG_ADMIN_PASSWORD "$(pg_bindir)/psql" -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres \
    -v ON_ERROR_STOP=1 -tA "$@"
}

start_postgres() {
  local user bindir data
  user=$(service_user postgres); bindir=$(pg_bindir); data=$(PGDATA_DIR)
  mkdir -p "$DIR/postgres"; chown "$user" "$DIR/postgres"; chmod 700 "$DIR/postgres"
  if [ ! -f "$data/PG_VERSION" ]; then
    say "Creating a PostgreSQL cluster in $data"
    # Keep its password before anything can fail: a cluster whose password was lost can no
    # longer be used (every later start would fail with "password authentication failed").
    save_settings
    local pwfile="$DIR/postgres/.pw"
    (umask 077; printf '%s\n' "$PG_ADMIN_PASSWORD" > "$pwfile"); chown "$user" "$pwfile"
    run_as "$user" "$bindir/initdb" -D "$data" -U postgres --pwfile="$pwfile" --auth-local=scram-sha-256 \
      --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$DIR/postgres/initdb.log" 2>&1 \
      || { rm -f "$pwfile"; cat "$DIR/postgres/initdb.log" >&2; die "initdb fejlede."; }
    rm -f "$pwfile"
    echo "include_if_exists = 'arbejdsmiljo.conf'" >> "$data/postgresql.conf"
  fi
  if pg_running; then
    pg_port=$(sed -n 4p "$data/postmaster.pid")
    return
  fi
  local log="$DIR/postgres/postgres.log" attempt seen
  for attempt in 1 2 3 4 5; do
    pg_port=$(choose_port "${SERVICES_PG_PORT:-}" "$pg_port" 55432)
    # Loopback TCP only, no Unix socket (its default folder may not exist, and we need none).
    printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = ''\n" "$pg_port" \
      | run_as "$user" tee "$data/arbejdsmiljo.conf" >/dev/null
    say "Starting PostgreSQL on 127.0.0.1:$pg_port"
    seen=0; [ ! -f "$log" ] || seen=$(wc -l < "$log")
    run_as "$user" "$bindir/pg_ctl" start -D "$data" -l "$log" -w -t 60 >/dev/null 9>&- && return
    # A port that looked free can be taken meanwhile: another program's outgoing connection
    # may use it as its local port, which the check (a connect) cannot see. Try the next one.
    [ -z "${SERVICES_PG_PORT:-}" ] && bind_failed_since "$log" "$seen" || break
    pg_port=$(free_port_from "$((pg_port + 1))")
  done
  tail -n 20 "$log" >&2
  die "PostgreSQL startede ikke."
}

ensure_databases() {
  if [ "$(pg_psql -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER_NAME'")" != 1 ]; then
    pg_psql -c "CREATE ROLE $DB_USER_NAME LOGIN CREATEDB PASSWORD '$DB_USER_PASSWORD'"
  fi
  local db
  for db in "$TRACKER_DB" "$APPLICATIONS_DB"; do
    if [ "$(pg_psql -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
      pg_psql -c "CREATE DATABASE $db OWNER $DB_USER_NAME"
    fi
  done
}

stop_postgres() {
  if pg_running; then
    say "Stopping PostgreSQL"
    run_as "$(service_user postgres)" "$(pg_bindir)/pg_ctl" stop -D "$(PGDATA_DIR)" -m fast -w >/dev/null
  fi
}

# --- Redis ---------------------------------------------------------------------------
redis_pid() { cat "$DIR/redis/redis.pid" 2>/dev/null || true; }

redis_running() {
  local pid; pid=$(redis_pid)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ -n "$redis_port" ] \
    && REDISCLI_AUTH=$REDIS_SECRET redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG
}

start_redis() {
  local user; user=$(service_user redis)
  if redis_running; then return; fi
  mkdir -p "$DIR/redis/data"; chown -R "$user" "$DIR/redis"; chmod 700 "$DIR/redis"
  local log="$DIR/redis/redis.log" attempt seen i
  for attempt in 1 2 3 4 5; do
    redis_port=$(choose_port "${SERVICES_REDIS_PORT:-}" "$redis_port" 56379)
    # Locks only (Rasa's lock store): nothing to keep on disk.
    (umask 077; cat > "$DIR/redis/redis.conf" <<EOF
bind 127.0.0.1
port $redis_port
protected-mode yes
daemonize yes
pidfile $DIR/redis/redis.pid
logfile $log
dir $DIR/redis/data
requirepass $REDIS_SECRET
save ""
appendonly no
EOF
)
    chown "$user" "$DIR/redis/redis.conf"
    say "Starting Redis on 127.0.0.1:$redis_port"
    seen=0; [ ! -f "$log" ] || seen=$(wc -l < "$log")
    run_as "$user" redis-server "$DIR/redis/redis.conf" 9>&-  # the daemon must not keep our lock
    for i in $(seq 1 100); do
      redis_running && return
      # The daemon has gone (it forks before it binds): no use waiting.
      bind_failed_since "$log" "$seen" && break
      sleep 0.1
    done
    # As for PostgreSQL: a port that looked free can be an outgoing connection's local port.
    [ -z "${SERVICES_REDIS_PORT:-}" ] && bind_failed_since "$log" "$seen" || break
    redis_port=$(free_port_from "$((redis_port + 1))")
  done
  tail -n 20 "$log" >&2 || true
  die "Redis startede ikke."
}

stop_redis() {
  local pid; pid=$(redis_pid)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    say "Stopping Redis"
    kill "$pid"
    local i
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    die "Redis (pid $pid) stoppede ikke."
  fi
}

# --- commands ----------------------------------------------------------------------
with_lock() {  # one invocation at a time (a test and `make run-scaled` may start together)
  prepare_dir
  exec 9>"$DIR/.lock"
  flock 9
  load_settings
  : "${PG_ADMIN_PASSWORD:=$(new_secret)}" "${DB_USER_PASSWORD:=$(new_secret)}" "${REDIS_SECRET:=$(new_secret)}"
}

command=${1:-start}
case "$command" in
  start)
    install_missing
    with_lock
    start_postgres
    save_settings
    ensure_databases
    start_redis
    save_settings
    print_env
    ;;
  install)
    install_missing
    ;;
  env)
    with_lock
    pg_running || die "PostgreSQL kører ikke: scripts/services.sh start"
    pg_port=$(sed -n 4p "$(PGDATA_DIR)/postmaster.pid")
    print_env
    ;;
  status)
    [ -d "$DIR" ] || { echo "postgres: stopped"; echo "redis: stopped"; exit 1; }
    with_lock
    ok=0
    if [ -n "$(pg_bindir)" ] && pg_running; then echo "postgres: running on 127.0.0.1:$(sed -n 4p "$(PGDATA_DIR)/postmaster.pid")"
    else echo "postgres: stopped"; ok=1; fi
    if command -v redis-cli >/dev/null 2>&1 && redis_running; then echo "redis: running on 127.0.0.1:$redis_port"
    else echo "redis: stopped"; ok=1; fi
    exit $ok
    ;;
  pids)
    [ -d "$DIR" ] || exit 0
    with_lock
    if [ -n "$(pg_bindir)" ] && pg_running; then echo "postgres $(sed -n 1p "$(PGDATA_DIR)/postmaster.pid")"; fi
    if command -v redis-cli >/dev/null 2>&1 && redis_running; then echo "redis $(redis_pid)"; fi
    ;;
  stop)
    [ -d "$DIR" ] || exit 0
    with_lock
    [ -n "$(pg_bindir)" ] && stop_postgres
    stop_redis
    ;;
  *)
    echo "Brug: $0 start|install|env|status|pids|stop" >&2; exit 2 ;;
esac
