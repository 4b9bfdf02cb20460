#!/usr/bin/env bash
# Runs the bundle that scripts/build-gpu-check.sh made (.gpu-check/bundle.tar.xz) on a Linux x64
# machine with an NVIDIA GPU and no Node (Vulkan and the bundle set up by device-vulkan-env.sh).
# The summary goes to $OUT/gpu-check.json ($OUT defaults to ./runs/bench).
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/device-vulkan-env.sh
source scripts/device-vulkan-env.sh
export GPU_CHECK_REQUIRE_WEBGPU=${GPU_CHECK_REQUIRE_WEBGPU:-1}
cp .gpu-check/check.mjs .gpu-check/*.wat /tmp/gpu-check/ || exit 1
cd /tmp/gpu-check && ./node --version && exec ./node check.mjs
