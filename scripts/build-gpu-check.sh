#!/usr/bin/env bash
# Builds a self-contained bundle of apps/cli/src/bench/webgpu-gpu-check.ts for a Linux x64 machine
# without Node or network (a lent GPU box): this machine's node binary, the check bundled by esbuild
# into one .mjs (tfjs and our libs inlined), Dawn's dawn.node (npm `webgpu`) and tfjs's .wasm files.
# All but the check go in bundle.tar.xz (~29 MB, minutes of xz); the check sits beside it as
# check.mjs with the .wat files of our own kernels, rebuilt in seconds. docs/benchmarks-gpu.md shows how to run it there.
#   bash scripts/build-gpu-check.sh [out-dir, default .gpu-check]
#   CHECK_ONLY=1 bash scripts/build-gpu-check.sh   # only check.mjs and the .wat files (the tarball's contents rarely change)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.gpu-check}
mkdir -p "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# shellcheck source=scripts/esbuild-node-bundle.sh
source scripts/esbuild-node-bundle.sh
npx esbuild apps/cli/src/bench/webgpu-gpu-check.ts "${ESBUILD_NODE_BUNDLE[@]}" --outfile="$out/check.mjs"
# Our own wasm kernels are assembled from these at start, found beside the bundle (import.meta.url).
cp libs/backends/src/kernels/simd/*.wat libs/trainer/src/update-kernels.wat "$out/"
if [ "${CHECK_ONLY:-0}" = 1 ] && [ -f "$out/bundle.tar.xz" ]; then ls -la "$out"; exit 0; fi

cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$stage/"
w="$stage/node_modules/webgpu"
mkdir -p "$w/dist/linux-x64"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$w/"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$w/dist/linux-x64/"
cp "$(readlink -f "$(command -v node)")" "$stage/node"

rm -f "$out/bundle.tar.xz"
tar -C "$stage" -cf - . | xz -9 -T2 >"$out/bundle.tar.xz"
ls -la "$out"
