# Shared by start.sh and stop.sh (sourced, not run). Expects HERE to be this directory.
# shellcheck shell=bash

REPO="$(cd "$HERE/../.." && pwd)"
STATE_DIR="${UNLEASH_HARNESS_STATE_DIR:-$REPO/.unleash-state}"
BASE_PORT="${UNLEASH_HARNESS_PORT:-44242}"
PG_PORT="${UNLEASH_HARNESS_PG_PORT:-54329}"
# start.sh records where the cluster lives (see pg_dir_for_new_cluster); stop.sh reads it back
PG_DIR_FILE="$STATE_DIR/pg-dir"

# The servers the harness knows, oldest first: each has server-<major>/ here (package.json and lockfile) and
# listens on BASE_PORT + its index, with a database of its own in the one PostgreSQL cluster.
ALL_SERVERS=(7 8)

log() { printf '[unleash-harness] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# Sets the per-server names for server major $1: SERVER, PACKAGE_DIR, SERVER_DIR, INSTALL_DIR, PID_FILE,
# LOG_FILE, ENV_FILE, HTTP_PORT, URL, DB_NAME.
select_server() {
  local major="$1" index=-1 i
  for i in "${!ALL_SERVERS[@]}"; do
    [[ "${ALL_SERVERS[$i]}" == "$major" ]] && index=$i
  done
  ((index >= 0)) || die "unknown server '$major' (known: ${ALL_SERVERS[*]})"
  SERVER="$major"
  PACKAGE_DIR="$HERE/server-$major"
  SERVER_DIR="$STATE_DIR/$major"
  INSTALL_DIR="$SERVER_DIR/install"
  PID_FILE="$SERVER_DIR/unleash.pid"
  LOG_FILE="$SERVER_DIR/unleash.log"
  ENV_FILE="$SERVER_DIR/unleash.env"
  HTTP_PORT=$((BASE_PORT + index))
  URL="http://127.0.0.1:$HTTP_PORT"
  DB_NAME="unleash_$major"
}

# The servers named by --server options, or all of them.
parse_servers() {
  SERVERS=()
  while (($#)); do
    case "$1" in
      --server)
        [[ $# -ge 2 ]] || die "--server needs a value (${ALL_SERVERS[*]} or all)"
        if [[ "$2" == all ]]; then SERVERS+=("${ALL_SERVERS[@]}"); else SERVERS+=("$2"); fi
        shift 2
        ;;
      --server=*)
        local value="${1#--server=}"
        if [[ "$value" == all ]]; then SERVERS+=("${ALL_SERVERS[@]}"); else SERVERS+=("$value"); fi
        shift
        ;;
      *) shift ;;
    esac
  done
  ((${#SERVERS[@]} > 0)) || SERVERS=("${ALL_SERVERS[@]}")
  local major
  for major in "${SERVERS[@]}"; do select_server "$major"; done
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
healthy() { [[ "$(http_status "$1/health")" == 200 ]]; }

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

# True while any server of the harness runs (stop.sh keeps PostgreSQL up for it).
any_unleash_alive() {
  local major pid
  for major in "${ALL_SERVERS[@]}"; do
    pid="$(cat "$STATE_DIR/$major/unleash.pid" 2>/dev/null || true)"
    unleash_alive "$pid" && return 0
  done
  return 1
}
