# Shared by start.sh and stop.sh (sourced, not run). Expects HERE to be this directory.
# shellcheck shell=bash

REPO="$(cd "$HERE/../.." && pwd)"
STATE_DIR="${UNLEASH_HARNESS_STATE_DIR:-$REPO/.unleash-state}"
HTTP_PORT="${UNLEASH_HARNESS_PORT:-44242}"
PG_PORT="${UNLEASH_HARNESS_PG_PORT:-54329}"
INSTALL_DIR="$STATE_DIR/install"
PID_FILE="$STATE_DIR/unleash.pid"
LOG_FILE="$STATE_DIR/unleash.log"
# start.sh records where the cluster lives (see pg_dir_for_new_cluster); stop.sh reads it back
PG_DIR_FILE="$STATE_DIR/pg-dir"
URL="http://127.0.0.1:$HTTP_PORT"

log() { printf '[unleash-harness] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# A zombie still answers kill -0 in some sandboxes (its reaper is slow); count it as gone.
alive() {
  local pid="$1"
  [[ -n "$pid" && -r "/proc/$pid/status" ]] || return 1
  ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status"
}

# The pid file may be stale and its pid reused: only trust it when it is our launcher.
unleash_alive() { alive "$1" && grep -qa 'unleash-server.mjs' "/proc/$1/cmdline" 2>/dev/null; }

# PostgreSQL refuses to run as root: as root, run its tools as the postgres OS user.
as_postgres() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

http_status() { node "$HERE/http-status.mjs" "$@"; }
healthy() { [[ "$(http_status "$URL/health")" == 200 ]]; }

# PostgreSQL 15 as the reference set-up uses; otherwise the newest installed major.
find_pg_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then
    echo "$PG_BIN"
    return
  fi
  if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
    echo /usr/lib/postgresql/15/bin
    return
  fi
  local newest
  newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  echo "${newest:-/usr/lib/postgresql/15/bin}"
}

current_pg_dir() {
  if [[ -f "$PG_DIR_FILE" ]]; then cat "$PG_DIR_FILE"; else echo "$STATE_DIR/pg"; fi
}
