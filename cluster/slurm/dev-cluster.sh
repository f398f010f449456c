#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, for trying the `slurm` profile and for the tests.
#
#   cluster/slurm/dev-cluster.sh start    munge key, slurm.conf, munged, slurmctld, slurmd; waits for `sinfo` idle
#   cluster/slurm/dev-cluster.sh stop     cancels the jobs, stops slurmd and slurmctld (and munged if it started it)
#   cluster/slurm/dev-cluster.sh status   sinfo and squeue
#
# Needs root and the Debian packages `slurm-wlm munge` (apt-get install -y slurm-wlm munge).
# The node is $(hostname) with $(nproc) CPUs and 90 % of the memory; one partition, `debug`.
# It writes /etc/slurm/slurm.conf and refuses to replace a slurm.conf it did not write.
# Exit status: 0 done, 1 failed, 3 cannot run here (not root, packages missing).
set -euo pipefail

CONF=${SLURM_CONF:-/etc/slurm/slurm.conf}
MARK="# written by picpump cluster/slurm/dev-cluster.sh"
STATE=/var/lib/picpump-dev-slurm
SPOOL=/var/spool/slurm-picpump
LOGS=/var/log/slurm-picpump
PARTITION=debug
WAIT_S=${DEV_SLURM_WAIT_S:-30}

say() { printf 'dev-cluster: %s\n' "$*" >&2; }

cannot_run() {
  say "$*"
  exit 3
}

require() {
  [ "$(id -u)" = 0 ] || cannot_run "must run as root (it writes $CONF and starts daemons)"
  local missing=()
  for cmd in munged munge unmunge slurmctld slurmd sinfo squeue scontrol scancel; do
    command -v "$cmd" >/dev/null || [ -x "/usr/sbin/$cmd" ] || missing+=("$cmd")
  done
  [ ${#missing[@]} = 0 ] || cannot_run "missing ${missing[*]}: apt-get install -y slurm-wlm munge"
}

munge_ok() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

start_munge() {
  local key=/etc/munge/munge.key
  if [ ! -s "$key" ]; then
    say "creating $key"
    install -d -o munge -g munge -m 700 /etc/munge
    dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
  fi
  chown munge:munge "$key"
  chmod 400 "$key"
  install -d -o munge -g munge -m 755 /run/munge
  install -d -o munge -g munge -m 700 /var/lib/munge /var/log/munge
  if ! munge_ok; then
    runuser -u munge -- /usr/sbin/munged --force
    touch "$STATE/munged-started"
  fi
  for _ in $(seq 50); do munge_ok && return 0; sleep 0.1; done
  say "munged does not answer (see /var/log/munge/munged.log)"
  return 1
}

write_conf() {
  local host cpus mem_mb
  host=$(hostname -s)
  cpus=$(nproc)
  mem_mb=$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)
  if [ -e "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
    say "$CONF exists and was not written by this script; refusing to replace it"
    exit 1
  fi
  install -d "$(dirname "$CONF")" "$SPOOL/ctld" "$SPOOL/d" "$LOGS"
  cat >"$CONF" <<CONF
$MARK
ClusterName=picpump-dev
SlurmctldHost=$host(127.0.0.1)
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$SPOOL/ctld
SlurmdSpoolDir=$SPOOL/d
SlurmctldPidFile=/run/slurmctld-picpump.pid
SlurmdPidFile=/run/slurmd-picpump.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MinJobAge=5
KillWait=2
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=$PARTITION Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
}

node_state() { sinfo -h -N -p "$PARTITION" -o '%T' 2>/dev/null | head -n1; }

start() {
  require
  install -d "$STATE"
  start_munge
  write_conf
  if ! scontrol ping 2>/dev/null | grep -q UP; then
    /usr/sbin/slurmctld -c  # -c: no state from a previous run (the node is idle only once slurmd registers)
  fi
  if [ ! -s /run/slurmd-picpump.pid ] || ! kill -0 "$(cat /run/slurmd-picpump.pid)" 2>/dev/null; then
    /usr/sbin/slurmd
  fi
  local state=""
  for _ in $(seq $((WAIT_S * 5))); do
    state=$(node_state)
    case "$state" in
      idle* | mixed* | allocated*) say "up: node $(hostname -s), partition $PARTITION, $state"; return 0 ;;
      down* | drain*) scontrol update NodeName="$(hostname -s)" State=RESUME >/dev/null 2>&1 || true ;;
    esac
    sleep 0.2
  done
  say "the node is not idle after ${WAIT_S} s (state: ${state:-none}); logs in $LOGS"
  return 1
}

stop_pidfile() {
  local pidfile=$1
  [ -s "$pidfile" ] || return 0
  local pid
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

stop() {
  [ "$(id -u)" = 0 ] || cannot_run "must run as root"
  if command -v scancel >/dev/null && scontrol ping 2>/dev/null | grep -q UP; then
    scancel --partition="$PARTITION" 2>/dev/null || true
    for _ in $(seq 50); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.1; done
  fi
  stop_pidfile /run/slurmd-picpump.pid
  stop_pidfile /run/slurmctld-picpump.pid
  if [ -e "$STATE/munged-started" ]; then
    stop_pidfile /run/munge/munged.pid
    rm -f "$STATE/munged-started"
  fi
  say "stopped"
}

status() {
  sinfo
  squeue
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 {start|stop|status}" >&2; exit 2 ;;
esac
