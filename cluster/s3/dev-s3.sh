#!/usr/bin/env bash
# An S3 API server (moto) on 127.0.0.1 that checks credentials, for trying `s3://` outputs and
# for the tests.
#
#   cluster/s3/dev-s3.sh start    starts it, creates a user, its access key and a bucket
#   cluster/s3/dev-s3.sh stop     stops it (everything it stored is gone)
#   cluster/s3/dev-s3.sh status   answers "running" or "stopped"
#
# After `start`, $PICPUMP_S3_DIR/credentials holds, in `export` form, AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL and PICPUMP_S3_BUCKET: `. $PICPUMP_S3_DIR/credentials`
# then use `s3://$PICPUMP_S3_BUCKET/...` with storage_options
# `{client_kwargs: {endpoint_url: $AWS_ENDPOINT_URL}}`. Any other key is refused.
# Settings: PICPUMP_S3_PORT [9000], PICPUMP_S3_BUCKET [picpump],
# PICPUMP_S3_DIR [$TMPDIR/picpump-dev-s3], PICPUMP_PYTHON [.venv/bin/python].
# Exit status: 0 done, 1 failed, 3 cannot run here (moto[server] not installed).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PYTHON=${PICPUMP_PYTHON:-$ROOT/.venv/bin/python}
PORT=${PICPUMP_S3_PORT:-9000}
BUCKET=${PICPUMP_S3_BUCKET:-picpump}
DIR=${PICPUMP_S3_DIR:-${TMPDIR:-/tmp}/picpump-dev-s3}
PIDFILE=$DIR/moto.pid
LOG=$DIR/moto.log
WAIT_S=${DEV_S3_WAIT_S:-30}
ENDPOINT=http://127.0.0.1:$PORT

say() { printf 'dev-s3: %s\n' "$*" >&2; }

running() { [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

# The first three requests are not authenticated (moto's INITIAL_NO_AUTH_ACTION_COUNT): they
# create the IAM user, its policy and its access key. Every later request must be signed by it.
bootstrap() {
  "$PYTHON" - "$ENDPOINT" "$BUCKET" <<'PY'
import json, shlex, sys
import boto3

endpoint, bucket = sys.argv[1:3]
anonymous = {"endpoint_url": endpoint, "region_name": "us-east-1",
             "aws_access_key_id": "bootstrap", "aws_secret_access_key": "bootstrap"}
iam = boto3.client("iam", **anonymous)
iam.create_user(UserName="picpump")
iam.put_user_policy(UserName="picpump", PolicyName="s3-all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17",
     "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="picpump")["AccessKey"]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id=key["AccessKeyId"],
                  aws_secret_access_key=key["SecretAccessKey"])
s3.create_bucket(Bucket=bucket)
for name, value in [("AWS_ACCESS_KEY_ID", key["AccessKeyId"]),
                    ("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"]),
                    ("AWS_ENDPOINT_URL", endpoint), ("PICPUMP_S3_BUCKET", bucket)]:
    print(f"export {name}={shlex.quote(value)}")
PY
}

healthy() {
  "$PYTHON" - "$ENDPOINT/moto-api/" <<'PY' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2).read()
PY
}

start() {
  [ -x "$PYTHON" ] || PYTHON=$(command -v python3)
  "$PYTHON" -c 'import moto.server, boto3' 2>/dev/null || {
    say "moto[server] is not installed for $PYTHON: pip install 'moto[server]'"
    exit 3
  }
  install -d -m 700 "$DIR"
  if running; then
    say "already running (pid $(cat "$PIDFILE")); credentials in $DIR/credentials"
    return 0
  fi
  INITIAL_NO_AUTH_ACTION_COUNT=3 setsid "$PYTHON" -m moto.server -H 127.0.0.1 -p "$PORT" \
    >"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq $((WAIT_S * 10))); do
    healthy && break
    running || { say "moto exited; log: $LOG"; tail -n 20 "$LOG" >&2; return 1; }
    sleep 0.1
  done
  healthy || { say "not answering after ${WAIT_S} s; log: $LOG"; return 1; }
  (umask 077 && bootstrap >"$DIR/credentials")
  say "up: endpoint $ENDPOINT, bucket $BUCKET; credentials: . $DIR/credentials"
}

stop() {
  if running; then
    local pid
    pid=$(cat "$PIDFILE")
    kill -TERM "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE" "$DIR/credentials"
  say "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo running; else echo stopped; fi ;;
  *) echo "usage: $0 {start|stop|status}" >&2; exit 2 ;;
esac
