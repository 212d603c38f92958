#!/usr/bin/env bash
# Starts a real unleash-server 7.5.1 on a private PostgreSQL 15 cluster, both on 127.0.0.1 and non-default
# ports, for flagwise's integration tests. Idempotent: whatever already runs is left alone.
#
#   scripts/unleash/start.sh            # start (installs on first run, ~30 s; warm restart ~3 s)
#   scripts/unleash/start.sh --fresh    # wipe the database first (new init tokens take effect)
#
# Needs only bash, node >= 20 and npm; as root it installs PostgreSQL 15 with apt-get when it is missing.
# State lives in <repo>/.unleash-state/ (git-ignored). Settings: see README.md (UNLEASH_HARNESS_PORT=44242,
# UNLEASH_HARNESS_PG_PORT=54329, UNLEASH_HARNESS_ADMIN_TOKEN, UNLEASH_HARNESS_CLIENT_TOKEN, PG_FAST=1, ...).
# On success it prints the URL and tokens as shell assignments, also written to $STATE_DIR/unleash.env.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

ADMIN_TOKEN="${UNLEASH_HARNESS_ADMIN_TOKEN:-*:*.flagwise-admin-token}"
CLIENT_TOKEN="${UNLEASH_HARNESS_CLIENT_TOKEN:-default:development.flagwise-client-token}"
PG_FAST="${PG_FAST:-1}"

fresh=0
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=1 ;;
    -h | --help)
      sed -n '2,11p' "$0"
      exit 0
      ;;
    *) die "unknown argument '$arg' (use --fresh or --help)" ;;
  esac
done

command -v node >/dev/null || die "node is not on PATH (Node >= 20 is required)"
command -v npm >/dev/null || die "npm is not on PATH (it comes with Node)"

if [[ $fresh -eq 1 ]]; then
  "$HERE/stop.sh" >/dev/null
  log "--fresh: removing the database in $(current_pg_dir)"
  rm -rf "$(current_pg_dir)" "$PG_DIR_FILE"
fi

mkdir -p "$STATE_DIR"

# --- PostgreSQL binaries ------------------------------------------------------------------------------------
PG_BIN="$(find_pg_bin)"
if [[ ! -x "$PG_BIN/initdb" ]]; then
  [[ $EUID -eq 0 ]] || die "PostgreSQL is not installed: run 'sudo apt-get install -y postgresql-15' or set PG_BIN"
  log "installing postgresql-15 with apt-get"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >&2 ||
    die "apt-get could not install postgresql-15; install PostgreSQL >= 13 and set PG_BIN to its bin directory"
  PG_BIN="$(find_pg_bin)"
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
PG_DIR="$(current_pg_dir)"
if [[ ! -f "$PG_DIR/data/PG_VERSION" ]]; then
  PG_DIR="$STATE_DIR/pg"
  if [[ $EUID -eq 0 ]] && ! runuser -u postgres -- test -x "$STATE_DIR"; then
    # A clone under /root (mode 0700) cannot be entered by the postgres user: keep the cluster in its home.
    PG_DIR="$(getent passwd postgres | cut -d: -f6)/flagwise-harness-$(echo "$STATE_DIR" | sha256sum | cut -c1-12)"
    log "the postgres user cannot enter $STATE_DIR; the cluster goes to $PG_DIR"
  fi
  log "creating a PostgreSQL cluster in $PG_DIR"
  rm -rf "$PG_DIR"
  mkdir -p "$PG_DIR"
  chmod 0700 "$PG_DIR"
  [[ $EUID -eq 0 ]] && chown postgres: "$PG_DIR"
  as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$STATE_DIR/initdb.log" 2>&1 ||
    die "initdb failed; see $STATE_DIR/initdb.log"
  echo "$PG_DIR" >"$PG_DIR_FILE"
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
admin_status="$(http_status "$URL/api/admin/projects" "$ADMIN_TOKEN")"
client_status="$(http_status "$URL/api/client/features" "$CLIENT_TOKEN")"
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
