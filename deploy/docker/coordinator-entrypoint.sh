#!/bin/sh
# ENTRYPOINT of the coordinator image. Runs the command it is given (the image's CMD, compose's
# `command:`, the pod's `args:`) with exec, so that shardgrad itself gets SIGTERM.
#
# Why: an orchestrator restarts a coordinator that died (compose `restart: unless-stopped`, the
# Deployment recreating its pod). Started as written, it would begin a new run at step 0. So when
# the command is `shardgrad coordinator` without --resume, this adds `--resume <run dir>` for the
# newest run under the runs directory when it has a checkpoint with a training state in it (written
# by --checkpoint-every) and did not complete; the coordinator then goes on from that run's latest
# checkpoint, under the same run id. Otherwise it starts a new run. Run ids begin with their start
# time (20260101T120000.000Z-…), so the newest run sorts last.
#
# Not read: --out or --resume set in a --config file. Give the runs directory as --out or
# SHARDGRAD_OUT, and a resume as --resume or SHARDGRAD_RESUME.
set -eu

is_coordinator_command() {
  [ "$#" -ge 2 ] && [ "$(basename -- "$1")" = shardgrad ] && [ "$2" = coordinator ]
}

# Prints the runs directory the coordinator will use: --out in its flags, else SHARDGRAD_OUT, else runs.
runs_dir() {
  dir="${SHARDGRAD_OUT:-runs}"
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --out) [ "$#" -ge 2 ] && dir="$2" ;;
      --out=*) dir="${1#--out=}" ;;
    esac
    shift
  done
  printf '%s\n' "$dir"
}

# True when the command already says where to resume from.
resume_given() {
  [ -n "${SHARDGRAD_RESUME:-}" ] && return 0
  for arg in "$@"; do
    case "$arg" in
      --resume | --resume=*) return 0 ;;
    esac
  done
  return 1
}

# True when the run's run.json says it completed its plan. A restart after that starts a new run
# (the operator may have changed the command meanwhile); one stopped by a signal or killed is resumed.
run_completed() {
  [ -f "$1/run.json" ] || return 1
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.exit(r.meta?.summary?.reason === "completed" ? 0 : 1)' "$1/run.json"
}

# Prints the newest run directory under $1 (one with a run.json or checkpoints), or nothing.
newest_run() {
  [ -d "$1" ] || return 0
  for dir in "$1"/*/; do
    [ -f "${dir}run.json" ] || [ -d "${dir}checkpoints" ] || continue
    printf '%s\n' "${dir%/}"
  done | sort | tail -n 1
}

# True when the run has a checkpoint with a training state in it.
has_training_state() {
  [ -n "$(find "$1/checkpoints" -mindepth 2 -maxdepth 2 -type f -path '*/step-*/training-state.bin' 2>/dev/null | head -n 1)" ]
}

# Only the newest run is a candidate: an older one was left behind on purpose (the teacher started
# another), so going back to it after a crash would lose the newer run's work and revive a finished idea.
if is_coordinator_command "$@" && ! resume_given "$@"; then
  runs=$(runs_dir "$@")
  run=$(newest_run "$runs")
  if [ -z "$run" ]; then
    echo "coordinator-entrypoint: no run under $runs/; starting a new run" >&2
  elif run_completed "$run"; then
    echo "coordinator-entrypoint: the newest run, $run, completed; starting a new run" >&2
  elif ! has_training_state "$run"; then
    echo "coordinator-entrypoint: the newest run, $run, has no checkpoint with a training state yet (--checkpoint-every); starting a new run" >&2
  else
    echo "coordinator-entrypoint: going on from the latest checkpoint of $run (--resume $run)" >&2
    exec "$@" --resume "$run"
  fi
fi
exec "$@"
