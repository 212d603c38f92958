#!/usr/bin/env bash
# Stops what start.sh started: unleash-server, then the private PostgreSQL cluster. Idempotent.
#
#   scripts/unleash/stop.sh                 # stop both, keep the database and the install
#   scripts/unleash/stop.sh --unleash-only  # stop only unleash-server (tests of an Unleash outage)
#   scripts/unleash/stop.sh --purge         # stop both and delete the database (keeps the npm install)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

unleash_only=0
purge=0
for arg in "$@"; do
  case "$arg" in
    --unleash-only) unleash_only=1 ;;
    --purge) purge=1 ;;
    -h | --help)
      sed -n '2,6p' "$0"
      exit 0
      ;;
    *) die "unknown argument '$arg' (use --unleash-only, --purge or --help)" ;;
  esac
done

pid="$(cat "$PID_FILE" 2>/dev/null || true)"
if unleash_alive "$pid"; then
  # unleash handles SIGTERM itself (graceful close, then exit 0)
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    unleash_alive "$pid" || break
    sleep 0.1
  done
  if unleash_alive "$pid"; then
    log "unleash-server (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  log "unleash-server stopped (pid $pid)"
fi
rm -f "$PID_FILE"

[[ $unleash_only -eq 1 ]] && exit 0

PG_DIR="$(current_pg_dir)"
PG_BIN="$(find_pg_bin)"
if [[ -f "$PG_DIR/data/PG_VERSION" && -x "$PG_BIN/pg_ctl" ]] &&
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null
  log "PostgreSQL stopped"
fi

if [[ $purge -eq 1 ]]; then
  rm -rf "$PG_DIR" "$PG_DIR_FILE" "$STATE_DIR/unleash.env" "$STATE_DIR/unleash.log" "$STATE_DIR/initdb.log"
  log "database removed"
fi
exit 0
