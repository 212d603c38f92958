#!/usr/bin/env bash
# Starts a real unleash-server 7.5.1 on a private PostgreSQL 15 cluster, both on 127.0.0.1 and non-default
# ports, for flagwise's integration tests. Idempotent: whatever already runs is left alone.
#
#   scripts/unleash/start.sh            # start (installs on first run, ~30 s; warm restart ~3 s)
#   scripts/unleash/start.sh --fresh    # wipe the database first (new init tokens take effect)
#
# State lives in <repo>/.unleash-state/ (git-ignored). Settings (environment variables, defaults shown):
#   UNLEASH_HARNESS_PORT=44242  UNLEASH_HARNESS_PG_PORT=54329  UNLEASH_HARNESS_STATE_DIR=<repo>/.unleash-state
#   UNLEASH_HARNESS_ADMIN_TOKEN='*:*.flagwise-admin-token'
#   UNLEASH_HARNESS_CLIENT_TOKEN='default:development.flagwise-client-token'
#   PG_FAST=1 (fsync off: for throwaway test data only)
# On success it prints the URL and tokens as shell assignments, also written to $STATE_DIR/unleash.env.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
STATE_DIR="${UNLEASH_HARNESS_STATE_DIR:-$REPO/.unleash-state}"
HTTP_PORT="${UNLEASH_HARNESS_PORT:-44242}"
PG_PORT="${UNLEASH_HARNESS_PG_PORT:-54329}"
ADMIN_TOKEN="${UNLEASH_HARNESS_ADMIN_TOKEN:-*:*.flagwise-admin-token}"
CLIENT_TOKEN="${UNLEASH_HARNESS_CLIENT_TOKEN:-default:development.flagwise-client-token}"
PG_FAST="${PG_FAST:-1}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
INSTALL_DIR="$STATE_DIR/install"
PG_DIR="$STATE_DIR/pg"
PID_FILE="$STATE_DIR/unleash.pid"
LOG_FILE="$STATE_DIR/unleash.log"
URL="http://127.0.0.1:$HTTP_PORT"

log() { printf '[unleash-harness] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# A zombie still answers kill -0 in this sandbox (its reaper is slow); count it as gone.
alive() {
  local pid="$1"
  [[ -n "$pid" && -r "/proc/$pid/status" ]] || return 1
  ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status"
}

# the pid file may be stale and its pid reused: only trust it when it is our launcher
unleash_alive() { alive "$1" && grep -qa 'unleash-server.mjs' "/proc/$1/cmdline" 2>/dev/null; }

as_postgres() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

healthy() { curl -fsS -m 2 "$URL/health" >/dev/null 2>&1; }

fresh=0
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=1 ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    *) die "unknown argument '$arg' (use --fresh or --help)" ;;
  esac
done

command -v node >/dev/null || die "node is not on PATH (Node >= 20 is required)"
command -v curl >/dev/null || die "curl is not on PATH: apt-get install -y curl"

if [[ $fresh -eq 1 ]]; then
  "$HERE/stop.sh" >/dev/null
  log "--fresh: removing the database in $PG_DIR"
  rm -rf "$PG_DIR"
fi

mkdir -p "$STATE_DIR"

# --- PostgreSQL 15 binaries -------------------------------------------------------------------------------
if [[ ! -x "$PG_BIN/initdb" ]]; then
  [[ $EUID -eq 0 ]] || die "PostgreSQL 15 is missing at $PG_BIN: run 'sudo apt-get install -y postgresql-15' or set PG_BIN"
  log "installing postgresql-15 with apt-get"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >&2
  [[ -x "$PG_BIN/initdb" ]] || die "apt-get finished but $PG_BIN/initdb is still missing"
fi

