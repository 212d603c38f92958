#!/usr/bin/env bash
# Stops what start.sh started: the unleash-servers, then the private PostgreSQL cluster once no server of the
# harness runs any more. Idempotent.
#
#   scripts/unleash/stop.sh                            # stop every server and PostgreSQL, keep the databases
#   scripts/unleash/stop.sh --server 8                 # stop unleash-server 8 (PostgreSQL too if none is left)
#   scripts/unleash/stop.sh --server 8 --unleash-only  # stop only that server (tests of an Unleash outage)
#   scripts/unleash/stop.sh --purge                    # stop everything and delete the databases (keeps installs)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

unleash_only=0
purge=0
args=("$@")
while (($#)); do
  case "$1" in
    --unleash-only) unleash_only=1 ;;
    --purge) purge=1 ;;
    --server) shift ;;
    --server=*) ;;
    -h | --help)
      sed -n '2,8p' "$0"
      exit 0
      ;;
    *) die "unknown argument '$1' (use --server <$(IFS="|"; echo "${ALL_SERVERS[*]}")|all>, --unleash-only, --purge or --help)" ;;
  esac
  shift
done
parse_servers "${args[@]+"${args[@]}"}"
((purge == 0)) || SERVERS=("${ALL_SERVERS[@]}")

for major in "${SERVERS[@]}"; do
  select_server "$major"
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  if unleash_alive "$pid"; then
    # unleash handles SIGTERM itself (graceful close, then exit 0)
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      unleash_alive "$pid" || break
      sleep 0.1
    done
    if unleash_alive "$pid"; then
      log "unleash-server $major (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "unleash-server $major stopped (pid $pid)"
  fi
  rm -f "$PID_FILE"
done

[[ $unleash_only -eq 1 ]] && exit 0
# Another server of the harness still needs the cluster.
any_unleash_alive && exit 0

PG_DIR="$(current_pg_dir)"
PG_BIN="$(find_pg_bin)"
if [[ -f "$PG_DIR/data/PG_VERSION" && -x "$PG_BIN/pg_ctl" ]] &&
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null
  log "PostgreSQL stopped"
fi

if [[ $purge -eq 1 ]]; then
  rm -rf "$PG_DIR" "$PG_DIR_FILE" "$STATE_DIR/initdb.log"
  for major in "${ALL_SERVERS[@]}"; do
    select_server "$major"
    rm -f "$ENV_FILE" "$LOG_FILE"
  done
  log "databases removed"
fi
exit 0
