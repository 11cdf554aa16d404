#!/usr/bin/env bash
# Throwaway servers for the scaled-out test pass: a PostgreSQL (Debian's
# packages, initdb into a temp folder, loopback port) and an S3-compatible
# server (versitygw's POSIX gateway, built from the Go module proxy at a
# pinned release). Nothing is shared with the machine's own services.
#
#   export RETREAT_CI_SERVICES_DIR=$(mktemp -d)
#   eval "$(.ci/services.sh start)"   # prints the exports the tests read
#   .ci/services.sh stop              # stops both and removes the folder
#
# Each run keeps its servers' data, logs and pids in RETREAT_CI_SERVICES_DIR
# (required: runs side by side never stop each other's servers) and takes
# the first free ports from RETREAT_CI_PG_PORT (55432) and
# RETREAT_CI_S3_PORT (7070) up.
set -euo pipefail

STATE=${RETREAT_CI_SERVICES_DIR:?set RETREAT_CI_SERVICES_DIR to a folder of this run}
VERSITYGW_VERSION=v1.8.0
S3_ACCESS_KEY=retreat-ci
S3_SECRET_KEY=retreat-ci-secret-key

log() { echo "services: $*" >&2; }

# free_port prints the first port from $1 up that nothing listens on.
free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

# as_postgres runs a command as the postgres user when we are root
# (PostgreSQL refuses to run as root), or as ourselves otherwise.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  log "installing postgresql (no initdb found)"
  apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  log "no PostgreSQL after installing it"; exit 1
}

start_pg() {
  local bin; bin=$(pg_bin)
  local dir=$STATE/pg
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_postgres "$bin/initdb -D $dir/data -U postgres --auth=trust -E UTF8 >/dev/null"
  echo "$bin" >"$STATE/pg.bin"
  # fsync off: a throwaway server; max_connections up: parallel tests each
  # open a database of their own. A port taken meanwhile: try the next.
  local try
  for try in 1 2 3 4 5; do
    PG_PORT=$(free_port "$PG_PORT")
    if as_postgres "$bin/pg_ctl -D $dir/data -l $dir/log -w -o '-c listen_addresses=127.0.0.1 -p $PG_PORT -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400' start >/dev/null"; then
      return
    fi
    PG_PORT=$((PG_PORT + 1))
  done
  log "PostgreSQL did not start:"; cat "$dir/log" >&2; exit 1
}

versitygw_bin() {
  local gobin; gobin=$(go env GOBIN); [ -n "$gobin" ] || gobin=$(go env GOPATH)/bin
  if [ ! -x "$gobin/versitygw" ] || ! go version -m "$gobin/versitygw" 2>/dev/null | grep -q "versitygw[[:space:]]*$VERSITYGW_VERSION"; then
    log "building versitygw $VERSITYGW_VERSION from the module proxy (one to two minutes)"
    (cd / && GOFLAGS=-buildvcs=false go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION") >&2
  fi
  echo "$gobin/versitygw"
}

start_s3() {
  local bin; bin=$(versitygw_bin)
  local dir=$STATE/s3
  mkdir -p "$dir/data"
  local try i pid
  for try in 1 2 3 4 5; do
    S3_PORT=$(free_port "$S3_PORT")
    ROOT_ACCESS_KEY=$S3_ACCESS_KEY ROOT_SECRET_KEY=$S3_SECRET_KEY \
      nohup "$bin" --port "127.0.0.1:$S3_PORT" posix "$dir/data" >"$dir/log" 2>&1 &
    pid=$!
    echo "$pid" >"$STATE/s3.pid"
    for i in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break # exited: the port was taken meanwhile
      if (exec 3<>"/dev/tcp/127.0.0.1/$S3_PORT") 2>/dev/null; then return; fi
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    S3_PORT=$((S3_PORT + 1))
  done
  log "versitygw did not start:"; cat "$dir/log" >&2; exit 1
}

stop() {
  if [ -f "$STATE/s3.pid" ]; then
    kill "$(cat "$STATE/s3.pid")" 2>/dev/null || true
    rm -f "$STATE/s3.pid"
  fi
  if [ -f "$STATE/pg.bin" ]; then
    as_postgres "$(cat "$STATE/pg.bin")/pg_ctl -D $STATE/pg/data -m immediate stop >/dev/null" || true
  fi
  rm -rf "$STATE"
}

case "${1:-}" in
start)
  mkdir -p "$STATE"
  chmod 755 "$STATE"
  PG_PORT=${RETREAT_CI_PG_PORT:-55432}
  S3_PORT=${RETREAT_CI_S3_PORT:-7070}
  start_pg
  start_s3
  log "PostgreSQL on 127.0.0.1:$PG_PORT, versitygw on 127.0.0.1:$S3_PORT (state in $STATE)"
  cat <<EOF
export RETREAT_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable'
export RETREAT_TEST_S3_ENDPOINT='http://127.0.0.1:$S3_PORT'
export RETREAT_TEST_S3_ACCESS_KEY='$S3_ACCESS_KEY'
export RETREAT_TEST_S3_SECRET_KEY='$S3_SECRET_KEY'
export RETREAT_TEST_S3_REGION='us-east-1'
EOF
  ;;
stop) stop ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
