#!/usr/bin/env bash
# On a lent GPU machine (no Node, no npm): whole training runs of shardgrad, not only one gradient.
# Needs .gpu-check/bundle.tar.xz (node, from scripts/build-gpu-check.sh) and .gpu-check/cli.tar.xz
# (the CLI, from scripts/build-cli-bundle.sh). Each step is bounded by its own timeout, and writes
# its JSON lines to $OUT as it goes, so a step that runs out of time still leaves what it measured:
#   webgpu-*     coordinator + webgpu worker processes (Dawn on the GPU) train the CNN on MNIST
#   wasm-*       the same run on wasm worker processes, one per core, for comparison
#   bench-*      the CPU targets of issues #3 and #10 (two workers, coordinator share, --threads 2,
#                a slowed worker) on this machine's cores, where no two processes share one core
# Steps to run: CLUSTER_STEPS (default all of: webgpu wasm bench). docs/benchmarks-gpu.md shows the call.
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/device-vulkan-env.sh
source scripts/device-vulkan-env.sh
rm -rf /tmp/shardgrad && mkdir -p /tmp/shardgrad
python3 -c "import tarfile; tarfile.open('.gpu-check/cli.tar.xz').extractall('/tmp/shardgrad')" || exit 1
NODE=/tmp/gpu-check/node
SHARDGRAD=("$NODE" --initial-old-space-size=256 /tmp/shardgrad/apps/bin/shardgrad.mjs)
cd /tmp/shardgrad
echo "$(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
steps=${CLUSTER_STEPS:-webgpu wasm bench}

# Median time of a full batch's round after the first rounds (shader compiles, calibration), and the samples/s it gives.
rounds() {
  "$NODE" -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    const all = lines.filter((l) => l.type === "round");
    // Full batches only: the last batch of an epoch is short (8,500 MNIST rows are no multiple of it).
    const b = Math.max(0, ...all.map((l) => l.samples));
    const r = all.slice(5).filter((l) => l.samples === b).map((l) => l.roundMs).sort((x, y) => x - y);
    const s = lines.find((l) => l.type === "summary") ?? {};
    const w = lines.filter((l) => l.type === "worker-joined").map((l) => `${l.worker.backend}@${Math.round(l.worker.samplesPerSecond)}`);
    const med = r[r.length >> 1];
    console.log(JSON.stringify({ file: process.argv[1], batch: b, rounds: r.length, medianRoundMs: med, samplesPerSecond: b / (med / 1000), testAccuracy: s.testAccuracy, reason: s.reason, workers: w }));
  ' "$1" | tee -a "$OUT/cluster-summary.jsonl"
}
train() { # name timeout args...
  local name=$1 t=$2; shift 2
  echo "== $name: shardgrad train $*"
  timeout "$t" "${SHARDGRAD[@]}" train --dataset mnist --eval-every 1000 --json "$@" >"$OUT/$name.jsonl" 2>"$OUT/$name.err"
  echo "rc=$?"; tail -3 "$OUT/$name.err"; rounds "$OUT/$name.jsonl"
}

# A webgpu worker takes its whole shard in one pass (--micro-batch): the coordinator's default keeps a
# pass under 1 GiB for wasm's 4 GiB heap, which a GPU with tens of GiB does not need.
if [[ $steps == *webgpu* ]]; then
  train webgpu-cnn-1w-4096 50 --model cnn --backend webgpu --workers 1 --batch 4096 --micro-batch 4096 --steps 40
  train webgpu-cnn-2w-8192 60 --model cnn --backend webgpu --workers 2 --batch 8192 --micro-batch 4096 --steps 40
  train webgpu-mlp-1w-8192 40 --model mnist-mlp --backend webgpu --workers 1 --batch 8192 --micro-batch 8192 --steps 60
fi
if [[ $steps == *wasm* ]]; then
  train wasm-cnn-1w-4096 45 --model cnn --backend wasm --workers 1 --batch 4096 --steps 12
  train wasm-cnn-14w-4096 50 --model cnn --backend wasm --workers 14 --batch 4096 --steps 40
fi
if [[ $steps == *bench* ]]; then
  for s in "throughput --batch 256 --steps 600 --local-workers threads" "coordinator" "threads --steps 100" "heterogeneous --steps 60"; do
    name=bench-${s%% *}
    echo "== $name: shardgrad bench --suite $s"
    # shellcheck disable=SC2086
    timeout 100 "${SHARDGRAD[@]}" bench --suite $s --out "$OUT/$name.json" 2>&1 | tail -25
  done
fi
