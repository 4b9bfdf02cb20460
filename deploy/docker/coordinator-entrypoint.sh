#!/bin/sh
# ENTRYPOINT of the coordinator image. Runs the command it is given (the image's CMD, compose's
# `command:`, the pod's `args:`) with exec, so that shardgrad itself gets SIGTERM.
#
# Why: an orchestrator restarts a coordinator that died (compose `restart: unless-stopped`, the
# Deployment recreating its pod). Started as written, it would begin a new run at step 0. So when
# the command is `shardgrad coordinator` without --resume, this adds `--resume <run dir>` for the
# newest run under the runs directory that has a checkpoint with a training state in it (written by
# --checkpoint-every); the coordinator then goes on from that run's latest checkpoint, under the
# same run id. With no such run it starts a new one. Run ids begin with their start time
# (20260101T120000.000Z-…), so the newest run sorts last.
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

# Prints the newest run directory under $1 with a training state, unless that run completed; else nothing.
latest_resumable_run() {
  [ -d "$1" ] || return 0
  state=$(find "$1" -mindepth 4 -maxdepth 4 -type f -path '*/checkpoints/step-*/training-state.bin' | sort | tail -n 1)
  [ -n "$state" ] || return 0
  run=$(dirname -- "$(dirname -- "$(dirname -- "$state")")")
  run_completed "$run" || printf '%s\n' "$run"
}

if is_coordinator_command "$@" && ! resume_given "$@"; then
  runs=$(runs_dir "$@")
  run=$(latest_resumable_run "$runs")
  if [ -n "$run" ]; then
    echo "coordinator-entrypoint: going on from the latest checkpoint of $run (--resume $run)" >&2
    exec "$@" --resume "$run"
  fi
  echo "coordinator-entrypoint: no checkpoint with a training state under $runs/; starting a new run" >&2
fi
exec "$@"
