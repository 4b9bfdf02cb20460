#!/usr/bin/env bash
# Runs the bundle that scripts/build-gpu-check.sh made (.gpu-check/bundle.tar.xz) on a Linux x64
# machine with an NVIDIA GPU and no Node: where /usr/local/nvidia exists and the system has no
# Vulkan loader, unpacks .gl/*.deb into / (apt-get download libvulkan1 …, see docs/benchmarks-gpu.md);
# points Vulkan at NVIDIA's ICD, unpacks the bundle to /tmp/gpu-check and runs it. The summary goes to $OUT/gpu-check.json
# ($OUT defaults to ./runs/bench). Pass VK_ICD_FILENAMES to use another driver (SwiftShader, say).
set -uo pipefail
cd "$(dirname "$0")/.."
# Only on the lent machine (it has NVIDIA's driver folder) or when asked: this writes into /.
if [ -d /usr/local/nvidia ] || [ "${GPU_CHECK_UNPACK_DEBS:-0}" = 1 ]; then
  if ! ldconfig -p | grep -q 'libvulkan.so.1' && compgen -G '.gl/*.deb' >/dev/null; then
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
fi
nv=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-$nv} VK_DRIVER_FILES=${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-$nv}}
export OUT=${OUT:-$PWD/runs/bench} GPU_CHECK_REQUIRE_WEBGPU=${GPU_CHECK_REQUIRE_WEBGPU:-1}
mkdir -p "$OUT" /tmp/gpu-check
echo "VK_ICD_FILENAMES=$VK_ICD_FILENAMES"; cat "$VK_ICD_FILENAMES" 2>&1 | head -20
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
python3 -c "import tarfile; tarfile.open('.gpu-check/bundle.tar.xz').extractall('/tmp/gpu-check')" || exit 1
cp .gpu-check/check.mjs .gpu-check/*.wat /tmp/gpu-check/ || exit 1
cd /tmp/gpu-check && ./node --version && exec ./node check.mjs