# --- unleash-server, installed from the lockfile next to this script --------------------------------------
lock_hash="$(cat "$HERE/package.json" "$HERE/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$INSTALL_DIR/.lock-hash" || "$(cat "$INSTALL_DIR/.lock-hash")" != "$lock_hash" ]]; then
  log "installing unleash-server into $INSTALL_DIR (npm ci, about 25 s)"
  rm -rf "$INSTALL_DIR"
  mkdir -p "$INSTALL_DIR"
  cp "$HERE/package.json" "$HERE/package-lock.json" "$INSTALL_DIR/"
  # --ignore-scripts: no node-gyp builds, no telemetry postinstall; unleash does not need them
  (cd "$INSTALL_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  echo "$lock_hash" >"$INSTALL_DIR/.lock-hash"
fi

# --- PostgreSQL cluster -----------------------------------------------------------------------------------
if [[ ! -f "$PG_DIR/data/PG_VERSION" ]]; then
  log "creating a PostgreSQL cluster in $PG_DIR"
  rm -rf "$PG_DIR"
  mkdir -p "$PG_DIR"
  chmod 0700 "$PG_DIR"
  if [[ $EUID -eq 0 ]]; then
    chown postgres: "$PG_DIR"
    runuser -u postgres -- test -x "$PG_DIR" ||
      die "the postgres user cannot reach $PG_DIR: make its parent directories traversable or set UNLEASH_HARNESS_STATE_DIR"
  fi
  as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 ||
    die "initdb failed; see $PG_DIR/initdb.log"
fi

if ! as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
  pg_opts="-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_DIR"
  [[ "$PG_FAST" == 1 ]] && pg_opts="$pg_opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 -o "$pg_opts" start >/dev/null ||
    die "PostgreSQL did not start; see $PG_DIR/postgres.log (is port $PG_PORT taken? set UNLEASH_HARNESS_PG_PORT)"
fi

psql_admin() { as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres "$@"; }
if [[ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'unleash'")" != 1 ]]; then
  psql_admin -c "CREATE ROLE unleash LOGIN PASSWORD 'unleash'"
fi
if [[ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = 'unleash'")" != 1 ]]; then
  psql_admin -c "CREATE DATABASE unleash OWNER unleash"
fi

# --- unleash-server ---------------------------------------------------------------------------------------
pid="$(cat "$PID_FILE" 2>/dev/null || true)"
if unleash_alive "$pid" && healthy; then
  log "unleash-server already running (pid $pid) at $URL"
else
  if unleash_alive "$pid"; then
    log "unleash-server pid $pid is not healthy yet; waiting for it"
  else
    if healthy; then
      die "something else answers on $URL: stop it or set UNLEASH_HARNESS_PORT"
    fi
    log "starting unleash-server on $URL (log: $LOG_FILE)"
    # setsid: the server outlives this script and is not hit by the caller's Ctrl-C
    TZ=UTC \
      UNLEASH_HARNESS_INSTALL_DIR="$INSTALL_DIR" UNLEASH_HARNESS_PORT="$HTTP_PORT" UNLEASH_HARNESS_PG_PORT="$PG_PORT" \
      UNLEASH_HARNESS_ADMIN_TOKEN="$ADMIN_TOKEN" UNLEASH_HARNESS_CLIENT_TOKEN="$CLIENT_TOKEN" \
      UNLEASH_EXPERIMENTAL_ENABLE_LEGACY_VARIANTS="${UNLEASH_EXPERIMENTAL_ENABLE_LEGACY_VARIANTS:-true}" \
      setsid node "$HERE/unleash-server.mjs" >>"$LOG_FILE" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$PID_FILE"
  fi
  # Bounded wait: migrations on an empty database take ~5 s on 2 cores, up to ~10 s under load.
  deadline=$((SECONDS + ${UNLEASH_HARNESS_START_TIMEOUT:-90}))
  until healthy; do
    unleash_alive "$pid" || die "unleash-server exited during start-up; last lines of $LOG_FILE:
$(tail -n 20 "$LOG_FILE")"
    ((SECONDS < deadline)) || die "unleash-server did not answer $URL/health in time; see $LOG_FILE"
    sleep 0.25
  done
  log "unleash-server is healthy (pid $pid)"
fi

# Init tokens are only inserted into an empty database: say so instead of failing later with 401s.
admin_status="$(curl -s -o /dev/null -w '%{http_code}' -m 5 -H "Authorization: $ADMIN_TOKEN" "$URL/api/admin/projects")"
client_status="$(curl -s -o /dev/null -w '%{http_code}' -m 5 -H "Authorization: $CLIENT_TOKEN" "$URL/api/client/features")"
if [[ "$admin_status" != 200 || "$client_status" != 200 ]]; then
  die "the tokens were refused (admin $admin_status, client $client_status): the database was created with other tokens; run $0 --fresh"
fi

cat >"$STATE_DIR/unleash.env" <<EOF
UNLEASH_HARNESS_URL='$URL'
UNLEASH_HARNESS_API_URL='$URL/api'
UNLEASH_HARNESS_ADMIN_TOKEN='$ADMIN_TOKEN'
UNLEASH_HARNESS_CLIENT_TOKEN='$CLIENT_TOKEN'
UNLEASH_HARNESS_PID='$pid'
EOF
cat "$STATE_DIR/unleash.env"
