#!/usr/bin/env bash
# A dask-gateway server on 127.0.0.1, for trying the `gateway` profile and for the tests.
#
#   cluster/gateway/dev-gateway.sh start    starts it in the background; waits for /api/health
#   cluster/gateway/dev-gateway.sh stop     stops it (and the clusters it runs)
#   cluster/gateway/dev-gateway.sh status   answers "running" or "stopped"
#
# The server runs the project's Python (PICPUMP_PYTHON, default .venv/bin/python), with
# cluster/gateway/dask_gateway_config.py. Ports: PICPUMP_GATEWAY_PORT [8000] (HTTP, the profile's
# `address`) and PICPUMP_GATEWAY_PROXY_PORT [8001] (schedulers, the profile's `proxy_address`).
# Password: PICPUMP_GATEWAY_PASSWORD, or a random one written to $PICPUMP_GATEWAY_DIR/password.
# Exit status: 0 done, 1 failed, 3 cannot run here (dask-gateway-server not installed).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PYTHON=${PICPUMP_PYTHON:-$ROOT/.venv/bin/python}
export PICPUMP_GATEWAY_DIR=${PICPUMP_GATEWAY_DIR:-${TMPDIR:-/tmp}/picpump-dev-gateway}
export PICPUMP_GATEWAY_PORT=${PICPUMP_GATEWAY_PORT:-8000}
export PICPUMP_GATEWAY_PROXY_PORT=${PICPUMP_GATEWAY_PROXY_PORT:-8001}
PIDFILE=$PICPUMP_GATEWAY_DIR/gateway.pid
LOG=$PICPUMP_GATEWAY_DIR/gateway.log
WAIT_S=${DEV_GATEWAY_WAIT_S:-30}

say() { printf 'dev-gateway: %s\n' "$*" >&2; }

running() { [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

healthy() {
  "$PYTHON" - "http://127.0.0.1:$PICPUMP_GATEWAY_PORT/api/health" <<'PY' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2).read()
PY
}

start() {
  [ -x "$PYTHON" ] || PYTHON=$(command -v python3)
  "$PYTHON" -c 'import dask_gateway_server' 2>/dev/null || {
    say "dask-gateway-server is not installed for $PYTHON: pip install dask-gateway-server sqlalchemy"
    exit 3
  }
  install -d -m 700 "$PICPUMP_GATEWAY_DIR"
  if [ -z "${PICPUMP_GATEWAY_PASSWORD:-}" ]; then
    [ -s "$PICPUMP_GATEWAY_DIR/password" ] ||
      (umask 077 && "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(16))' >"$PICPUMP_GATEWAY_DIR/password")
    PICPUMP_GATEWAY_PASSWORD=$(cat "$PICPUMP_GATEWAY_DIR/password")
    say "password in $PICPUMP_GATEWAY_DIR/password: export PICPUMP_GATEWAY_PASSWORD=\$(cat $PICPUMP_GATEWAY_DIR/password)"
  fi
  export PICPUMP_GATEWAY_PASSWORD
  if running; then
    say "already running (pid $(cat "$PIDFILE"))"
  else
    cd "$PICPUMP_GATEWAY_DIR"
    setsid "$PYTHON" -m dask_gateway_server -f "$HERE/dask_gateway_config.py" >"$LOG" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
  fi
  for _ in $(seq $((WAIT_S * 10))); do
    if healthy; then
      say "up: address http://127.0.0.1:$PICPUMP_GATEWAY_PORT, proxy_address gateway://127.0.0.1:$PICPUMP_GATEWAY_PROXY_PORT"
      return 0
    fi
    running || break
    sleep 0.1
  done
  say "not healthy after ${WAIT_S} s; log: $LOG"
  tail -n 20 "$LOG" >&2 || true
  return 1
}

stop() {
  if running; then
    local pid
    pid=$(cat "$PIDFILE")
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
  say "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo running; else echo stopped; fi ;;
  *) echo "usage: $0 {start|stop|status}" >&2; exit 2 ;;
esac
