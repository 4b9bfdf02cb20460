# Sourced by the scripts that run on a lent GPU machine (gpu-check-device.sh, gpu-cluster-device.sh),
# from the repository root. Where /usr/local/nvidia exists and the system has no Vulkan loader, unpacks
# .gl/*.deb into / (apt-get download libvulkan1 …, see docs/benchmarks-gpu.md); points Vulkan at
# NVIDIA's ICD (pass VK_ICD_FILENAMES to use another driver, SwiftShader say); sets $OUT (default
# ./runs/bench); unpacks .gpu-check/bundle.tar.xz (node, Dawn, tfjs's .wasm) to /tmp/gpu-check.
# Only on the lent machine (it has NVIDIA's driver folder) or when asked: this writes into /.
if [ -d /usr/local/nvidia ] || [ "${GPU_CHECK_UNPACK_DEBS:-0}" = 1 ]; then
  # grep without -q: under the callers' pipefail, -q's early exit could fail ldconfig with SIGPIPE.
  if ! ldconfig -p | grep 'libvulkan.so.1' >/dev/null && compgen -G '.gl/*.deb' >/dev/null; then
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
fi
nv=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-$nv} VK_DRIVER_FILES=${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-$nv}}
# Absolute: the callers change directory after this.
export OUT=$(realpath -m "${OUT:-$PWD/runs/bench}")
mkdir -p "$OUT" /tmp/gpu-check
echo "VK_ICD_FILENAMES=$VK_ICD_FILENAMES"; head -20 "$VK_ICD_FILENAMES" 2>&1
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
python3 -c "import tarfile; tarfile.open('.gpu-check/bundle.tar.xz').extractall('/tmp/gpu-check')" || exit 1
